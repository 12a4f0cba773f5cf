import type { CompanySnapshot, ContactSnapshot, DealSnapshot, LineItemSnapshot } from '../../../server/src/sync/model';
import { noAddressMessage, preflight, tiedCandidates, type CustomerFact, type PreflightFacts, type QuickbooksFacts } from '../../../server/src/sync/preflight';

/**
 * Edges of preflight that the main preflight tests do not pin down (found by mutation testing): a default item QuickBooks
 * cannot use, several unmapped products or free-text lines, a product known only by its record, an inactive customer as
 * the only candidate, blank names and addresses, a customer or company without a currency, and the words for estimates.
 * Every "no problem" case compares the whole answer with `[]`: comparing only the codes would let a stray entry with no
 * code pass, since `toEqual` ignores undefined array items.
 */

function line(id: string, name: string, fields: Partial<LineItemSnapshot> = {}): LineItemSnapshot {
  return {
    id,
    name,
    description: null,
    productId: `p-${id}`,
    sku: null,
    quantity: '1',
    price: '100',
    discount: null,
    discountPercentage: null,
    amount: null,
    currency: null,
    product: { id: `p-${id}`, name, sku: null },
    ...fields,
  };
}

const company = (name: string | null): CompanySnapshot => ({ id: 'c1', name, domain: null, phone: null, address: null, city: null, state: null, zip: null, country: null });
const contact = (fields: Partial<ContactSnapshot>): ContactSnapshot => ({ id: 'k1', email: null, firstName: null, lastName: null, phone: null, ...fields });

function deal(fields: Partial<DealSnapshot> = {}): DealSnapshot {
  return {
    id: '4242',
    name: 'Permit set for 12 Elm St',
    stage: 'closedwon',
    pipeline: 'default',
    amount: '100',
    closeDate: '2026-03-31',
    currency: 'USD',
    ownerId: '77',
    properties: {},
    lineItems: [line('l1', 'Permit set')],
    company: company('ABC Holdings'),
    contact: contact({ email: 'jane@abc.example', firstName: 'Jane', lastName: 'Doe' }),
    ...fields,
  };
}

const resolved = (fields: Partial<{ currency: string | null; email: string | null }> = {}): CustomerFact => ({
  status: 'resolved',
  customer: { id: '1', displayName: 'ABC LLC', currency: 'USD', email: 'billing@abcllc.example', ...fields },
});

function qbo(overrides: Partial<QuickbooksFacts> = {}, companyPrefs: Partial<QuickbooksFacts['company']> = {}): QuickbooksFacts {
  return {
    company: { bookCloseDate: null, homeCurrency: 'USD', multicurrency: false, allowEstimates: true, ...companyPrefs },
    items: new Map([['l1', { itemId: '3' }]]),
    customer: resolved(),
    ...overrides,
  };
}

const settings = (fields: Partial<PreflightFacts['settings']> = {}): PreflightFacts['settings'] => ({
  txnDate: 'close_date',
  sendByEmail: false,
  createCustomers: true,
  allowedUserIds: null,
  ...fields,
});

/** A clean invoice request with every fact known. */
function facts(overrides: Partial<PreflightFacts> = {}): PreflightFacts {
  return {
    kind: 'invoice',
    dealId: '4242',
    hubspotInstalled: true,
    quickbooks: 'connected',
    deal: deal(),
    today: '2026-04-02',
    settings: settings(),
    actor: { userId: 'u1' },
    quickbooksFacts: qbo(),
    ...overrides,
  };
}

const unmapped = (...ids: string[]) => new Map(ids.map((id) => [id, null]));

/** What the setting-reference check says about a default item QuickBooks has made inactive. */
const inactiveDefaultItem = {
  field: 'defaultItemId',
  id: '19',
  message:
    'The QuickBooks product or service “Services” (id 19), which DealBooks settings name for the default item (defaultItemId), is inactive (deleted in QuickBooks). Choose another product or service in DealBooks settings, or make it active again in QuickBooks.',
};
const missingTerms = {
  field: 'termId',
  id: '8',
  message: 'QuickBooks has no term with id 8, which DealBooks settings name for the payment terms (termId). Choose another term in DealBooks settings.',
};

