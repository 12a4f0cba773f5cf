import { createThroughCard, makeDeal, qboCustomersNamed, qboMark, qboRecord, useQ2C, type DealSpec, type Q2C } from './support';

/**
 * Which QBO customer a deal is billed to, in a fixed order (an existing link, the contact's email,
 * an exact normalised name, fuzzy candidates a person confirms, else a new customer), driven the way a rep does it:
 * "Create invoice" on the card, the queued work runs, then QBO's books and the card's summary are looked at.
 * QBO demo books (test/simulators/quickbooks/seed.ts): customers 1 "ABC LLC" (billing@abcllc.example), 2 "ABC, LLC"
 * (ap@abc-llc.example), 3 "ABC Inc", 4 "Old Mill Bakery" (inactive); vendor "Northwind Traders". An inactive customer
 * with the company's exact name is asked about (settings.inactiveCustomer), never silently duplicated.
 */

const HOURS_ITEM = '3';
const DEFAULT_CUSTOMER_OPTIONS = { createWhenNoMatch: true, matchThreshold: 0.8, projectPerDeal: false };

/** A deal as a rep sets it up: a company, optionally a contact, one line item (sold as the default item). */
const customerDeal = (q: Q2C, spec: Omit<DealSpec, 'lines'>) => makeDeal(q, { ...spec, lines: [{ name: 'Consulting', price: '120', quantity: '2' }] });

