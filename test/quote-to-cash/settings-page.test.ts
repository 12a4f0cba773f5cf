import { dryRun } from '../../server/src/quote-to-cash/dry-run';
import { DEMO_USERS } from '../simulators/hubspot';
import { DATABASE_KIND } from '../support/harness';
import { clearFaults, fault } from './support-once';
import { createThroughCard, hubspotRecord, makeDeal, otherAccount, qboMark, qboWritesSince, useQ2C, type Q2C } from './support';

/**
 * What the settings page reads and decides through signed requests: the QuickBooks pickers (the connected company's
 * items, terms, classes, tax codes and customers), settings refused per field, product mappings with the item
 * engine's suggestion, the customer review's decisions, and the dry run of auto-invoice over the latest won deals.
 * QBO demo books: test/simulators/quickbooks/seed.ts; HubSpot demo portal: test/simulators/hubspot/crm/seed.ts.
 */
const HOURS_ITEM = '3';
const RENEWED = '1029384756';
const RENEWALS = '98765432';

async function patchPreferences(q: Q2C, patch: unknown): Promise<void> {
  const response = await fetch(`${q.world.sandbox.quickbooks.url}/_sim/quickbooks/companies/${q.realmId}/preferences`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  expect(response.status).toBe(200);
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

describe(`Settings page: QuickBooks pickers (${DATABASE_KIND})`, () => {
  const q = useQ2C();

  it('When the page opens its pickers, then they list the items, terms, classes and tax codes the QuickBooks company holds now, active ones only', async () => {
    const items = await q.qbo('Item');
    const terms = await q.qbo('Term');
    const classes = await q.qbo('Class');
    const taxCodes = await q.qbo('TaxCode');
    const answers = {
      items: await q.card('GET', '/api/quickbooks/items'),
      terms: await q.card('GET', '/api/quickbooks/terms'),
      classes: await q.card('GET', '/api/quickbooks/classes'),
      taxCodes: await q.card('GET', '/api/quickbooks/tax-codes'),
    };
    for (const answer of Object.values(answers)) expect(answer.status).toBe(200);
    expect(answers.items.body).toEqual({
      items: items
        .filter((i: any) => i.Active !== false && i.Type !== 'Category')
        .map((i: any) => ({ id: i.Id, name: i.Name, type: i.Type, sku: i.Sku ?? null, active: true }))
        .sort(byName),
    });
    expect(answers.items.body.items.length).toBeGreaterThanOrEqual(4);
    expect(answers.terms.body).toEqual({ terms: terms.filter((t: any) => t.Active !== false).map((t: any) => ({ id: t.Id, name: t.Name, dueDays: t.DueDays ?? null })).sort(byName) });
    expect(answers.terms.body.terms).toContainEqual({ id: expect.any(String), name: 'Net 30', dueDays: 30 });
    expect(answers.classes.body).toEqual({
      classes: classes.filter((c: any) => c.Active !== false).map((c: any) => ({ id: c.Id, name: c.Name, fullyQualifiedName: c.FullyQualifiedName ?? c.Name })).sort(byName),
    });
    expect(answers.classes.body.classes.map((c: any) => c.name)).toEqual(expect.arrayContaining(['Consulting', 'Design']));
    expect(answers.taxCodes.body).toEqual({
      taxCodes: taxCodes.filter((t: any) => t.Active !== false).map((t: any) => ({ id: t.Id, name: t.Name, taxable: t.Taxable === true })).sort(byName),
    });
    expect(answers.taxCodes.body.taxCodes).toContainEqual({ id: 'NON', name: 'NON', taxable: false });
  });

  it('When the page searches customers, then it gets at most 50 whose display name contains the text, any case, active ones first', async () => {
    for (let i = 1; i <= 52; i++) {
      await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Customer`, { DisplayName: `Picker Client ${String(i).padStart(2, '0')}`, Active: true, Job: false });
    }
    await q.world.clock.advance(61_000);
    const all = await q.card('GET', '/api/quickbooks/customers?search=PICKER%20client');
    expect(all.status).toBe(200);
    expect(all.body.customers).toHaveLength(50);
    expect(all.body.customers[0]).toEqual({ id: expect.any(String), displayName: 'Picker Client 01', email: null, active: true });
    const one = await q.card('GET', '/api/quickbooks/customers?search=ABC%20inc');
    expect(one.body.customers).toEqual([{ id: '3', displayName: 'ABC Inc', email: 'accounts@abcinc.example', active: true }]);
    const inactive = await q.card('GET', '/api/quickbooks/customers?search=old%20mill');
    expect(inactive.body.customers).toEqual([expect.objectContaining({ displayName: 'Old Mill Bakery', active: false })]);
  });

  it('When QuickBooks takes too long to list the customers, then the customer picker answers inside hubspot.fetch’s 15 s with 503 in words, and answers from the list once it has loaded', async () => {
    await q.world.clock.advance(61_000);
    await fault(q, 'quickbooks', { path: '/v3/company/', kind: 'hang', times: 1000 });
    let slow: Awaited<ReturnType<Q2C['card']>>;
    const started = performance.now();
    try {
      slow = await q.card('GET', '/api/quickbooks/customers?search=abc');
    } finally {
      await clearFaults(q, 'quickbooks');
    }
    const elapsed = performance.now() - started;
    expect([slow.status, slow.body.error?.code]).toEqual([503, 'quickbooks_slow']);
    expect(slow.body.error.message).toBe('Listing the QuickBooks customers is taking longer than 5 s (QuickBooks or HubSpot is slow). Try again in a minute.');
    // HubSpot asks a second time after a 5xx (the simulator does as HubSpot does); both waits fit in its 15 s.
    expect(elapsed).toBeGreaterThanOrEqual(4_500);
    expect(elapsed).toBeLessThan(15_000);
    await q.world.clock.advance(1000);
    const again = await q.card('GET', '/api/quickbooks/customers?search=ABC%20inc');
    expect(again.status).toBe(200);
    expect(again.body.customers).toEqual([expect.objectContaining({ id: '3', displayName: 'ABC Inc' })]);
  });

  it('When class tracking is off in QuickBooks, then the class picker is empty and says so in words', async () => {
    await patchPreferences(q, { AccountingInfoPrefs: { ClassTrackingPerTxn: false, ClassTrackingPerTxnLine: false } });
    await q.world.clock.advance(61_000);
    const off = await q.card('GET', '/api/quickbooks/classes');
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ classes: [], message: expect.stringMatching(/^Class tracking is off in QuickBooks/) });
    await patchPreferences(q, { AccountingInfoPrefs: { ClassTrackingPerTxnLine: true } });
  });

  it('When QuickBooks is not connected, then every picker answers 409 with the words to connect it', async () => {
    const other = await otherAccount(q, 62_515_431);
    for (const path of ['/api/quickbooks/items', '/api/quickbooks/terms', '/api/quickbooks/classes', '/api/quickbooks/tax-codes', '/api/quickbooks/customers?search=a']) {
      const answer = await other.card('GET', path);
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, 409, 'quickbooks_not_connected']);
      expect(answer.body.error.message).toMatch(/Connect QuickBooks/);
    }
  });
});

describe(`Settings page: invalid settings are named field by field (${DATABASE_KIND})`, () => {
  const q = useQ2C();

  it('When a save has several invalid values, then it is refused with 422 naming every field at once, and nothing is stored', async () => {
    const { body: before } = await q.card('GET', '/api/settings');
    const put = await q.card('PUT', '/api/settings', {
      settings: { ...before.settings, customers: { ...before.settings.customers, matchThreshold: 2 }, overdueTasks: { enabled: true, thresholds: [1, 0, 400] }, delivery: 'fax', memoTemplate: '{{nope}}' },
      version: before.version,
    });
    expect(put.status).toBe(422);
    expect(put.body.error.code).toBe('validation_failed');
    expect(put.body.error.details.fields).toEqual({
      'customers.matchThreshold': expect.any(String),
      'overdueTasks.thresholds.1': expect.stringMatching(/^expected 1 or more days overdue/),
      'overdueTasks.thresholds.2': 'expected at most 365 days overdue',
      delivery: expect.any(String),
      memoTemplate: expect.stringMatching(/unknown placeholder \{\{nope\}\}/),
    });
    expect(put.body.error.details.issues).toHaveLength(5);
    const patch = await q.card('PATCH', '/api/settings', { settings: { termId: '99', classId: 'not an id!' }, version: before.version });
    expect(patch.status).toBe(422);
    expect(patch.body.error.details.fields).toEqual({ classId: 'expected a QuickBooks id' });
    const missing = await q.card('PATCH', '/api/settings', { settings: { termId: '99', classId: '77' }, version: before.version });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details.fields).toEqual({ termId: expect.stringMatching(/^QuickBooks has no term with id 99/), classId: expect.stringMatching(/^QuickBooks has no class with id 77/) });
    expect((await q.card('GET', '/api/settings')).body).toMatchObject({ version: before.version, settings: before.settings });
  });
});

describe(`Settings page: product mappings with suggestions (${DATABASE_KIND})`, () => {
  let skuItem: string;
  const q = useQ2C();
  beforeAll(async () => {
    const created = await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Item`, {
      Name: 'Laser Scan Package',
      FullyQualifiedName: 'Laser Scan Package',
      Sku: 'LSP-9',
      Type: 'Service',
      Active: true,
      Taxable: false,
      UnitPrice: 800,
      IncomeAccountRef: { value: '1', name: 'Services' },
    });
    skuItem = String(created.Id);
  });

  it('When products are not mapped, then each is listed with the item the engine would use (by SKU, else by name) as a suggestion, accepting it maps the product, and another item can be chosen instead', async () => {
    const bySku = await q.create('products', { name: 'Point cloud capture', hs_sku: 'lsp-9', price: '800' });
    const byName = await q.create('products', { name: 'hours.', price: '150' });
    const none = await q.create('products', { name: 'Unmatched gadget', price: '5' });
    const listed = await q.card('GET', '/api/mappings/products');
    expect(listed.status).toBe(200);
    const entry = (id: string) => listed.body.mappings.find((m: any) => m.productId === id);
    expect(entry(bySku.id)).toEqual({
      productId: bySku.id,
      productName: 'Point cloud capture',
      sku: 'lsp-9',
      itemId: null,
      itemName: null,
      method: null,
      updatedAt: null,
      suggestion: { itemId: skuItem, itemName: 'Laser Scan Package', reason: 'sku', score: 1 },
    });
    expect(entry(byName.id).suggestion).toEqual({ itemId: HOURS_ITEM, itemName: 'Hours', reason: 'name', score: 1 });
    expect(entry(none.id)).toMatchObject({ itemId: null, suggestion: null });
    // The demo portal's own products are listed too.
    expect(listed.body.mappings.map((m: any) => m.productName)).toEqual(expect.arrayContaining(['Schematic Design Fee', 'Site Visit']));

    // Accept: PUT the suggested item. Override: PUT another.
    expect((await q.card('PUT', `/api/mappings/products/${bySku.id}`, { itemId: skuItem })).status).toBe(200);
    expect((await q.card('PUT', `/api/mappings/products/${byName.id}`, { itemId: '4' })).status).toBe(200);
    const after = await q.card('GET', '/api/mappings/products');
    const mapped = (id: string) => after.body.mappings.find((m: any) => m.productId === id);
    expect(mapped(bySku.id)).toMatchObject({ itemId: skuItem, itemName: 'Laser Scan Package', method: 'manual', suggestion: null, updatedAt: expect.any(String) });
    expect(mapped(byName.id)).toMatchObject({ itemId: '4', itemName: 'Printed Plans', method: 'manual', suggestion: null });
    expect(after.body).toMatchObject({ truncated: false, message: null });
  });

  it('When HubSpot or QuickBooks cannot be read, then the stored mappings are still answered (200) without suggestions, and a message says why', async () => {
    const kept = await q.create('products', { name: 'Kept mapping', price: '20' });
    const loose = await q.create('products', { name: 'hours', price: '150' });
    expect((await q.card('PUT', `/api/mappings/products/${kept.id}`, { itemId: '4' })).status).toBe(200);

    await fault(q, 'hubspot', { path: '/crm/v3/objects/products', status: 503, times: 1000 });
    try {
      const answer = await q.card('GET', '/api/mappings/products');
      expect(answer.status).toBe(200);
      expect(answer.body.message).toBe('HubSpot could not be read just now, so only the products already mapped are listed. Reload in a minute.');
      expect(answer.body.mappings).toContainEqual(expect.objectContaining({ productId: kept.id, productName: null, itemId: '4', itemName: 'Printed Plans', suggestion: null }));
      expect(answer.body.mappings.find((m: any) => m.productId === loose.id)).toBeUndefined();
    } finally {
      await clearFaults(q, 'hubspot');
      await q.world.clock.advance(1000);
    }

    // The QuickBooks items are read again (the cached list is older than its minute), and QuickBooks fails.
    await q.world.clock.advance(61_000);
    await fault(q, 'quickbooks', { path: '/v3/company/', status: 500, times: 1000 });
    try {
      const answer = await q.card('GET', '/api/mappings/products');
      expect(answer.status).toBe(200);
      expect(answer.body.message).toBe('QuickBooks could not be read just now, so there are no suggestions. Reload in a minute.');
      expect(answer.body.mappings.find((m: any) => m.productId === loose.id)).toMatchObject({ productName: 'hours', itemId: null, suggestion: null });
      expect(answer.body.mappings.find((m: any) => m.productId === kept.id)).toMatchObject({ itemId: '4', itemName: 'Printed Plans' });
    } finally {
      await clearFaults(q, 'quickbooks');
      await q.world.clock.advance(1000);
    }
    const healthy = await q.card('GET', '/api/mappings/products');
    expect(healthy.body.message).toBe(null);
    expect(healthy.body.mappings.find((m: any) => m.productId === loose.id).suggestion).toMatchObject({ itemId: HOURS_ITEM, reason: 'name' });
  });

  it('When the product library holds more products than the list takes, then the list says it is truncated', async () => {
    const all = await q.world.ctx.quoteToCash.deals.listProducts(q.portalId);
    expect(all.truncated).toBe(false);
    const count = all.products.length;
    expect(count).toBeGreaterThan(1);
    expect(await q.world.ctx.quoteToCash.deals.listProducts(q.portalId, count)).toMatchObject({ truncated: false, products: all.products });
    const capped = await q.world.ctx.quoteToCash.deals.listProducts(q.portalId, count - 1);
    expect(capped).toEqual({ truncated: true, products: all.products.slice(0, count - 1) });
  });
});

/** Adds a customer straight into the QBO books, as if finance had typed it in QuickBooks. */
async function qboCustomer(q: Q2C, displayName: string): Promise<string> {
  const created = await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Customer`, { DisplayName: displayName, CompanyName: displayName, Active: true, Job: false, CurrencyRef: { value: 'USD' } });
  return String(created.Id);
}

describe(`Settings page: customer review decisions (${DATABASE_KIND})`, () => {
  const q = useQ2C({ settings: { defaultItemId: HOURS_ITEM } });

  /** A deal whose company resembles three QBO customers equally ("ABC LLC", "ABC, LLC", "ABC Inc"): it waits for a person. */
  async function waitingDeal(name: string, company = 'abc llc.'): Promise<string> {
    const { dealId } = await makeDeal(q, { name, company, lines: [{ name: 'Consulting', price: '120', quantity: '2' }] });
    expect((await createThroughCard(q, dealId)).documents).toEqual([]);
    return dealId;
  }

  const reviewOf = async (dealId: string) => (await q.card('GET', '/api/customers/review')).body.review.find((r: any) => r.dealId === dealId);

  it('When an admin rejects a candidate, then the deal stays on the review list without it, even after its work runs again; accepting another bills the deal to it', async () => {
    const dealId = await waitingDeal('Review reject then accept');
    expect((await reviewOf(dealId)).candidates.map((c: any) => c.id).sort()).toEqual(['1', '2', '3']);

    const rejected = await q.card('POST', `/api/customers/review/${dealId}`, { reject: '1' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toEqual({ decision: 'rejected', review: expect.objectContaining({ dealId, message: null }) });
    expect(rejected.body.review.candidates.map((c: any) => c.id).sort()).toEqual(['2', '3']);
    expect((await reviewOf(dealId)).candidates.map((c: any) => c.id).sort()).toEqual(['2', '3']);

    // The deal's work runs again (a press on the card): customer 1 is not proposed again.
    await createThroughCard(q, dealId);
    expect((await reviewOf(dealId)).candidates.map((c: any) => c.id).sort()).toEqual(['2', '3']);
    expect((await q.card('GET', `/api/deals/${dealId}/summary`)).body.customer.candidates.map((c: any) => c.id).sort()).toEqual(['2', '3']);
    const again = await q.card('POST', `/api/customers/review/${dealId}`, { accept: '1' });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('not_a_candidate');
    const notSuggested = 'not one of the deal’s suggested customers';
    expect(again.body.error.details).toEqual({ fields: { accept: notSuggested }, issues: [{ path: 'accept', message: notSuggested }] });

    const accepted = await q.card('POST', `/api/customers/review/${dealId}`, { accept: '2' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ decision: 'accepted', customer: expect.objectContaining({ state: 'linked', id: '2' }), requeuedActionId: expect.any(Number) });
    await q.drain();
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.invoices).toHaveLength(1);
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: '2' });
    expect(await reviewOf(dealId)).toBeUndefined();
  });

  it('When two candidates are rejected at the same moment, then both are gone and both stay rejected', async () => {
    const dealId = await waitingDeal('Review two rejections');
    const [one, two] = await Promise.all([q.card('POST', `/api/customers/review/${dealId}`, { reject: '1' }), q.card('POST', `/api/customers/review/${dealId}`, { reject: '2' })]);
    expect([one!.status, two!.status]).toEqual([200, 200]);
    expect((await reviewOf(dealId)).candidates.map((c: any) => c.id)).toEqual(['3']);
    await createThroughCard(q, dealId);
    expect((await reviewOf(dealId)).candidates.map((c: any) => c.id)).toEqual(['3']);
  });

  it('When every candidate is rejected, then the entry says no match is left; creating a new customer then bills the deal to a new QuickBooks customer', async () => {
    const solo = await qboCustomer(q, 'Quillfeather Surveyors');
    const dealId = await waitingDeal('Review create', 'Quillfeather Surveying');
    expect((await reviewOf(dealId)).candidates.map((c: any) => c.id)).toEqual([solo]);
    const rejected = await q.card('POST', `/api/customers/review/${dealId}`, { reject: solo });
    expect(rejected.body.review).toMatchObject({ candidates: [], message: 'No match left: choose a QuickBooks customer or create a new one.' });
    expect(await reviewOf(dealId)).toMatchObject({ candidates: [], message: expect.stringMatching(/^No match left/) });

    const customersBefore = (await q.qbo('Customer')).length;
    const created = await q.card('POST', `/api/customers/review/${dealId}`, { create: true });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ decision: 'created', customer: { state: 'will_create' }, requeuedActionId: expect.any(Number) });
    await q.drain();
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.invoices).toHaveLength(1);
    expect(summary.body.customer).toMatchObject({ state: 'linked', displayName: 'Quillfeather Surveying' });
    expect((await q.qbo('Customer')).length).toBe(customersBefore + 1);
    expect(await reviewOf(dealId)).toBeUndefined();
  });

  it('When an admin chooses a customer that was not suggested, then the deal is billed to it; a decision on a deal that waits for none is refused', async () => {
    const dealId = await waitingDeal('Review choose');
    const chosen = await q.card('POST', `/api/customers/review/${dealId}`, { choose: '3' });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({ decision: 'chosen', customer: { state: 'linked', id: '3' } });
    await q.drain();
    expect((await q.card('GET', `/api/deals/${dealId}/summary`)).body.invoices).toHaveLength(1);
    const late = await q.card('POST', `/api/customers/review/${dealId}`, { reject: '1' });
    expect(late.status).toBe(409);
    // Choosing or creating on a deal already billed to a customer is refused too, and the customer stays.
    for (const decision of [{ choose: '2' }, { create: true }]) {
      const refused = await q.card('POST', `/api/customers/review/${dealId}`, decision);
      expect([refused.status, refused.body.error?.message]).toEqual([409, `Deal ${dealId} is not waiting for a customer decision (it may have been decided already). Reload the review list.`]);
    }
    expect((await q.card('GET', `/api/deals/${dealId}/summary`)).body.customer).toMatchObject({ state: 'linked', id: '3' });
    const stored = await q.world.ctx.pool.query(`SELECT status, qbo_entity_id FROM entity_links WHERE portal_id = $1 AND hubspot_object_type = 'deal' AND hubspot_object_id = $2 AND qbo_entity_type = 'Customer'`, [q.portalId, dealId]);
    expect(stored.rows).toEqual([{ status: 'linked', qbo_entity_id: '3' }]);
    const bad = await q.card('POST', `/api/customers/review/${dealId}`, { accept: '1', reject: '2' });
    expect(bad.status).toBe(400);
  });
});

describe(`Settings page: QuickBooks ids are read by one rule (${DATABASE_KIND})`, () => {
  const q = useQ2C();

  it('When a QuickBooks id has characters no QuickBooks id has, then the card, the review list and the product mapping refuse it alike', async () => {
    const { dealId } = await makeDeal(q, { name: 'Id rule deal', lines: [{ name: 'Widget', price: '10' }] });
    const answers = [
      await q.card('POST', `/api/deals/${dealId}/customer`, { customerId: '1/2' }),
      await q.card('POST', `/api/customers/review/${dealId}`, { choose: '1/2' }),
      await q.card('PUT', '/api/mappings/products/123', { itemId: '1/2' }),
    ];
    const said = answers.map((a) => [a.status, JSON.stringify(a.body.error.details).includes('expected a QuickBooks id')]);
    expect(said).toEqual([[400, true], [400, true], [400, true]]);
  });
});

describe(`Settings page: who decides a deal's customer (${DATABASE_KIND})`, () => {
  const q = useQ2C({ settings: { defaultItemId: HOURS_ITEM } });
  // Ada installed DealBooks (its admin); Grace is a colleague who is not an admin (test/simulators/hubspot/crm/seed.ts).
  const ADA = DEMO_USERS.ada.userId;
  const GRACE = DEMO_USERS.grace.userId;

  it('When only listed users may create documents, then someone else (even an admin) gets 403 in words on the card and on the review list, and a listed user who is not an admin decides on both', async () => {
    const waiting = async (name: string) => {
      const { dealId } = await makeDeal(q, { name, company: 'abc llc.', lines: [{ name: 'Consulting', price: '120', quantity: '2' }] });
      expect((await createThroughCard(q, dealId)).documents).toEqual([]);
      return dealId;
    };
    const onCard = await waiting('Decider on card');
    const onList = await waiting('Decider on review list');
    expect((await q.card('GET', '/api/settings', undefined, GRACE)).body.access.isAdmin).toBe(false);
    await q.settings({ creators: [String(GRACE)] });
    try {
      // The settings page learns from DealBooks who may decide, to offer the review list's buttons to them only.
      expect((await q.card('GET', '/api/settings', undefined, ADA)).body.access).toMatchObject({ isAdmin: true, mayCreate: false });
      expect((await q.card('GET', '/api/settings', undefined, GRACE)).body.access).toMatchObject({ isAdmin: false, mayCreate: true });
      const refusals = [
        await q.card('POST', `/api/deals/${onCard}/customer`, { customerId: '3' }, ADA),
        await q.card('POST', `/api/customers/review/${onList}`, { choose: '3' }, ADA),
        await q.card('POST', `/api/customers/review/${onList}`, { reject: '1' }, ADA),
      ];
      for (const refused of refusals) {
        expect([refused.status, refused.body.error?.code]).toEqual([403, 'forbidden']);
        expect(refused.body.error.message).toBe(
          'Your DealBooks settings allow only some users to create invoices and estimates, and deciding which QuickBooks customer a deal is billed to is part of that. Ask a DealBooks admin to add you.',
        );
      }
      const review = (await q.card('GET', '/api/customers/review')).body.review;
      expect(review.find((r: any) => r.dealId === onList).candidates.map((c: any) => c.id).sort()).toEqual(['1', '2', '3']);
      expect(review.find((r: any) => r.dealId === onCard)).toBeDefined();

      const onCardDecided = await q.card('POST', `/api/deals/${onCard}/customer`, { customerId: '3' }, GRACE);
      expect(onCardDecided.status).toBe(200);
      expect(onCardDecided.body.customer).toMatchObject({ state: 'linked', id: '3' });
      const rejected = await q.card('POST', `/api/customers/review/${onList}`, { reject: '1' }, GRACE);
      expect(rejected.status).toBe(200);
      const onListDecided = await q.card('POST', `/api/customers/review/${onList}`, { accept: '2' }, GRACE);
      expect(onListDecided.status).toBe(200);
      expect(onListDecided.body).toMatchObject({ decision: 'accepted', customer: { state: 'linked', id: '2' } });
    } finally {
      await q.settings({ creators: 'everyone' });
    }
  });
});

describe(`Settings page: dry run of auto-invoice (${DATABASE_KIND})`, () => {
  const q = useQ2C({ settings: { defaultItemId: HOURS_ITEM } });

  it('When finance asks for a dry run, then it lists the 20 won deals with the latest close dates, newest first, each with the document auto-invoice would make or its problems, and nothing is written anywhere', async () => {
    const made: Array<{ dealId: string; day: number }> = [];
    for (let day = 1; day <= 22; day++) {
      const d = String(day).padStart(2, '0');
      const won = await makeDeal(q, {
        name: `Dry run ${d}`,
        stage: day === 21 ? undefined : 'closedwon',
        pipeline: day === 20 ? '98765432' : undefined,
        properties: { amount: `${day}00.50`, ...(day === 20 ? { dealstage: RENEWED } : {}) },
        closeDate: `2027-01-${d}T00:00:00.000Z`,
        lines: day === 19 ? [{ name: 'Unpriced', quantity: '1' }] : [{ name: 'Consulting', price: `${day}00.50`, quantity: '1' }],
      });
      made.push({ dealId: won.dealId, day });
    }
    const listed = async () => JSON.stringify(await Promise.all(made.map((m) => hubspotRecord(q, 'deals', m.dealId))));
    const hubspotBefore = await listed();
    const counts = async () => Promise.all(['Invoice', 'Estimate', 'Customer', 'Item'].map(async (e) => (await q.qbo(e)).length));
    const qboBefore = await counts();
    const mark = await qboMark(q);
    const rowsBefore = await rowCounts(q);
    const hubspotWritesBefore = await hubspotWrites(q);
    // The offset DealBooks last noted differs from the company's: a preview reads the company's but does not note it.
    await q.world.ctx.pool.query('UPDATE qbo_connections SET utc_offset_minutes = 123 WHERE portal_id = $1', [q.portalId]);
    // An install's and the deals' calls happened long before: HubSpot's ten-second window has passed.
    await q.world.clock.advance(10_000);

    const answer = await q.card('GET', '/api/dry-run');
    expect(answer.status).toBe(200);
    // Day 21 is not won; day 20 is won in the Renewals pipeline; 22..1 newest first, 20 of them.
    const expectedDays = [22, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    expect(answer.body.deals.map((d: any) => d.dealName)).toEqual(expectedDays.map((day) => `Dry run ${String(day).padStart(2, '0')}`));
    const first = answer.body.deals[0];
    expect(first).toEqual({ dealId: made[21]!.dealId, dealName: 'Dry run 22', closeDate: expect.stringMatching(/^2027-01-22/), amount: '2200.5', document: expect.any(Object), already: null, problems: [] });
    const preview = await q.card('GET', `/api/deals/${first.dealId}/preview`);
    expect(first.document).toEqual(preview.body.document);
    const unpriced = answer.body.deals.find((d: any) => d.dealName === 'Dry run 19');
    expect(unpriced.problems.map((p: any) => p.code)).toContain('line_without_price');

    expect(await qboWritesSince(q, mark)).toEqual([]);
    expect(await counts()).toEqual(qboBefore);
    expect(await listed()).toBe(hubspotBefore);
    expect((await q.card('GET', '/api/sync-log')).body.entries.filter((e: any) => made.some((m) => m.dealId === e.dealId))).toEqual([]);
    expect(await rowCounts(q)).toEqual(rowsBefore);
    expect(await hubspotWrites(q)).toBe(hubspotWritesBefore);
    expect((await q.world.ctx.pool.query('SELECT utc_offset_minutes FROM qbo_connections WHERE portal_id = $1', [q.portalId])).rows).toEqual([{ utc_offset_minutes: 123 }]);
  });

  it('When finance set its own trigger stages, then the dry run lists the deals in them, pipeline by pipeline, as auto-invoice would; a deal already invoiced is listed with its invoice instead of a preview', async () => {
    const quoteSent = '1029384751';
    const spec = (name: string, day: string, pipeline: string | undefined, stage: string) => ({
      name,
      pipeline,
      properties: { dealstage: stage },
      closeDate: `2027-03-${day}T00:00:00.000Z`,
      lines: [{ name: 'Consulting', price: '100', quantity: '1' }],
    });
    const invoiced = (await makeDeal(q, { ...spec('Trigger invoiced', '05', undefined, 'contractsent'), company: 'Trigger Invoiced Co' })).dealId;
    const [invoice] = (await createThroughCard(q, invoiced)).documents;
    expect(invoice).toBeDefined();
    await q.edit('deals', invoiced, { dealstage: 'closedwon' });
    const quoted = (await makeDeal(q, spec('Trigger quote sent', '04', RENEWALS, quoteSent))).dealId;
    await makeDeal(q, spec('Trigger renewed', '03', RENEWALS, RENEWED));
    const won = (await makeDeal(q, spec('Trigger won', '02', undefined, 'closedwon'))).dealId;
    await q.settings({ triggerStages: { [RENEWALS]: [quoteSent] } });
    try {
      await q.world.clock.advance(10_000);
      const answer = await q.card('GET', '/api/dry-run');
      expect(answer.status).toBe(200);
      const top = answer.body.deals.slice(0, 3);
      // Renewed is won but no longer a trigger stage of Renewals; Quote sent is; the Sales Pipeline keeps its won stage.
      expect(top.map((d: any) => d.dealId)).toEqual([invoiced, quoted, won]);
      expect(answer.body.deals.map((d: any) => d.dealName)).not.toContain('Trigger renewed');
      expect(top[0]).toMatchObject({ document: null, problems: [], already: { kind: 'invoice', id: invoice.Id, docNumber: invoice.DocNumber, message: expect.stringMatching(/already has its invoice .* auto-invoice would not make another/) } });
      expect(top[1]).toMatchObject({ already: null, document: expect.any(Object), problems: [] });
      expect(top[2]).toMatchObject({ already: null, document: expect.any(Object), problems: [] });
    } finally {
      await q.settings({ triggerStages: {} });
    }
  });

  it('When QuickBooks hangs, then the dry run still answers by its deadline, listing every deal it could not read with words to run it again', async () => {
    // The cached QuickBooks lists are older than their minute: each preview reads QuickBooks, which now hangs.
    await q.world.clock.advance(61_000);
    await fault(q, 'quickbooks', { path: '/v3/company/', kind: 'hang', times: 1000 });
    const started = performance.now();
    let answer: Awaited<ReturnType<typeof dryRun>>;
    try {
      answer = await dryRun(q.world.ctx.quoteToCash, { portalId: q.portalId }, { budgetMs: 1_500 });
    } finally {
      await clearFaults(q, 'quickbooks');
    }
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(answer.deals).toHaveLength(20);
    const unread = answer.deals.filter((d) => d.already === null);
    expect(unread.length).toBeGreaterThan(0);
    for (const deal of unread) {
      expect({ document: deal.document, problems: deal.problems }).toEqual({
        document: null,
        problems: [{ code: 'temporarily_failed', message: 'Not read in time: HubSpot or QuickBooks answered slowly. Run the dry run again.' }],
      });
    }
  });

  it('When a second dry run is asked while one runs for the account, then it is refused with 429 in words and Retry-After', async () => {
    await q.world.clock.advance(10_000);
    const [one, two] = await Promise.all([q.card('GET', '/api/dry-run'), q.card('GET', '/api/dry-run')]);
    const statuses = [one!.status, two!.status].sort();
    expect(statuses).toEqual([200, 429]);
    const refused = one!.status === 429 ? one! : two!;
    expect(refused.body.error).toEqual({ code: 'rate_limited', message: 'A dry run for this account is already running. Wait for it to finish, then run it again.' });
    expect(refused.headers['retry-after']).toBe('12');
  });
});

/** Rows of the tables a run of DealBooks' work writes to. */
async function rowCounts(q: Q2C): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['entity_links', 'deal_actions', 'sync_log', 'qbo_documents']) {
    counts[table] = Number((await q.world.ctx.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  }
  return counts;
}

/** Calls to HubSpot that change something (searches and batch reads are POSTs that only read). */
async function hubspotWrites(q: Q2C): Promise<number> {
  const { requests } = await q.world.control('hubspot', '/requests');
  return requests.filter((r: any) => r.method !== 'GET' && !/\/search$|\/batch\/read$/.test(String(r.path))).length;
}
