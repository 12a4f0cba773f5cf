import { openAction } from '../../server/src/db/deal-actions';
import { eventually } from '../support/harness';
import { createThroughCard, makeDeal, otherAccount, qboRecord, useQ2C, type DocumentKind, type Q2C } from './support';

/**
 * The deal card's API over signed requests, as the card uses it: it reads the summary, presses
 * buttons (queued, 202) and polls. Documents are checked in QBO itself (the simulator's control API).
 */

// Company names far apart, so no deal's company resembles another's QBO customer (that would ask for confirmation).
const COMPANIES = ['Alder Quarry', 'Birch Foundry', 'Cedar Mills', 'Dogwood Labs', 'Elm Optics', 'Fir Robotics', 'Ginkgo Textiles', 'Hazel Marine', 'Ivy Ceramics', 'Juniper Audio'];
let dealCount = 0;
/** A deal with its own company, a contact with an email, and two lines (mapped to the default item). */
async function cardDeal(q: Q2C, name: string): Promise<string> {
  const company = COMPANIES[dealCount]!;
  dealCount += 1;
  const { dealId } = await makeDeal(q, {
    name,
    company,
    contacts: [{ firstname: 'Cara', lastname: `Buyer${dealCount}`, email: `cara${dealCount}@card.example` }],
    lines: [
      { name: 'Design hours', price: '33.33', quantity: '3' },
      { name: 'Plan set', price: '250', quantity: '1' },
    ],
  });
  return dealId;
}

/** Creates the deal's document through the card and returns it as the summary shows it. */
async function shownAfterCreating(q: Q2C, dealId: string, kind: DocumentKind): Promise<any> {
  const { summary } = await createThroughCard(q, dealId, kind);
  const shown = kind === 'invoice' ? summary.invoices : summary.estimates;
  expect(shown).toHaveLength(1);
  return shown[0];
}