/** Adds a customer straight into the QBO books, as if finance had typed it in QuickBooks. */
async function qboCustomer(q: Q2C, displayName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Customer`, {
    DisplayName: displayName,
    CompanyName: displayName,
    Active: true,
    Job: false,
    CurrencyRef: { value: 'USD' },
    ...extra,
  });
  return String(created.Id);
}

/** Presses "Create invoice" and runs the queued work; returns the deal's QBO invoices afterwards. */
const invoiceDeal = async (q: Q2C, dealId: string): Promise<any[]> => (await createThroughCard(q, dealId)).documents;

describe('Customer resolution: an existing QuickBooks customer is found', () => {
  let brightwater: string;
  const q = useQ2C({ settings: { defaultItemId: HOURS_ITEM } });
  beforeAll(async () => {
    brightwater = await qboCustomer(q, 'Brightwater & Sons Design, LLC');
  });

  it("When the contact's email is a QuickBooks customer's email, then the invoice goes to that customer whatever the company is called", async () => {
    const customersBefore = (await q.qbo('Customer')).length;
    const { dealId } = await customerDeal(q, { name: 'Sable Peak fit-out', company: 'Sable Peak Studio', contacts: [{ firstname: 'Ann', lastname: 'Payable', email: 'ap@abc-llc.example' }] });
    const invoices = await invoiceDeal(q, dealId);
    expect(invoices).toHaveLength(1);
    expect(invoices[0].CustomerRef.value).toBe('2');
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: '2', displayName: 'ABC, LLC', method: 'email' });
    expect((await q.qbo('Customer')).length).toBe(customersBefore);
  });

  it('When the company name differs from a QuickBooks customer only in case, punctuation, "&"/"and" and legal suffix, then that customer is matched and nothing is created', async () => {
    for (const name of ['brightwater and sons design inc.', 'BRIGHTWATER & SONS DESIGN', 'Brightwater and Sons Design Corp']) {
      const { dealId } = await customerDeal(q, { name: `${name} deal`, company: name });
      const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
      expect(preview.body.customer).toMatchObject({ state: 'matched', id: brightwater, method: 'name' });
    }
    const customersBefore = (await q.qbo('Customer')).length;
    const { dealId } = await customerDeal(q, { name: 'Brightwater studio', company: 'Brightwater and Sons Design, Ltd.' });
    const invoices = await invoiceDeal(q, dealId);
    expect(invoices.map((i) => i.CustomerRef.value)).toEqual([brightwater]);
    expect((await q.qbo('Customer')).length).toBe(customersBefore);
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: brightwater, method: 'name', confidence: 1 });
  });

  it('When several QuickBooks customers normalise to the company name ("ABC LLC", "ABC, LLC", "ABC Inc"), then the one spelled exactly like the company wins', async () => {
    const commaLlc = await customerDeal(q, { name: 'ABC comma deal', company: 'ABC, LLC' });
    const inc = await customerDeal(q, { name: 'ABC Inc deal', company: 'ABC Inc' });
    const lowerCase = await customerDeal(q, { name: 'abc llc deal', company: 'abc llc' });
    expect((await invoiceDeal(q, commaLlc.dealId)).map((i) => i.CustomerRef.value)).toEqual(['2']);
    expect((await invoiceDeal(q, inc.dealId)).map((i) => i.CustomerRef.value)).toEqual(['3']);
    expect((await invoiceDeal(q, lowerCase.dealId)).map((i) => i.CustomerRef.value)).toEqual(['1']);
    expect(await qboCustomersNamed(q, /^abc/i)).toHaveLength(3);
  });

  it('When several QuickBooks customers normalise to the company name and none is spelled exactly like it, then nothing is written and the card asks which one', async () => {
    const { dealId } = await customerDeal(q, { name: 'abc llc. deal', company: 'abc llc.' });
    const invoicesBefore = (await q.qbo('Invoice')).length;
    expect(await invoiceDeal(q, dealId)).toEqual([]);
    expect((await q.qbo('Invoice')).length).toBe(invoicesBefore);
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.customer.state).toBe('needs_confirmation');
    expect(summary.body.customer.candidates.map((c: any) => c.id).sort()).toEqual(['1', '2', '3']);
    expect(summary.body.allowedActions).toContain('confirm_customer');
    expect(summary.body.problems).toEqual([expect.objectContaining({ code: 'customer_needs_confirmation', message: expect.stringMatching(/^3 QuickBooks customers match “abc llc\.” equally well: .*choose the right customer on the deal card/) })]);
    expect(await qboCustomersNamed(q, /^abc/i)).toHaveLength(3);
  });

  it('When the company is already linked to a QuickBooks customer, then its next deal goes to that customer even if the contact’s email belongs to another', async () => {
    const first = await customerDeal(q, { name: 'Linden Row phase 1', company: 'Linden Row Partners' });
    const confirmed = await q.card('POST', `/api/deals/${first.dealId}/customer`, { customerId: '3' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.customer).toMatchObject({ state: 'linked', id: '3' });
    expect((await invoiceDeal(q, first.dealId)).map((i) => i.CustomerRef.value)).toEqual(['3']);

    // Customer 1 ("ABC LLC") has this email: without the link, the email rule would pick it.
    const second = await customerDeal(q, { name: 'Linden Row phase 2', company: { id: first.companyId! }, contacts: [{ firstname: 'Lin', lastname: 'Den', email: 'billing@abcllc.example' }] });
    expect((await invoiceDeal(q, second.dealId)).map((i) => i.CustomerRef.value)).toEqual(['3']);
    const summary = await q.card('GET', `/api/deals/${second.dealId}/summary`);
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: '3', method: 'existing' });
    expect(await qboCustomersNamed(q, /Linden/)).toEqual([]);
  });
});

describe('Customer resolution: near matches wait for a person', () => {
  let surveyors: string;
  let joinery: string;
  const q = useQ2C({ settings: { defaultItemId: HOURS_ITEM } });
  beforeAll(async () => {
    surveyors = await qboCustomer(q, 'Harborline Surveyors', { PrimaryEmailAddr: { Address: 'office@harborline.example' } });
    joinery = await qboCustomer(q, 'Kestrel Joinery');
  });

  it('When the company only resembles a QuickBooks customer, then no customer is linked or created, the card and the review list show the scored candidate, and confirming it creates the invoice for that customer', async () => {
    const customersBefore = (await q.qbo('Customer')).length;
    const invoicesBefore = (await q.qbo('Invoice')).length;
    const { dealId } = await customerDeal(q, { name: 'Harborline topo survey', company: 'Harborline Surveying', contacts: [{ firstname: 'Hal', lastname: 'Line', email: 'hal@harborline-surveying.example' }] });
    expect(await invoiceDeal(q, dealId)).toEqual([]);
    expect((await q.qbo('Customer')).length).toBe(customersBefore);
    expect((await q.qbo('Invoice')).length).toBe(invoicesBefore);

    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.customer.state).toBe('needs_confirmation');
    expect(summary.body.customer.candidates).toEqual([expect.objectContaining({ id: surveyors, displayName: 'Harborline Surveyors', email: 'office@harborline.example', reason: 'fuzzy' })]);
    const score = summary.body.customer.candidates[0].score;
    expect(score).toBeGreaterThanOrEqual(0.8);
    expect(score).toBeLessThan(1);
    expect(summary.body.allowedActions).toContain('confirm_customer');
    expect(summary.body.problems.map((p: any) => p.code)).toEqual(['customer_needs_confirmation']);

    const review = await q.card('GET', '/api/customers/review');
    expect(review.status).toBe(200);
    expect(review.body.review).toContainEqual(
      expect.objectContaining({ dealId, name: 'Harborline Surveying', candidates: [expect.objectContaining({ id: surveyors, displayName: 'Harborline Surveyors' })] }),
    );

    const confirmed = await q.card('POST', `/api/deals/${dealId}/customer`, { customerId: surveyors });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.customer).toMatchObject({ state: 'linked', id: surveyors, displayName: 'Harborline Surveyors' });
    expect(typeof confirmed.body.requeuedActionId).toBe('number');
    // Nobody presses "Create invoice" again: the work that stopped to ask goes on by itself.
    await q.drain();
    const after = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(after.body.invoices).toHaveLength(1);
    expect(after.body.customer).toMatchObject({ state: 'linked', id: surveyors, method: 'manual' });
    expect(after.body.allowedActions).not.toContain('confirm_customer');
    expect(after.body.problems).toEqual([]);
    const invoice = (await q.qbo('Invoice')).find((i: any) => i.Id === after.body.invoices[0].id);
    expect(invoice.CustomerRef.value).toBe(surveyors);
    expect((await q.qbo('Customer')).length).toBe(customersBefore);
    expect((await q.card('GET', '/api/customers/review')).body.review.some((r: any) => r.dealId === dealId)).toBe(false);
  });

  it('When only listed users may create, then only a listed user is offered choosing the customer (the server refuses anyone else)', async () => {
    const { dealId } = await customerDeal(q, { name: 'Harborline creators deal', company: 'Harborline Surveyor' });
    expect(await invoiceDeal(q, dealId)).toEqual([]);
    await q.settings({ creators: ['4242001'] });
    try {
      const theirs = await q.card('GET', `/api/deals/${dealId}/summary`, undefined, 4242002);
      expect(theirs.status).toBe(200);
      expect(theirs.body.customer.state).toBe('needs_confirmation');
      expect(theirs.body.allowedActions).not.toContain('confirm_customer');
      const refused = await q.card('POST', `/api/deals/${dealId}/customer`, { customerId: surveyors }, 4242002);
      expect(refused.status).toBe(403);

      const creators = await q.card('GET', `/api/deals/${dealId}/summary`, undefined, 4242001);
      expect(creators.body.allowedActions).toContain('confirm_customer');
    } finally {
      await q.settings({ creators: 'everyone' });
    }
  });

  it('When a person answers "none of these" for a near match, then a new customer is created from the company and the invoice goes to it', async () => {
    const { dealId } = await customerDeal(q, { name: 'Harborline Surveys retainer', company: 'Harborline Surveys', contacts: [{ firstname: 'Sue', lastname: 'Vey', email: 'sue@harborline-surveys.example' }] });
    expect(await invoiceDeal(q, dealId)).toEqual([]);
    const waiting = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(waiting.body.customer.candidates.map((c: any) => c.id)).toEqual([surveyors]);

    const answered = await q.card('POST', `/api/deals/${dealId}/customer`, { create: true });
    expect(answered.status).toBe(200);
    expect(typeof answered.body.requeuedActionId).toBe('number');
    await q.drain();

    const created = await qboCustomersNamed(q, /^Harborline Surveys$/);
    expect(created).toHaveLength(1);
    expect(created[0].PrimaryEmailAddr?.Address).toBe('sue@harborline-surveys.example');
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: created[0].Id, method: 'created' });
    const invoice = (await q.qbo('Invoice')).find((i: any) => i.Id === summary.body.invoices[0]?.id);
    expect(invoice.CustomerRef.value).toBe(created[0].Id);
    // The near match was left alone.
    expect((await q.qbo('Invoice')).filter((i: any) => i.CustomerRef.value === surveyors)).toHaveLength(1);
  });

  it('When a near match scores below the match threshold, then it is ignored and a new customer is created; lowering the threshold makes it a candidate', async () => {
    // "Kestrel Joinery and Stairs" vs "Kestrel Joinery" scores about 0.74 (server/src/sync/names.ts, Dice on bigrams).
    const { dealId } = await customerDeal(q, { name: 'Kestrel stair job', company: 'Kestrel Joinery and Stairs' });
    const atDefault = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(atDefault.body.customer).toMatchObject({ state: 'will_create', displayName: 'Kestrel Joinery and Stairs' });

    await q.settings({ customers: { ...DEFAULT_CUSTOMER_OPTIONS, matchThreshold: 0.7 } });
    try {
      const lowered = await q.card('GET', `/api/deals/${dealId}/preview`);
      expect(lowered.body.customer.state).toBe('needs_confirmation');
      expect(lowered.body.customer.candidates).toEqual([expect.objectContaining({ id: joinery, displayName: 'Kestrel Joinery', reason: 'fuzzy' })]);
      expect(lowered.body.customer.candidates[0].score).toBeGreaterThanOrEqual(0.7);
      expect(lowered.body.customer.candidates[0].score).toBeLessThan(0.8);
      expect(lowered.body.problems.map((p: any) => p.code)).toEqual(['customer_needs_confirmation']);
    } finally {
      await q.settings({ customers: DEFAULT_CUSTOMER_OPTIONS });
    }

    const invoices = await invoiceDeal(q, dealId);
    const created = await qboCustomersNamed(q, /^Kestrel Joinery and Stairs$/);
    expect(created).toHaveLength(1);
    expect(invoices.map((i) => i.CustomerRef.value)).toEqual([created[0].Id]);
    expect((await q.qbo('Invoice')).some((i: any) => i.CustomerRef.value === joinery)).toBe(false);
  });
});

describe('Customer resolution: a new customer is created when nothing matches', () => {
  const q = useQ2C({ settings: { defaultItemId: HOURS_ITEM } });

  it('When no QuickBooks customer matches, then one customer is created from the company and its contact, as QuickBooks stores them, and the company’s next deal reuses it', async () => {
    const company = { name: 'Fernhill Orchards', phone: '+1 503 555 0142', address: '12 Orchard Lane', city: 'Hood River', state: 'OR', zip: '97031', country: 'United States' };
    const contact = { firstname: 'Flora', lastname: 'Fern', email: 'flora@fernhill.example', phone: '+1 503 555 0199' };
    const first = await customerDeal(q, { name: 'Fernhill barn conversion', company: { properties: company }, contacts: [contact] });
    const invoices = await invoiceDeal(q, first.dealId);

    const created = await qboCustomersNamed(q, /Fernhill/);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      DisplayName: 'Fernhill Orchards',
      CompanyName: 'Fernhill Orchards',
      GivenName: 'Flora',
      FamilyName: 'Fern',
      PrimaryEmailAddr: { Address: 'flora@fernhill.example' },
      // The company's phone is the customer's: the invoice is the company's, not the person's.
      PrimaryPhone: { FreeFormNumber: '+1 503 555 0142' },
      BillAddr: expect.objectContaining({ Line1: '12 Orchard Lane', City: 'Hood River', CountrySubDivisionCode: 'OR', PostalCode: '97031', Country: 'United States' }),
      Active: true,
    });
    expect(invoices.map((i) => i.CustomerRef.value)).toEqual([created[0].Id]);
    const summary = await q.card('GET', `/api/deals/${first.dealId}/summary`);
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: created[0].Id, displayName: 'Fernhill Orchards', method: 'created' });

    const second = await customerDeal(q, { name: 'Fernhill cider house', company: { id: first.companyId! } });
    expect((await invoiceDeal(q, second.dealId)).map((i) => i.CustomerRef.value)).toEqual([created[0].Id]);
    expect(await qboCustomersNamed(q, /Fernhill/)).toHaveLength(1);
  });

  it('When the company has the name of a QuickBooks vendor, then the preview already names the customer "Northwind Traders (2)" and says why, and QuickBooks gets exactly that name at the first try', async () => {
    const { dealId } = await customerDeal(q, { name: 'Northwind warehouse', company: 'Northwind Traders', contacts: [{ firstname: 'Nan', lastname: 'Wind', email: 'nan@northwind-traders.example' }] });
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.body.customer).toEqual({
      state: 'will_create',
      displayName: 'Northwind Traders (2)',
      requestedName: 'Northwind Traders',
      email: 'nan@northwind-traders.example',
      message: expect.stringMatching(/“Northwind Traders” is already used in QuickBooks by a vendor, an employee or another customer.*the new customer will be “Northwind Traders \(2\)”/),
    });
    expect(preview.body.document.customer.displayName).toBe('Northwind Traders (2)');
    const mark = await qboMark(q);
    const invoices = await invoiceDeal(q, dealId);
    // QBO names are unique across customers, vendors and employees: the free name is asked for at once.
    const { requests } = await q.world.control('quickbooks', '/requests?method=POST&path=/customer');
    const tries = requests.filter((r: any) => r.seq > mark).map((r: any) => [r.body?.DisplayName, r.status]);
    expect(tries).toEqual([['Northwind Traders (2)', 200]]);
    const created = await qboCustomersNamed(q, /Northwind/);
    expect(created.map((c: any) => c.DisplayName)).toEqual(['Northwind Traders (2)']);
    expect(created[0].CompanyName).toBe('Northwind Traders');
    expect(invoices.map((i) => i.CustomerRef.value)).toEqual([created[0].Id]);
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.problems).toEqual([]);
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: created[0].Id, displayName: 'Northwind Traders (2)' });
    // The vendor is untouched.
    expect((await q.qbo('Vendor')).map((v: any) => v.DisplayName)).toContain('Northwind Traders');
  });

  it('When the company has the name of an inactive QuickBooks customer, then by default nothing is created: the card names the inactive customer, and confirming it makes it active again and bills it', async () => {
    const customersBefore = (await q.qbo('Customer')).length;
    const { dealId } = await customerDeal(q, { name: 'Old Mill ovens', company: 'Old Mill Bakery' });
    const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
    expect(preview.body.customer).toEqual({ state: 'needs_confirmation', candidates: [expect.objectContaining({ id: '4', displayName: 'Old Mill Bakery', reason: 'inactive', score: 1 })] });
    expect(preview.body.problems).toEqual([
      expect.objectContaining({ code: 'customer_needs_confirmation', message: expect.stringMatching(/QuickBooks has an inactive customer named “Old Mill Bakery”\. Confirm it on the deal card to make it active again/) }),
    ]);
    expect(await invoiceDeal(q, dealId)).toEqual([]);
    const waiting = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(waiting.body.allowedActions).toContain('confirm_customer');
    expect(waiting.body.customer).toMatchObject({ state: 'needs_confirmation', candidates: [expect.objectContaining({ id: '4', reason: 'inactive' })] });

    const confirmed = await q.card('POST', `/api/deals/${dealId}/customer`, { customerId: '4' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.customer).toEqual({ state: 'will_reactivate', id: '4', displayName: 'Old Mill Bakery' });
    expect(typeof confirmed.body.requeuedActionId).toBe('number');
    await q.drain();

    expect((await qboRecord(q, 'Customer', '4')).Active).toBe(true);
    expect((await q.qbo('Customer')).length).toBe(customersBefore);
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.problems).toEqual([]);
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: '4', displayName: 'Old Mill Bakery', method: 'manual' });
    expect((await q.qbo('Invoice')).find((i: any) => i.Id === summary.body.invoices[0].id).CustomerRef.value).toBe('4');
  });

  it('When finance chose to reactivate inactive customers, then the preview says the inactive customer will be made active again, and creating the invoice does so without asking', async () => {
    const granary = await qboCustomer(q, 'Granary Lane Mills', { Active: false });
    await q.settings({ inactiveCustomer: 'reactivate' });
    try {
      const { dealId } = await customerDeal(q, { name: 'Granary flour line', company: 'Granary Lane Mills' });
      const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
      expect(preview.body.customer).toMatchObject({ state: 'will_reactivate', id: granary, displayName: 'Granary Lane Mills', message: expect.stringMatching(/inactive customer “Granary Lane Mills”; it will be made active again/) });
      expect(preview.body.problems).toEqual([]);
      const invoices = await invoiceDeal(q, dealId);
      expect(invoices.map((i) => i.CustomerRef.value)).toEqual([granary]);
      expect((await qboRecord(q, 'Customer', granary)).Active).toBe(true);
      expect(await qboCustomersNamed(q, /Granary/)).toHaveLength(1);
    } finally {
      await q.settings({ inactiveCustomer: 'ask' });
    }
  });

  it('When finance chose new customers over inactive namesakes, then the preview names "Name (2)" and that customer is created, the inactive one left as it was', async () => {
    const oldId = await qboCustomer(q, 'Millstone Cafe', { Active: false });
    const before = await qboRecord(q, 'Customer', oldId);
    await q.settings({ inactiveCustomer: 'create-new' });
    try {
      const { dealId } = await customerDeal(q, { name: 'Millstone espresso bar', company: 'Millstone Cafe' });
      const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
      expect(preview.body.customer).toMatchObject({ state: 'will_create', displayName: 'Millstone Cafe (2)', requestedName: 'Millstone Cafe' });
      const invoices = await invoiceDeal(q, dealId);
      const named = await qboCustomersNamed(q, /Millstone Cafe/);
      expect(named.map((c: any) => c.DisplayName).sort()).toEqual(['Millstone Cafe', 'Millstone Cafe (2)']);
      const created = named.find((c: any) => c.DisplayName === 'Millstone Cafe (2)');
      expect(invoices.map((i) => i.CustomerRef.value)).toEqual([created.Id]);
      expect(await qboRecord(q, 'Customer', oldId)).toEqual(before);
    } finally {
      await q.settings({ inactiveCustomer: 'ask' });
    }
  });

  it('When finance turned off creating customers and nothing matches, then the deal shows "customer missing" and nothing is written, until a person chooses the customer on the card', async () => {
    await q.settings({ customers: { ...DEFAULT_CUSTOMER_OPTIONS, createWhenNoMatch: false } });
    try {
      const customersBefore = (await q.qbo('Customer')).length;
      const invoicesBefore = (await q.qbo('Invoice')).length;
      const { dealId } = await customerDeal(q, { name: 'Quarrytown paving', company: 'Quarrytown Paving Cooperative' });
      expect(await invoiceDeal(q, dealId)).toEqual([]);
      expect((await q.qbo('Customer')).length).toBe(customersBefore);
      expect((await q.qbo('Invoice')).length).toBe(invoicesBefore);
      const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
      expect(summary.body.problems).toEqual([
        expect.objectContaining({ code: 'customer_missing', message: expect.stringMatching(/No QuickBooks customer matches “Quarrytown Paving Cooperative”.*Choose a customer on the deal card, or turn on "Create customers"/) }),
      ]);

      const chosen = await q.card('POST', `/api/deals/${dealId}/customer`, { customerId: '3' });
      expect(chosen.status).toBe(200);
      expect(typeof chosen.body.requeuedActionId).toBe('number');
      await q.drain();
      const after = await q.card('GET', `/api/deals/${dealId}/summary`);
      expect(after.body.problems).toEqual([]);
      expect(after.body.invoices).toHaveLength(1);
      expect((await q.qbo('Invoice')).find((i: any) => i.Id === after.body.invoices[0].id).CustomerRef.value).toBe('3');
      expect((await q.qbo('Customer')).length).toBe(customersBefore);
    } finally {
      await q.settings({ customers: DEFAULT_CUSTOMER_OPTIONS });
    }
  });
});