describe('preflight edges: items and settings QuickBooks cannot use', () => {
  it('When the default item is set but QuickBooks cannot use it, then unmapped lines point to that setting and the setting is its own problem', () => {
    const d = deal({ lineItems: [line('l1', 'Permit set'), line('l2', 'Custom work', { productId: null, product: null })] });
    expect(preflight(facts({ deal: d, quickbooksFacts: qbo({ items: unmapped('l1', 'l2'), unusableSettings: [inactiveDefaultItem] }) }))).toEqual([
      {
        code: 'unmapped_product',
        message:
          'No QuickBooks item matches the HubSpot product “Permit set”. Map the HubSpot product “Permit set” to a QuickBooks item in DealBooks settings, or choose a default item QuickBooks can use (the one set is not: see below).',
        subject: { lineItemId: 'l1', productId: 'p-l1', name: 'Permit set' },
      },
      {
        code: 'unmapped_product',
        message:
          'The line item “Custom work” is not a HubSpot product and no QuickBooks item matches it. Choose a default item QuickBooks can use (the one set is not: see below) in DealBooks settings, or pick a product for the line in HubSpot.',
        subject: { lineItemId: 'l2', name: 'Custom work' },
      },
      { code: 'setting_unusable', message: inactiveDefaultItem.message, subject: { field: 'defaultItemId', id: '19' } },
    ]);
  });

  it('When another setting is unusable but the default item is fine, then unmapped lines still simply ask for a default item', () => {
    const d = deal({ lineItems: [line('l1', 'Permit set'), line('l2', 'Custom work', { productId: null, product: null })] });
    expect(preflight(facts({ deal: d, quickbooksFacts: qbo({ items: unmapped('l1', 'l2'), unusableSettings: [missingTerms] }) }))).toEqual([
      {
        code: 'unmapped_product',
        message: 'No QuickBooks item matches the HubSpot product “Permit set”. Map the HubSpot product “Permit set” to a QuickBooks item in DealBooks settings, or choose a default item.',
        subject: { lineItemId: 'l1', productId: 'p-l1', name: 'Permit set' },
      },
      {
        code: 'unmapped_product',
        message: 'The line item “Custom work” is not a HubSpot product and no QuickBooks item matches it. Choose a default item in DealBooks settings, or pick a product for the line in HubSpot.',
        subject: { lineItemId: 'l2', name: 'Custom work' },
      },
      { code: 'setting_unusable', message: missingTerms.message, subject: { field: 'termId', id: '8' } },
    ]);
  });

  it('When every line has an item but settings name objects QuickBooks cannot use, then each setting is a problem of its own, in the given order', () => {
    expect(preflight(facts({ quickbooksFacts: qbo({ unusableSettings: [missingTerms, inactiveDefaultItem] }) }))).toEqual([
      { code: 'setting_unusable', message: missingTerms.message, subject: { field: 'termId', id: '8' } },
      { code: 'setting_unusable', message: inactiveDefaultItem.message, subject: { field: 'defaultItemId', id: '19' } },
    ]);
  });

  it('When several different products, or several lines that are not products, have no item, then each gets its own problem', () => {
    const d = deal({
      lineItems: [
        line('l1', 'Permit set'),
        line('l2', 'Site survey'),
        line('l3', 'Custom work', { productId: null, product: null }),
        line('l4', 'Travel', { productId: null, product: null }),
      ],
    });
    const problems = preflight(facts({ deal: d, quickbooksFacts: qbo({ items: unmapped('l1', 'l2', 'l3', 'l4') }) }));
    expect(problems.map((p) => [p.code, p.subject?.lineItemId])).toEqual([
      ['unmapped_product', 'l1'],
      ['unmapped_product', 'l2'],
      ['unmapped_product', 'l3'],
      ['unmapped_product', 'l4'],
    ]);
  });

  it('When a line names its product only by the product record, or only by the product id, then it is still a HubSpot product to map', () => {
    const d = deal({
      lineItems: [line('l1', 'Survey (line)', { productId: null, product: { id: 'p7', name: 'Site survey', sku: null } }), line('l2', 'Hours', { productId: 'p8', product: null })],
    });
    expect(preflight(facts({ deal: d, quickbooksFacts: qbo({ items: unmapped('l1', 'l2') }) }))).toEqual([
      {
        code: 'unmapped_product',
        message: 'No QuickBooks item matches the HubSpot product “Site survey”. Map the HubSpot product “Site survey” to a QuickBooks item in DealBooks settings, or choose a default item.',
        subject: { lineItemId: 'l1', productId: 'p7', name: 'Site survey' },
      },
      {
        code: 'unmapped_product',
        message: 'No QuickBooks item matches the HubSpot product “Hours”. Map the HubSpot product “Hours” to a QuickBooks item in DealBooks settings, or choose a default item.',
        subject: { lineItemId: 'l2', productId: 'p8', name: 'Hours' },
      },
    ]);
  });
});