describe('Card API: the summary, estimates, conversion and sending', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When the deal has an invoice, then the summary shows its number, status, total, balance, due date and a link into QuickBooks', async () => {
    const dealId = await cardDeal(q, 'Summary deal');
    const shown = await shownAfterCreating(q, dealId, 'invoice');
    const invoice = await qboRecord(q, 'Invoice', shown.id);
    const totalCents = Math.round(invoice.TotalAmt * 100);
    expect(shown).toMatchObject({
      kind: 'invoice',
      docNumber: invoice.DocNumber,
      status: 'open',
      txnDate: invoice.TxnDate,
      dueDate: invoice.DueDate,
      totalCents,
      balanceCents: totalCents,
      emailStatus: invoice.EmailStatus ?? 'NotSet',
    });
    expect(shown.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // 3 x 33.33 + 250, no tax on the default item.
    expect(totalCents).toBe(34999);
    expect(shown.total).toBe('$349.99');
    expect(shown.balance).toBe(shown.total);
    expect(shown.url).toMatch(new RegExp(`/app/invoice\\?txnId=${shown.id}$`));

    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.connection.state).toBe('connected');
    expect(summary.body.customer).toMatchObject({ state: 'linked', id: invoice.CustomerRef.value, displayName: COMPANIES[0] });
    expect(summary.body.allowedActions).toContain('send_invoice');
    expect(summary.body.allowedActions).not.toContain('create_invoice');
    expect(summary.body.problems).toEqual([]);
    expect(summary.body.pending).toEqual([]);
  });

  it('When an estimate is converted, then the invoice is linked to it in QuickBooks, the estimate is closed, and converting again is refused with clear words', async () => {
    const dealId = await cardDeal(q, 'Estimate deal');
    const estimate = await shownAfterCreating(q, dealId, 'estimate');
    expect(estimate.status).toBe('pending');
    const before = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(before.body.allowedActions).toContain('convert_estimate');

    const converted = await q.card('POST', `/api/estimates/${estimate.id}/convert`, {});
    expect(converted.status).toBe(202);
    await q.drain();

    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.invoices).toHaveLength(1);
    const invoice = await qboRecord(q, 'Invoice', summary.body.invoices[0].id);
    expect(invoice.LinkedTxn).toEqual(expect.arrayContaining([expect.objectContaining({ TxnId: estimate.id, TxnType: 'Estimate' })]));
    expect(invoice.TotalAmt).toBe((await qboRecord(q, 'Estimate', estimate.id)).TotalAmt);
    expect((await qboRecord(q, 'Estimate', estimate.id)).TxnStatus).toBe('Closed');
    expect(summary.body.estimates[0].status).toBe('converted');
    expect(summary.body.allowedActions).not.toContain('convert_estimate');

    const invoicesBefore = (await q.qbo('Invoice')).length;
    const again = await q.card('POST', `/api/estimates/${estimate.id}/convert`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/closed in QuickBooks \(it was already converted or closed\), so it cannot be converted again/);
    await q.drain();
    expect((await q.qbo('Invoice')).length).toBe(invoicesBefore);
  });

  it('When the customer rejected the estimate in QuickBooks, then converting it is refused with 409 and words saying what to do', async () => {
    const dealId = await cardDeal(q, 'Rejected estimate deal');
    const estimate = await shownAfterCreating(q, dealId, 'estimate');
    // The bookkeeper marks it Rejected in QuickBooks (a sparse update through the accounting API).
    const current = await qboRecord(q, 'Estimate', estimate.id);
    await q.world.ctx.quickbooks.api.post(q.portalId, '/estimate', { Id: current.Id, SyncToken: current.SyncToken, sparse: true, TxnStatus: 'Rejected' });
    expect((await qboRecord(q, 'Estimate', estimate.id)).TxnStatus).toBe('Rejected');

    const invoicesBefore = (await q.qbo('Invoice')).length;
    const refused = await q.card('POST', `/api/estimates/${estimate.id}/convert`, {});
    await q.drain();
    expect((await q.qbo('Invoice')).length).toBe(invoicesBefore);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/was rejected by the customer in QuickBooks\. Mark it Accepted or Pending in QuickBooks to convert it/);
  });

  it('When a rep presses Send on an invoice, then QuickBooks emails it and the card shows it as sent', async () => {
    const dealId = await cardDeal(q, 'Send deal');
    const shown = await shownAfterCreating(q, dealId, 'invoice');
    expect((await qboRecord(q, 'Invoice', shown.id)).EmailStatus).not.toBe('EmailSent');

    const sent = await q.card('POST', `/api/invoices/${shown.id}/send`, {});
    expect(sent.status).toBe(202);
    await q.drain();
    expect((await qboRecord(q, 'Invoice', shown.id)).EmailStatus).toBe('EmailSent');
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(summary.body.invoices[0].emailStatus).toBe('EmailSent');
  });

  it('When "Create invoice" is pressed twice (a double click or HubSpot retrying), then one action is queued, one invoice created, and a later press answers with it', async () => {
    const dealId = await cardDeal(q, 'Double click deal');
    const invoicesBefore = (await q.qbo('Invoice')).length;
    const first = await q.card('POST', `/api/deals/${dealId}/invoices`, {});
    const second = await q.card('POST', `/api/deals/${dealId}/invoices`, {});
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(first.body.alreadyQueued).toBe(false);
    expect(second.body).toMatchObject({ status: 'queued', alreadyQueued: true, action: { id: first.body.action.id } });
    await q.drain();
    const invoices = await q.qbo('Invoice');
    expect(invoices.length).toBe(invoicesBefore + 1);

    const later = await q.card('POST', `/api/deals/${dealId}/invoices`, {});
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ status: 'exists', document: { id: invoices[invoices.length - 1].Id, docNumber: invoices[invoices.length - 1].DocNumber } });
    await q.drain();
    expect((await q.qbo('Invoice')).length).toBe(invoicesBefore + 1);

    // Send pressed twice while queued: one email action.
    const send1 = await q.card('POST', `/api/invoices/${later.body.document.id}/send`, {});
    const send2 = await q.card('POST', `/api/invoices/${later.body.document.id}/send`, {});
    expect(send2.body).toMatchObject({ alreadyQueued: true, action: { id: send1.body.action.id } });
  });

  it('When only listed users may create invoices, then someone else gets 403 with words and no button, and a listed user can', async () => {
    const dealId = await cardDeal(q, 'Creators deal');
    await q.settings({ creators: ['4242001'] });
    try {
      const refused = await q.card('POST', `/api/deals/${dealId}/invoices`, {}, 4242002);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/allow only some users to create invoices.*Ask a DealBooks admin to add you/);
      const theirs = await q.card('GET', `/api/deals/${dealId}/summary`, undefined, 4242002);
      expect(theirs.body.allowedActions).not.toContain('create_invoice');

      const allowed = await q.card('POST', `/api/deals/${dealId}/invoices`, {}, 4242001);
      expect(allowed.status).toBe(202);
    } finally {
      await q.settings({ creators: 'everyone' });
    }
  });
});

