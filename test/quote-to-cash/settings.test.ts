import { DEFAULT_SETTINGS, type Settings } from '../../server/src/sync/settings';
import { makeDeal, otherAccount, qboCustomersNamed, useQ2C, type Q2C } from './support';

/**
 * Finance's settings through the signed settings API, validated, versioned, and obeyed by the
 * quote-to-cash loop. Pipelines and stages are the demo portal's (test/simulators/hubspot/crm/seed.ts).
 */
const RENEWALS = '98765432';
const RENEWAL_DUE = '1029384750';
const QUOTE_SENT = '1029384751';
const RENEWED = '1029384756';

/** A deal with its own company, a contact with an email and one line, as a rep creates it (not yet in a trigger stage). */
async function salesDeal(q: Q2C, spec: { name: string; company: string; email: string; pipeline?: string; stage?: string }): Promise<string> {
  const { dealId } = await makeDeal(q, {
    name: spec.name,
    company: spec.company,
    pipeline: spec.pipeline,
    stage: spec.stage ?? 'qualifiedtobuy',
    contacts: [{ firstname: 'Sam', lastname: 'Settings', email: spec.email }],
    lines: [{ name: 'Support plan', price: '120.50', quantity: '2' }],
  });
  return dealId;
}

/** A rep moves the deal to Closed Won in HubSpot (the webhook reaches DealBooks), and the work that queues runs. */
async function win(q: Q2C, dealId: string): Promise<void> {
  await q.edit('deals', dealId, { dealstage: 'closedwon' });
  await q.drain();
}

async function customerId(q: Q2C, displayName: string): Promise<string | undefined> {
  return (await qboCustomersNamed(q, displayName))[0]?.Id;
}

/** The QBO invoices (or estimates) billed to the customer of this name; none while there is no such customer. */
async function billedTo(q: Q2C, entity: 'Invoice' | 'Estimate', displayName: string): Promise<any[]> {
  const id = await customerId(q, displayName);
  return (await q.qbo(entity)).filter((d: any) => id !== undefined && d.CustomerRef.value === id);
}