describe('preflight edges: currencies', () => {
  it('When neither the deal nor QuickBooks names a currency, then nothing is compared, not even a customer in another currency', () => {
    const euroCustomer = resolved({ currency: 'EUR' });
    expect(preflight(facts({ deal: deal({ currency: null }), quickbooksFacts: qbo({ customer: euroCustomer }, { homeCurrency: null, multicurrency: true }) }))).toEqual([]);
  });

  it('When the customer has no currency and QuickBooks does not say its home currency, then the deal currency is not questioned', () => {
    const noCurrency = resolved({ currency: null });
    expect(preflight(facts({ deal: deal({ currency: 'EUR' }), quickbooksFacts: qbo({ customer: noCurrency }, { homeCurrency: null, multicurrency: null }) }))).toEqual([]);
  });

  it('When the customer has no currency of its own, then it is billed in the home currency and a deal in another currency is refused', () => {
    const noCurrency = resolved({ currency: null });
    expect(preflight(facts({ deal: deal({ currency: 'EUR' }), quickbooksFacts: qbo({ customer: noCurrency }, { multicurrency: true }) }))).toEqual([
      {
        code: 'currency_mismatch',
        message:
          "The deal is in EUR but the QuickBooks customer “ABC LLC” is billed in USD, and a QuickBooks customer has one currency. Change the deal's currency, or choose a EUR customer on the deal card.",
        subject: { dealCurrency: 'EUR', customerCurrency: 'USD', customerId: '1' },
      },
    ]);
  });
});

describe('preflight edges: customers', () => {
  it('When the only candidate is an inactive customer, then it asks to confirm it (making it active again) or to create a differently named one', () => {
    const customer: CustomerFact = { status: 'needs_confirmation', companyName: 'ABC Holdings', candidates: [{ displayName: 'ABC Holdings', score: 1, inactive: true }] };
    expect(preflight(facts({ quickbooksFacts: qbo({ customer }) }))).toEqual([
      {
        code: 'customer_needs_confirmation',
        message:
          "QuickBooks has an inactive customer named “ABC Holdings”. Confirm it on the deal card to make it active again and bill it, or choose to create a new customer (it would be named differently, since QuickBooks keeps the inactive customer's name).",
        subject: { companyName: 'ABC Holdings', candidates: '“ABC Holdings”', inactive: 'true' },
      },
    ]);
  });

  it('When an inactive customer is one of several candidates, then the closest matches are listed as usual', () => {
    const customer: CustomerFact = {
      status: 'needs_confirmation',
      companyName: 'ABC Holdings',
      candidates: [
        { displayName: 'ABC Holdings (old)', score: 0.9, inactive: true },
        { displayName: 'ABC LLC', score: 0.8 },
      ],
    };
    expect(preflight(facts({ quickbooksFacts: qbo({ customer }) }))[0]!.message).toBe(
      '“ABC Holdings” has no exact match among the QuickBooks customers. The closest QuickBooks customers are “ABC Holdings (old)” (90%), “ABC LLC” (80%). Confirm the right customer on the deal card, or choose to create a new one.',
    );
  });

  it('When more than three customers are close, then only the best three are named', () => {
    const customer: CustomerFact = {
      status: 'needs_confirmation',
      companyName: 'ABC Holdings',
      candidates: [
        { displayName: 'ABC LLC', score: 0.9 },
        { displayName: 'ABC Inc', score: 0.85 },
        { displayName: 'ABC Co', score: 0.8 },
        { displayName: 'ABD Ltd', score: 0.7 },
      ],
    };
    expect(preflight(facts({ quickbooksFacts: qbo({ customer }) }))[0]!.subject).toEqual({ companyName: 'ABC Holdings', candidates: '“ABC LLC” (90%), “ABC Inc” (85%), “ABC Co” (80%)' });
  });

  it('When no candidate is close, then there is no tie to choose from', () => {
    expect(tiedCandidates([])).toEqual([]);
    expect(tiedCandidates([{ id: 'a', score: 0.9 }, { id: 'b', score: 0.8 }, { id: 'c', score: 0.9 }])).toEqual([{ id: 'a', score: 0.9 }, { id: 'c', score: 0.9 }]);
  });

  it('When no customer matches, then a company name, or the contact’s first name, last name or email alone, is enough to create one from', () => {
    const noMatch = qbo({ customer: { status: 'none' } });
    const deals = [
      deal({ contact: null }),
      deal({ company: null, contact: contact({ firstName: 'Jane' }) }),
      deal({ company: null, contact: contact({ lastName: 'Doe' }) }),
      deal({ company: null, contact: contact({ email: 'jane@abc.example' }) }),
    ];
    for (const d of deals) expect(preflight(facts({ deal: d, quickbooksFacts: noMatch }))).toEqual([]);
  });

  it('When the company name and the contact’s names and email are blank or missing, then there is nothing to create a customer from', () => {
    const noMatch = qbo({ customer: { status: 'none' } });
    const deals = [
      deal({ company: company('   '), contact: null }),
      deal({ company: company(null), contact: contact({}) }),
      deal({ company: null, contact: contact({ firstName: ' ', lastName: '\t', email: '  ' }) }),
    ];
    for (const d of deals) {
      expect(preflight(facts({ deal: d, quickbooksFacts: noMatch }))).toEqual([
        {
          code: 'customer_missing',
          message: 'The deal has no associated company or contact to create a QuickBooks customer from. Associate a company (or a contact) with the deal in HubSpot, or choose a customer on the deal card.',
          subject: { dealId: '4242' },
        },
      ]);
    }
  });

  it('When no customer matches a deal without a company and creating is off, then the message speaks of "this deal"', () => {
    const f = facts({ deal: deal({ company: null }), settings: settings({ createCustomers: false }), quickbooksFacts: qbo({ customer: { status: 'none' } }) });
    expect(preflight(f)[0]!.message).toBe(
      'No QuickBooks customer matches this deal, and DealBooks settings do not allow creating customers. Choose a customer on the deal card, or turn on "Create customers" in DealBooks settings.',
    );
  });
});