describe('Card API: QuickBooks hangs', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When every QuickBooks call hangs, then the summary and "Create invoice" still answer at once, and the invoice is made once QuickBooks answers again', async () => {
    const dealId = await cardDeal(q, 'Slow QuickBooks deal');
    const other = await cardDeal(q, 'Other slow deal');
    await q.world.control('quickbooks', '/faults', { path: '/v3/company/', kind: 'hang', times: 1000 });
    expect((await q.card('POST', `/api/deals/${dealId}/invoices`, {})).status).toBe(202);
    // A worker is stuck on QuickBooks with this deal's work.
    const working = q.drain();
    await eventually(
      async () => {
        const { requests } = await q.world.control('quickbooks', '/requests');
        return requests.some((r: any) => String(r.path).includes('/v3/company/') && r.status === undefined);
      },
      { what: 'a QuickBooks call left hanging', timeoutMs: 10_000 },
    );

    const started = performance.now();
    const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
    const pressed = await q.card('POST', `/api/deals/${other}/invoices`, {});
    const elapsed = performance.now() - started;
    expect(summary.status).toBe(200);
    expect(summary.body.pending).toEqual([expect.objectContaining({ kind: 'invoice' })]);
    expect(pressed.status).toBe(202);
    // HubSpot gives a card 15 s; these answer from DealBooks' database without waiting for QuickBooks.
    expect(elapsed).toBeLessThan(5000);

    const faults = await fetch(`${q.world.sandbox.quickbooks.url}/_sim/faults`, { method: 'DELETE' });
    expect(faults.status).toBe(204);
    await working;
    await q.drain();
    const after = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(after.body.invoices).toHaveLength(1);
    const otherAfter = await q.card('GET', `/api/deals/${other}/summary`);
    expect(otherAfter.body.invoices).toHaveLength(1);
    expect(await q.qbo('Invoice')).toHaveLength(2);
  });
});

describe('Card API: one account cannot reach another', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it("When a request is signed for another HubSpot account, then it sees none of this account's documents and cannot convert or send them", async () => {
    const dealId = await cardDeal(q, 'Private deal');
    const invoice = await shownAfterCreating(q, dealId, 'invoice');
    const estimateDeal = await cardDeal(q, 'Private estimate deal');
    const estimate = await shownAfterCreating(q, estimateDeal, 'estimate');

    // Another HubSpot account with DealBooks and its own QuickBooks company.
    const { card: asOther } = await otherAccount(q, 62515088, { quickbooksCompany: 'Other Books' });

    const summary = await asOther('GET', `/api/deals/${dealId}/summary`);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ invoices: [], estimates: [], payments: [], customer: { state: 'none' } });
    const estimateSummary = await asOther('GET', `/api/deals/${estimateDeal}/summary`);
    expect(estimateSummary.body.estimates).toEqual([]);

    const convert = await asOther('POST', `/api/estimates/${estimate.id}/convert`, {});
    expect(convert.status).toBe(404);
    const send = await asOther('POST', `/api/invoices/${invoice.id}/send`, {});
    expect(send.status).toBe(404);
    const exists = await asOther('POST', `/api/deals/${dealId}/invoices`, {});
    expect(exists.body.status).not.toBe('exists');
    await q.drain();
    // Nothing happened to this account's documents.
    expect((await qboRecord(q, 'Invoice', invoice.id)).EmailStatus).not.toBe('EmailSent');
    expect((await qboRecord(q, 'Estimate', estimate.id)).TxnStatus).toBe('Pending');
    expect(await q.qbo('Invoice')).toHaveLength(1);
  });

  it("When two HubSpot accounts have actions on the same deal id, then each account's card shows only its own pending work and problems", async () => {
    const dealId = await cardDeal(q, 'Shared id deal');
    const invoice = await shownAfterCreating(q, dealId, 'invoice');
    // Deal ids are per account at HubSpot: another account can hold (or name) a deal with the same id.
    const other = await otherAccount(q, 62515089, { quickbooksCompany: 'Shared Id Books' });
    // A press for a deal its HubSpot account does not hold is refused at once (404), so the other account's action is
    // queued the way auto-invoice queues one: opened and handed to the job queue.
    expect((await other.card('POST', `/api/deals/${dealId}/invoices`, {})).status).toBe(404);
    const now = q.world.clock.now();
    const { action } = await openAction(q.world.ctx.pool, { portalId: other.portalId, dealId, kind: 'invoice', trigger: 'auto', userId: null }, now);
    await q.world.ctx.quoteToCash.queue.action(other.portalId, dealId, action.id);
    const pressed = { body: { action } };

    const ours = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(ours.body).toMatchObject({ pending: [], problems: [], invoices: [{ id: invoice.id }] });
    const theirs = await other.card('GET', `/api/deals/${dealId}/summary`);
    expect(theirs.body.pending.map((p: any) => p.actionId)).toEqual([pressed.body.action.id]);
    expect(theirs.body.invoices).toEqual([]);

    // The other account's action ends with a problem of its own (the deal is not in its HubSpot account).
    await q.drain();
    const theirsAfter = await other.card('GET', `/api/deals/${dealId}/summary`);
    expect(theirsAfter.body.pending).toEqual([]);
    expect(theirsAfter.body.problems).not.toEqual([]);
    const oursAfter = await q.card('GET', `/api/deals/${dealId}/summary`);
    expect(oursAfter.body).toMatchObject({ pending: [], problems: [], invoices: [{ id: invoice.id }] });
  });
});