describe('Settings: reading and validating', () => {
  const q = useQ2C();

  it("When finance opens the settings for the first time, then they get the defaults and every pipeline with its won stage as the default trigger, the Renewals pipeline's too", async () => {
    const answer = await q.card('GET', '/api/settings');
    expect(answer.status).toBe(200);
    expect(answer.body.version).toBe(0);
    expect(answer.body.settings).toEqual(DEFAULT_SETTINGS);
    expect(answer.body.settings).toMatchObject({ autoInvoice: false, documentKind: 'invoice', delivery: 'review', txnDate: 'close_date', defaultItemId: null, creators: 'everyone' });
    const pipelines = Object.fromEntries(answer.body.pipelines.map((p: any) => [p.id, p]));
    expect(pipelines.default).toMatchObject({ label: 'Sales Pipeline', wonStages: ['closedwon'], triggerStages: ['closedwon'] });
    expect(pipelines[RENEWALS]).toMatchObject({ label: 'Renewals', wonStages: [RENEWED], triggerStages: [RENEWED] });
    expect(pipelines[RENEWALS].stages.map((s: any) => s.label)).toEqual(['Renewal due', 'Quote sent', 'Renewed', 'Churned']);
  });

  it('When settings are saved with an unknown key, an out-of-range match threshold or a bad memo placeholder, then each is refused with 422 naming the field', async () => {
    const { body: current } = await q.card('GET', '/api/settings');
    const put = (settings: unknown) => q.card('PUT', '/api/settings', { settings, version: current.version });

    const unknown = await put({ ...current.settings, autoInvoise: true });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('validation_failed');
    expect(unknown.body.error.details.fields).toEqual({ autoInvoise: expect.stringMatching(/unknown setting “autoInvoise”/) });

    const threshold = await put({ ...current.settings, customers: { ...current.settings.customers, matchThreshold: 1.5 } });
    expect(threshold.status).toBe(422);
    expect(threshold.body.error.details.issues).toEqual([expect.objectContaining({ path: 'customers.matchThreshold' })]);
    const low = await put({ ...current.settings, customers: { ...current.settings.customers, matchThreshold: 0.2 } });
    expect(low.status).toBe(422);
    expect(Object.keys(low.body.error.details.fields)).toEqual(['customers.matchThreshold']);

    const memo = await put({ ...current.settings, memoTemplate: 'Thanks for {{dealNmae}}' });
    expect(memo.status).toBe(422);
    expect(memo.body.error.details.fields).toEqual({ memoTemplate: expect.stringMatching(/unknown placeholder \{\{dealNmae\}\}\. Use one of \{\{dealName\}\}/) });

    // Nothing of it was stored.
    const after = await q.card('GET', '/api/settings');
    expect(after.body).toMatchObject({ version: current.version, settings: current.settings });
  });

  it('When a memo template holds a NUL character or a lone surrogate, then the save is refused with 400 naming the field, and nothing is stored', async () => {
    const { body: current } = await q.card('GET', '/api/settings');
    for (const [memoTemplate, what] of [
      ['Thanks\u0000 for {{dealName}}', 'a NUL character'],
      ['Thanks \ud83d for {{dealName}}', 'a lone UTF-16 surrogate'],
    ] as const) {
      const answer = await q.card('PUT', '/api/settings', { settings: { ...current.settings, memoTemplate }, version: current.version });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'unstorable_text', message: expect.stringContaining(`settings.memoTemplate holds ${what}`) });
      expect(answer.body.error.details).toEqual([{ path: 'settings.memoTemplate', message: expect.stringContaining(what) }]);
    }
    // Any body, any route: a key is a field too.
    const mapping = await q.card('PUT', '/api/mappings/products/1', { ['item\u0000Id']: '3' });
    expect(mapping.status).toBe(400);
    expect(mapping.body.error.code).toBe('unstorable_text');
    expect((await q.card('GET', '/api/settings')).body).toMatchObject({ version: current.version, settings: current.settings });
  });

  it('When two people edit the settings at once, then the second save is refused with 409 and asked to reload instead of silently overwriting', async () => {
    const { body: read } = await q.card('GET', '/api/settings');
    const first = await q.card('PUT', '/api/settings', { settings: { ...read.settings, termId: '2' }, version: read.version });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(read.version + 1);
    const second = await q.card('PUT', '/api/settings', { settings: { ...read.settings, classId: '1' }, version: read.version });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/Someone else saved the settings in the meantime\. Reload them/);
    const after = await q.card('GET', '/api/settings');
    expect(after.body.settings).toMatchObject({ termId: '2', classId: null });
  });

  it('When a PUT sends only some settings, then it is refused with 422 naming every missing key, and nothing else is reset', async () => {
    await q.settings({ autoInvoice: true, termId: '2', customers: { createWhenNoMatch: false, matchThreshold: 0.9, projectPerDeal: false } });
    const { body: before } = await q.card('GET', '/api/settings');
    const partial = await q.card('PUT', '/api/settings', { settings: { delivery: 'send', customers: { matchThreshold: 0.95 } }, version: before.version });
    expect(partial.status).toBe(422);
    expect(partial.body.error.code).toBe('validation_failed');
    expect(partial.body.error.message).toMatch(/PUT replaces the whole settings document, and it lacks autoInvoice, .*customers\.createWhenNoMatch, customers\.projectPerDeal.*use PATCH/);
    const missing = Object.keys(partial.body.error.details.fields);
    expect(missing).toEqual(expect.arrayContaining(['autoInvoice', 'termId', 'defaultItemId', 'customers.createWhenNoMatch', 'customers.projectPerDeal']));
    expect(missing).not.toContain('delivery');
    expect(missing).not.toContain('customers.matchThreshold');
    const after = await q.card('GET', '/api/settings');
    expect(after.body).toMatchObject({ version: before.version, settings: before.settings });
  });

  it('When finance PATCHes two settings, then only those change and every other setting, nested ones included, keeps its value', async () => {
    await q.settings({ autoInvoice: true, termId: '2', customers: { createWhenNoMatch: false, matchThreshold: 0.9, projectPerDeal: false } });
    const { body: before } = await q.card('GET', '/api/settings');
    const patched = await q.card('PATCH', '/api/settings', { settings: { delivery: 'send', customers: { matchThreshold: 0.95 } }, version: before.version });
    expect(patched.status).toBe(200);
    expect(patched.body.version).toBe(before.version + 1);
    const expected = { ...before.settings, delivery: 'send', customers: { createWhenNoMatch: false, matchThreshold: 0.95, projectPerDeal: false } };
    expect(patched.body.settings).toEqual(expected);
    expect((await q.card('GET', '/api/settings')).body.settings).toEqual(expected);

    // A PATCH made from an older read is refused like a PUT, not merged onto a version its sender never saw.
    const stale = await q.card('PATCH', '/api/settings', { settings: { delivery: 'review' }, version: before.version });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/Someone else saved the settings in the meantime/);
    // An unknown key is refused on a PATCH too.
    const typo = await q.card('PATCH', '/api/settings', { settings: { delivry: 'review' }, version: before.version + 1 });
    expect(typo.status).toBe(422);
    expect(Object.keys(typo.body.error.details.fields)).toEqual(['delivry']);
    await q.settings({ autoInvoice: false, termId: null, delivery: 'review', customers: { createWhenNoMatch: true, matchThreshold: 0.8, projectPerDeal: false } });
  });

  it('When one account saves its settings, then another account still reads its own defaults', async () => {
    await q.settings({ autoInvoice: true });
    const other = await otherAccount(q, 62515066);
    const theirs = await other.card('GET', '/api/settings');
    expect(theirs.status).toBe(200);
    expect(theirs.body.settings.autoInvoice).toBe(false);
    expect(theirs.body.version).toBe(0);
  });
});

