import type { HubSpotAccount } from './account';

/** The second deal pipeline of the demo portal: renamed stages, a won stage with a non-obvious id. */
export const RENEWALS_PIPELINE = {
  id: '98765432',
  label: 'Renewals',
  stages: [
    { id: '1029384750', label: 'Renewal due', displayOrder: 0, isClosed: false, probability: '0.5' },
    { id: '1029384751', label: 'Quote sent', displayOrder: 1, isClosed: false, probability: '0.8' },
    { id: '1029384756', label: 'Renewed', displayOrder: 2, isClosed: true, probability: '1.0' },
    { id: '1029384757', label: 'Churned', displayOrder: 3, isClosed: true, probability: '0.0' },
  ],
};

const PRIMARY_COMPANY = 5; // deal -> company, label "Primary"
const DEAL_TO_COMPANY = 341;
const DEAL_TO_CONTACT = 3;
const DEAL_TO_LINE_ITEM = 19;
const CONTACT_TO_COMPANY = 279;
const NOTE_TO_DEAL = 214;

function to(id: string, ...typeIds: number[]) {
  return { to: { id }, types: typeIds.map((associationTypeId) => ({ associationCategory: 'HUBSPOT_DEFINED', associationTypeId })) };
}

/** The demo portal's users: Ada administers it (and owns every demo deal), Grace is a colleague. */
export const DEMO_USERS = {
  ada: { userId: 9100001, userEmail: 'ada@dealbooks.example' },
  grace: { userId: 9100002, userEmail: 'grace@dealbooks.example' },
} as const;

/**
 * The 'demo' portal: two owners, the companies and contacts of a small architecture practice's customers, a
 * product catalogue with near-duplicate names (for product matching), and deals across stages and both pipelines,
 * one with discounted line items. Tests find records by name, never by id.
 */
export function seedDemo(account: HubSpotAccount): void {
  account.pipelines.add(structuredClone(RENEWALS_PIPELINE));
  const ada = account.addOwner({ id: '75000001', email: DEMO_USERS.ada.userEmail, firstName: 'Ada', lastName: 'Lovelace', userId: DEMO_USERS.ada.userId });
  account.addOwner({ id: '75000002', email: DEMO_USERS.grace.userEmail, firstName: 'Grace', lastName: 'Hopper', userId: DEMO_USERS.grace.userId });

  const abc = account.create('companies', { name: 'ABC LLC', domain: 'abc.example', city: 'Springfield', country: 'United States' });
  const northwind = account.create('companies', { name: 'Northwind Traders', domain: 'northwind.example', city: 'Seattle', country: 'United States' });
  const jane = account.create('contacts', { email: 'jane@abc.example', firstname: 'Jane', lastname: 'Doe' }, [to(abc.id, CONTACT_TO_COMPANY)]);
  const nancy = account.create('contacts', { email: 'nancy@northwind.example', firstname: 'Nancy', lastname: 'Davolio' }, [to(northwind.id, CONTACT_TO_COMPANY)]);

  const sdf = account.create('products', { name: 'Schematic Design Fee', hs_sku: 'SDF-1', price: '1200', description: 'Schematic design phase' });
  account.create('products', { name: 'SD Fee', hs_sku: 'SDF-2', price: '1200' });
  account.create('products', { name: 'Schematic Design Fees', price: '1150' });
  const visit = account.create('products', { name: 'Site Visit', hs_sku: 'SV-1', price: '150.50' });

  const item = (props: Record<string, string>) => account.create('line_items', props);
  const deal = (props: Record<string, string>, companyId: string, contactId: string, lines: { id: string }[]) =>
    account.create('deals', { hubspot_owner_id: ada.id, deal_currency_code: 'USD', ...props }, [
      to(companyId, PRIMARY_COMPANY, DEAL_TO_COMPANY),
      to(contactId, DEAL_TO_CONTACT),
      ...lines.map((l) => to(l.id, DEAL_TO_LINE_ITEM)),
    ]);

  // 1200 + 3 x 150.50 = 1651.50
  const design = deal({ dealname: 'ABC LLC - Schematic design', amount: '1651.5', dealstage: 'contractsent', closedate: '2026-12-15T00:00:00.000Z' }, abc.id, jane.id, [
    item({ name: 'Schematic Design Fee', hs_product_id: sdf.id, hs_sku: 'SDF-1', price: '1200', quantity: '1' }),
    item({ name: 'Site Visit', hs_product_id: visit.id, hs_sku: 'SV-1', price: '150.50', quantity: '3' }),
  ]);
  account.create('notes', { hs_timestamp: '2026-11-01T09:00:00.000Z', hs_note_body: 'Kick-off call done.' }, [to(design.id, NOTE_TO_DEAL)]);

  // 4 x (99.99 - 10.00) = 359.96 and 2 x 500 less 15% = 850: one per-unit and one percentage discount.
  deal({ dealname: 'Northwind - Construction documents', amount: '1209.96', dealstage: 'closedwon', closedate: '2026-11-10T00:00:00.000Z' }, northwind.id, nancy.id, [
    item({ name: 'Drafting hours', price: '99.99', quantity: '4', discount: '10' }),
    item({ name: 'Permit set', price: '500', quantity: '2', hs_discount_percentage: '15' }),
  ]);

  deal({ dealname: 'Northwind - Feasibility study', amount: '2400', dealstage: 'qualifiedtobuy' }, northwind.id, nancy.id, [
    item({ name: 'SD Fee', price: '2400', quantity: '1' }),
  ]);

  deal({ dealname: 'ABC LLC - Annual support renewal', amount: '3000', pipeline: RENEWALS_PIPELINE.id, dealstage: '1029384751' }, abc.id, jane.id, [
    item({ name: 'Annual support', price: '250', quantity: '12', hs_recurring_billing_period: 'P12M' }),
  ]);
}