describe('preflight edges: sending by email', () => {
  it('When the customer still awaits confirmation, then a missing email is not asked for yet', () => {
    const customer: CustomerFact = { status: 'needs_confirmation', companyName: 'ABC Holdings', candidates: [{ displayName: 'ABC LLC', score: 0.8 }] };
    const f = facts({ deal: deal({ contact: null }), settings: settings({ sendByEmail: true }), quickbooksFacts: qbo({ customer }) });
    expect(preflight(f).map((p) => p.code)).toStrictEqual(['customer_needs_confirmation']);
  });

  it('When the contact’s or the customer’s email is only blanks, then it counts as no address', () => {
    const send = settings({ sendByEmail: true });
    const blankContact = facts({ settings: send, deal: deal({ contact: contact({ firstName: 'Jane', email: '   ' }) }), quickbooksFacts: qbo({ customer: resolved({ email: null }) }) });
    const blankCustomer = facts({ settings: send, deal: deal({ contact: null }), quickbooksFacts: qbo({ customer: resolved({ email: ' ' }) }) });
    expect(preflight(blankContact).map((p) => p.code)).toStrictEqual(['no_bill_email']);
    expect(preflight(blankCustomer).map((p) => p.code)).toStrictEqual(['no_bill_email']);
  });

  it('When an invoice has no address to email it to, then the words name the invoice and both places an address can be added', () => {
    expect(noAddressMessage('1037')).toBe(
      "Invoice 1037 has no email address to send it to: neither the deal's contact nor the invoice in QuickBooks has one. Add an email to the deal's contact in HubSpot (or to the invoice in QuickBooks), or give the address to send it to, then press Send again.",
    );
  });
});

describe('preflight edges: who may create', () => {
  it('When the user may not create estimates, then the words speak of estimates, not invoices', () => {
    const f = facts({ kind: 'estimate', settings: settings({ allowedUserIds: ['u2'] }) });
    expect(preflight(f)).toEqual([
      {
        code: 'not_allowed',
        message: 'You are not on the list of HubSpot users who may create estimates with DealBooks. Ask a DealBooks admin to add you in DealBooks settings.',
        subject: { userId: 'u1' },
      },
    ]);
  });
});