describe('Settings: the loop follows them', () => {
  /** Saves exactly these choices on top of the defaults, so each test stands on its own. */
  const use = (patch: Partial<Settings>) => q.settings({ ...DEFAULT_SETTINGS, defaultItemId: '3', ...patch });
  const q = useQ2C();

  it('When the Renewals pipeline triggers on "Quote sent", then a renewal reaching it is invoiced, while a sales deal reaching a stage that is not a trigger is not', async () => {
    await use({ autoInvoice: true, triggerStages: { [RENEWALS]: [QUOTE_SENT] } });
    const { body } = await q.card('GET', '/api/settings');
    const pipelines = Object.fromEntries(body.pipelines.map((p: any) => [p.id, p]));
    expect(pipelines[RENEWALS].triggerStages).toEqual([QUOTE_SENT]);
    expect(pipelines.default.triggerStages).toEqual(['closedwon']);

    const renewal = await salesDeal(q, { name: 'Kestrel renewal', company: 'Kestrel Freight', email: 'ap@kestrel.example', pipeline: RENEWALS, stage: RENEWAL_DUE });
    const sale = await salesDeal(q, { name: 'Lynx sale', company: 'Lynx Dynamics', email: 'ap@lynx.example' });
    await q.edit('deals', renewal, { dealstage: QUOTE_SENT });
    await q.edit('deals', sale, { dealstage: 'decisionmakerboughtin' });
    await q.drain();

    expect(await billedTo(q, 'Invoice', 'Kestrel Freight')).toHaveLength(1);
    expect(await customerId(q, 'Lynx Dynamics')).toBeUndefined();
    expect((await q.card('GET', `/api/deals/${sale}/summary`)).body.invoices).toEqual([]);

    // The sales deal's won stage still triggers: it was the stage, not the deal, that held it back.
    await win(q, sale);
    expect((await q.card('GET', `/api/deals/${sale}/summary`)).body.invoices).toHaveLength(1);
  });

  it('When auto-invoice is off, then a deal reaching Closed Won creates nothing', async () => {
    await use({ autoInvoice: false });
    const deal = await salesDeal(q, { name: 'Marten sale', company: 'Marten Bikes', email: 'ap@marten.example' });
    await win(q, deal);
    expect(await customerId(q, 'Marten Bikes')).toBeUndefined();
    expect((await q.card('GET', `/api/deals/${deal}/summary`)).body.invoices).toEqual([]);
  });

  it('When the document kind is estimate, then a won deal becomes a QuickBooks estimate and no invoice', async () => {
    await use({ autoInvoice: true, documentKind: 'estimate' });
    const deal = await salesDeal(q, { name: 'Newt sale', company: 'Newt Analytics', email: 'ap@newt.example' });
    await win(q, deal);
    expect(await customerId(q, 'Newt Analytics')).toBeDefined();
    const estimates = await billedTo(q, 'Estimate', 'Newt Analytics');
    expect(estimates).toHaveLength(1);
    expect(estimates[0].TotalAmt).toBe(241);
    expect(await billedTo(q, 'Invoice', 'Newt Analytics')).toEqual([]);
    const summary = await q.card('GET', `/api/deals/${deal}/summary`);
    expect(summary.body.estimates).toEqual([expect.objectContaining({ id: estimates[0].Id, status: 'pending' })]);
  });

  it('When delivery is "send", then the invoice is emailed by QuickBooks to the deal contact as soon as it exists', async () => {
    await use({ autoInvoice: true, delivery: 'send' });
    const deal = await salesDeal(q, { name: 'Osprey sale', company: 'Osprey Optics', email: 'billing@osprey.example' });
    await win(q, deal);
    const invoices = await billedTo(q, 'Invoice', 'Osprey Optics');
    expect(invoices).toHaveLength(1);
    expect(invoices[0].EmailStatus).toBe('EmailSent');
    expect(invoices[0].BillEmail?.Address).toBe('billing@osprey.example');
    const summary = await q.card('GET', `/api/deals/${deal}/summary`);
    expect(summary.body.invoices[0].emailStatus).toBe('EmailSent');
  });

  it('When delivery is "review", then the invoice waits in QuickBooks unsent', async () => {
    await use({ autoInvoice: true, delivery: 'review' });
    const deal = await salesDeal(q, { name: 'Puffin sale', company: 'Puffin Press', email: 'billing@puffin.example' });
    await win(q, deal);
    const invoices = await billedTo(q, 'Invoice', 'Puffin Press');
    expect(invoices).toHaveLength(1);
    expect(invoices[0].EmailStatus).not.toBe('EmailSent');
  });
});
