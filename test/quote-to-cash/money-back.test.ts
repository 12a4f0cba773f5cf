import { DEAL_PROPERTY } from '../../server/src/hubspot/deal-properties';
import { DEAL_OVERDUE_REFRESH_QUEUE, DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import { companyDate } from '../../server/src/sync/format';
import {
  companyUtcOffset,
  connectionIdOf,
  dealWritesSince,
  deletePayment,
  hubspotMark,
  pipelineQueuesWriteBack,
  storePayment,
  timelineNotes,
  updateCopy,
} from './money-back-support';
import { hubspotRecord, makeDeal, pressCreate, useQ2C, type Q2C } from './support';

/**
 * Money coming back onto the deal: after QuickBooks reports a payment, a void, a deletion or a credit, the change
 * pipeline stores it (seeded here as it stores it) and queues the deal's write-back; the deal's DealBooks properties
 * and timeline notes follow, as a rep and HubSpot workflows see them in HubSpot (the simulator).
 */

// Company names far apart, so no deal's company resembles another's QBO customer (that would ask for confirmation).
const COMPANIES = [
  'Arbutus Forge',
  'Bittern Salvage',
  'Cormorant Press',
  'Dunlin Orchards',
  'Egret Cabinetry',
  'Fulmar Boatworks',
  'Gannet Masonry',
  'Heron Weaving',
  'Ibis Lighting',
  'Jacana Pottery',
  'Kittiwake Sails',
  'Lapwing Clocks',
  'Merlin Bindery',
];
let dealCount = 0;
/** A deal invoiced through the card: 1200 + 3 x 150.50 = $1,651.50 (no tax on the default item). */
async function invoicedDeal(q: Q2C, name: string): Promise<{ dealId: string; invoiceId: string; number: string }> {
  dealCount += 1;
  const { dealId } = await makeDeal(q, {
    name,
    company: COMPANIES[dealCount - 1]!,
    contacts: [{ firstname: 'Pat', lastname: `Payer${dealCount}`, email: `pat${dealCount}@money.example` }],
    lines: [
      { name: 'Schematic design', price: '1200', quantity: '1' },
      { name: 'Site visit', price: '150.50', quantity: '3' },
    ],
  });
  await pressCreate(q, dealId);
  const { properties } = await hubspotRecord(q, 'deals', dealId);
  expect(properties.dealbooks_invoice_total).toBe('1651.5');
  return { dealId, invoiceId: properties.dealbooks_invoice_id, number: properties.dealbooks_invoice_number };
}

const TOTAL = 165_150;
let paymentCount = 0;
const paymentId = () => String(9000 + ++paymentCount);

/** DealBooks' properties as HubSpot holds them; one that is empty (HubSpot leaves it out) reads null. */
async function dealbooksProperties(q: Q2C, dealId: string): Promise<Record<string, string | null>> {
  const { properties } = await hubspotRecord(q, 'deals', dealId);
  return Object.fromEntries(Object.values(DEAL_PROPERTY).map((name) => [name, (properties as Record<string, string | null>)[name] ?? null]));
}

async function writtenRow(q: Q2C, dealId: string): Promise<Record<string, string> | null> {
  const { rows } = await q.world.ctx.pool.query('SELECT properties FROM deal_written_properties WHERE portal_id = $1 AND deal_id = $2', [q.portalId, dealId]);
  return rows[0]?.properties ?? null;
}

describe('Money back on the deal: payments, voids and deletions', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When part of the invoice is paid, then the deal shows the status, balance, amount paid and last payment, and one timeline note says so', async () => {
    const { dealId, invoiceId, number } = await invoicedDeal(q, 'Part paid deal');
    const mark = await hubspotMark(q);
    await storePayment(q, { id: paymentId(), txnDate: '2026-12-01', totalCents: 50_000, method: 'Check', reference: '4411', applications: [{ invoiceId, amountCents: 50_000 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: TOTAL - 50_000 });
    await pipelineQueuesWriteBack(q, dealId);

    expect(await dealbooksProperties(q, dealId)).toMatchObject({
      dealbooks_invoice_status: 'partially_paid',
      dealbooks_invoice_balance: '1151.5',
      dealbooks_amount_paid: '500',
      dealbooks_last_payment_date: '2026-12-01',
      dealbooks_last_payment_amount: '500',
      dealbooks_days_overdue: null,
      dealbooks_first_paid_date: null,
    });
    // Only what changed went to HubSpot, with the time of the change; the deal's last problem was left alone.
    const writes = await dealWritesSince(q, dealId, mark);
    expect(writes).toHaveLength(1);
    expect(Object.keys(writes[0]!).sort()).toEqual(
      ['dealbooks_amount_paid', 'dealbooks_invoice_balance', 'dealbooks_invoice_status', 'dealbooks_last_payment_amount', 'dealbooks_last_payment_date', 'dealbooks_last_synced'].sort(),
    );
    const notes = await timelineNotes(q, dealId);
    expect(notes.filter((n) => n.startsWith('Payment'))).toEqual([`Payment of $500.00 received on 2026-12-01; $1,151.50 still open on invoice ${number}.`]);
  });

  it('When the same change is reported again (a replay), then nothing at all is written and no second note is posted', async () => {
    const { dealId, invoiceId } = await invoicedDeal(q, 'Replayed payment deal');
    const payment = { id: paymentId(), txnDate: '2026-12-02', totalCents: 20_000, applications: [{ invoiceId, amountCents: 20_000 }] };
    await storePayment(q, payment);
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: TOTAL - 20_000 });
    await pipelineQueuesWriteBack(q, dealId);
    const notes = await timelineNotes(q, dealId);

    const mark = await hubspotMark(q);
    await storePayment(q, payment);
    await pipelineQueuesWriteBack(q, dealId);
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealWritesSince(q, dealId, mark)).toEqual([]);
    const { requests } = await q.world.control('hubspot', '/requests?method=POST&path=/crm/v3/objects/notes');
    expect(requests.filter((r: any) => r.seq > mark)).toEqual([]);
    expect(await timelineNotes(q, dealId)).toEqual(notes);
  });

  it('When the invoice is paid in full, then the first paid date is the day it was paid; when a payment is deleted later, the date stays and a note says the balance is open again', async () => {
    const { dealId, invoiceId, number } = await invoicedDeal(q, 'Paid in full deal');
    const first = paymentId();
    const second = paymentId();
    await storePayment(q, { id: first, txnDate: '2026-12-01', totalCents: 50_000, applications: [{ invoiceId, amountCents: 50_000 }] });
    await storePayment(q, { id: second, txnDate: '2026-12-05', totalCents: 115_150, method: 'Visa', applications: [{ invoiceId, amountCents: 115_150 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: 0 });
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealbooksProperties(q, dealId)).toMatchObject({
      dealbooks_invoice_status: 'paid',
      dealbooks_invoice_balance: '0',
      dealbooks_amount_paid: '1651.5',
      dealbooks_last_payment_date: '2026-12-05',
      dealbooks_last_payment_amount: '1151.5',
      dealbooks_first_paid_date: '2026-12-05',
    });
    // Both payments heard of together: each note tells its own step.
    expect((await timelineNotes(q, dealId)).filter((n) => n.startsWith('Payment'))).toEqual([
      `Payment of $500.00 received on 2026-12-01; $1,151.50 still open on invoice ${number}.`,
      `Payment of $1,151.50 received on 2026-12-05; nothing is left to pay on invoice ${number}.`,
    ]);

    const mark = await hubspotMark(q);
    await deletePayment(q, second);
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: 115_150 });
    await pipelineQueuesWriteBack(q, dealId);
    const after = await dealbooksProperties(q, dealId);
    expect(after).toMatchObject({ dealbooks_invoice_status: 'partially_paid', dealbooks_amount_paid: '500', dealbooks_last_payment_date: '2026-12-01', dealbooks_first_paid_date: '2026-12-05' });
    expect((await dealWritesSince(q, dealId, mark)).flatMap((w) => Object.keys(w))).not.toContain('dealbooks_first_paid_date');
    expect((await timelineNotes(q, dealId)).filter((n) => n.includes('was deleted'))).toEqual([
      `Payment of $1,151.50 received on 2026-12-05 was deleted in QuickBooks; $1,151.50 is open again on invoice ${number}.`,
    ]);

    // Paid again later: the first paid date is still the first.
    await storePayment(q, { id: paymentId(), txnDate: '2026-12-09', totalCents: 115_150, applications: [{ invoiceId, amountCents: 115_150 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: 0 });
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealbooksProperties(q, dealId)).toMatchObject({ dealbooks_invoice_status: 'paid', dealbooks_first_paid_date: '2026-12-05', dealbooks_last_payment_date: '2026-12-09' });
  });

  it('When only a credit memo settled the invoice, then it is credited in full: nothing counts as paid and there is no first paid date', async () => {
    const { dealId, invoiceId, number } = await invoicedDeal(q, 'Credited deal');
    await storePayment(q, { id: paymentId(), txnDate: '2026-12-03', totalCents: 0, applications: [{ invoiceId, amountCents: TOTAL, creditCents: TOTAL }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: 0 });
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealbooksProperties(q, dealId)).toMatchObject({
      dealbooks_invoice_status: 'credited',
      dealbooks_invoice_balance: '0',
      dealbooks_amount_paid: '0',
      dealbooks_last_payment_date: null,
      dealbooks_first_paid_date: null,
    });
    expect((await timelineNotes(q, dealId)).filter((n) => n.startsWith('Credit'))).toEqual([`Credit of $1,651.50 applied on 2026-12-03; nothing is left to pay on invoice ${number}.`]);
  });

  it('When the invoice is voided in QuickBooks, then the deal says voided and one note says when; a later deletion gets its own note and the deal no longer shows the invoice', async () => {
    const { dealId, invoiceId, number } = await invoicedDeal(q, 'Voided deal');
    const seen = new Date('2026-12-03T15:00:00Z');
    await updateCopy(q, 'invoice', invoiceId, { qboState: 'voided', totalCents: 0, balanceCents: 0, stateChangedAt: seen });
    await pipelineQueuesWriteBack(q, dealId);
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealbooksProperties(q, dealId)).toMatchObject({ dealbooks_invoice_status: 'voided', dealbooks_invoice_balance: '0', dealbooks_days_overdue: null });
    expect((await timelineNotes(q, dealId)).filter((n) => n.includes('QuickBooks on'))).toEqual([`Invoice ${number} was voided in QuickBooks on 2026-12-03.`]);

    await updateCopy(q, 'invoice', invoiceId, { qboState: 'deleted', stateChangedAt: new Date('2026-12-04T09:00:00Z') });
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealbooksProperties(q, dealId)).toMatchObject({ dealbooks_invoice_id: null, dealbooks_invoice_status: null });
    expect((await timelineNotes(q, dealId)).filter((n) => n.includes('QuickBooks on'))).toEqual([
      `Invoice ${number} was voided in QuickBooks on 2026-12-03.`,
      `Invoice ${number} was deleted in QuickBooks on 2026-12-04.`,
    ]);
  });

  it("When a money change comes after an action's problem, then the deal's last problem stays as the action left it", async () => {
    dealCount += 1;
    const { dealId } = await makeDeal(q, {
      name: 'Unsent invoice deal',
      company: COMPANIES[dealCount - 1]!,
      contacts: [{ firstname: 'Sam', lastname: 'Sender', email: `sam${dealCount}@money.example` }],
      lines: [{ name: 'Survey', price: '400', quantity: '1' }],
    });
    // QuickBooks makes the invoice but does not email it: the action succeeds with a problem on the deal.
    await q.world.control('quickbooks', '/faults', { path: '/send', method: 'POST', status: 400, times: 1 });
    expect((await q.card('POST', `/api/deals/${dealId}/invoices`, { send: true })).status).toBe(202);
    await q.drain();
    const before = await dealbooksProperties(q, dealId);
    expect(before.dealbooks_last_problem).toMatch(/QuickBooks did not email it/);

    const invoiceId = before.dealbooks_invoice_id!;
    await storePayment(q, { id: paymentId(), txnDate: '2026-12-02', totalCents: 10_000, applications: [{ invoiceId, amountCents: 10_000 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: 30_000 });
    await pipelineQueuesWriteBack(q, dealId);
    const after = await dealbooksProperties(q, dealId);
    expect(after).toMatchObject({ dealbooks_invoice_status: 'partially_paid', dealbooks_last_problem: before.dealbooks_last_problem });
  });
});

describe('Money back on the deal: when HubSpot fails', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When HubSpot refuses the property write, then nothing is recorded as written, and the retry sends the change', async () => {
    const { dealId, invoiceId } = await invoicedDeal(q, 'Refused write deal');
    const writtenBefore = await writtenRow(q, dealId);
    await storePayment(q, { id: paymentId(), txnDate: '2026-12-01', totalCents: 50_000, applications: [{ invoiceId, amountCents: 50_000 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: TOTAL - 50_000 });
    await q.world.control('hubspot', '/faults', { path: `/crm/v3/objects/deals/${dealId}`, method: 'PATCH', status: 503, times: 1 });
    await q.world.ctx.quoteToCash.queue.writeBack(q.portalId, dealId);
    expect(await q.world.ctx.jobs.runNext(DEAL_WORK_QUEUE, { ignoreStartAfter: true })).not.toBe('idle');

    expect(await writtenRow(q, dealId)).toEqual(writtenBefore);
    expect((await dealbooksProperties(q, dealId)).dealbooks_invoice_status).toBe('open');
    const mark = await hubspotMark(q);
    await q.drain();
    expect((await dealWritesSince(q, dealId, mark)).map((w) => w.dealbooks_invoice_status)).toEqual(['partially_paid']);
    expect((await writtenRow(q, dealId))?.dealbooks_invoice_status).toBe('partially_paid');
  });

  it('When HubSpot made the note but its answer was lost, then the retry finds the note on the timeline and posts no second one', async () => {
    const { dealId, invoiceId, number } = await invoicedDeal(q, 'Lost note answer deal');
    const payment = paymentId();
    await storePayment(q, { id: payment, txnDate: '2026-12-01', totalCents: 50_000, applications: [{ invoiceId, amountCents: 50_000 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: TOTAL - 50_000 });
    await q.world.control('hubspot', '/faults', { path: '/crm/v3/objects/notes', method: 'POST', kind: 'reset', after: true, times: 1 });
    await pipelineQueuesWriteBack(q, dealId);

    expect((await timelineNotes(q, dealId)).filter((n) => n.startsWith('Payment'))).toEqual([`Payment of $500.00 received on 2026-12-01; $1,151.50 still open on invoice ${number}.`]);
    const connectionId = await connectionIdOf(q, q.portalId);
    const { rows } = await q.world.ctx.pool.query('SELECT note_key, hubspot_note_id FROM deal_notes WHERE portal_id = $1 AND deal_id = $2', [q.portalId, dealId]);
    expect(rows).toEqual([{ note_key: `payment-received:${connectionId}:${payment}:${invoiceId}`, hubspot_note_id: expect.stringMatching(/^\d+$/) }]);
  });

  it('When HubSpot refused the note before making it, then the retry posts it, once', async () => {
    const { dealId, invoiceId, number } = await invoicedDeal(q, 'Refused note deal');
    await storePayment(q, { id: paymentId(), txnDate: '2026-12-01', totalCents: 50_000, applications: [{ invoiceId, amountCents: 50_000 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: TOTAL - 50_000 });
    await q.world.control('hubspot', '/faults', { path: '/crm/v3/objects/notes', method: 'POST', status: 502, times: 1 });
    await pipelineQueuesWriteBack(q, dealId);
    await pipelineQueuesWriteBack(q, dealId);
    expect((await timelineNotes(q, dealId)).filter((n) => n.startsWith('Payment'))).toEqual([`Payment of $500.00 received on 2026-12-01; $1,151.50 still open on invoice ${number}.`]);
  });
});

describe("Money back on the deal: days overdue in the company's calendar", () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it("When the due date has passed in UTC but not yet in the QuickBooks company's time zone, then the deal is not overdue until the company's next day", async () => {
    const { dealId, invoiceId } = await invoicedDeal(q, 'Overdue deal');
    await companyUtcOffset(q, -300);
    // 02:00 UTC is 21:00 the day before in a company five hours behind UTC.
    const now = q.world.clock.nowMs();
    const nextMidnight = Math.ceil(now / 86_400_000) * 86_400_000;
    await q.world.clock.advance(nextMidnight + 2 * 3_600_000 - now);
    const companyToday = companyDate(q.world.clock.now(), -300);
    expect(companyToday < q.world.clock.now().toISOString().slice(0, 10)).toBe(true);
    await updateCopy(q, 'invoice', invoiceId, { dueDate: companyToday });
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealbooksProperties(q, dealId)).toMatchObject({ dealbooks_invoice_status: 'open', dealbooks_days_overdue: null });

    // Four hours later it is the next day in the company too.
    await q.world.clock.advance(4 * 3_600_000);
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealbooksProperties(q, dealId)).toMatchObject({ dealbooks_invoice_status: 'overdue', dealbooks_days_overdue: '1' });

    // Part paid a few days later: still late, and the deal keeps saying by how much.
    await q.world.clock.advance(3 * 86_400_000);
    await storePayment(q, { id: paymentId(), txnDate: companyDate(q.world.clock.now(), -300), totalCents: 10_000, applications: [{ invoiceId, amountCents: 10_000 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: TOTAL - 10_000 });
    await pipelineQueuesWriteBack(q, dealId);
    expect(await dealbooksProperties(q, dealId)).toMatchObject({ dealbooks_invoice_status: 'partially_paid', dealbooks_days_overdue: '4' });
  });

  it('When days pass with nothing reported from QuickBooks, then the hourly refresh brings the days overdue up to date, and queues nothing when they are', async () => {
    const { dealId, invoiceId } = await invoicedDeal(q, 'Still overdue deal');
    const paid = await invoicedDeal(q, 'Paid long ago deal');
    // (Creating an invoice teaches DealBooks the company's offset from QBO's timestamps: set it after.)
    await companyUtcOffset(q, -300);
    await updateCopy(q, 'invoice', invoiceId, { dueDate: companyDate(new Date(q.world.clock.nowMs() - 2 * 86_400_000), -300) });
    await updateCopy(q, 'invoice', paid.invoiceId, { dueDate: '2026-01-01', balanceCents: 0 });
    // An older invoice of the same deal, no longer its linked one (voided and re-made elsewhere, say), still open:
    // the deal shows its linked invoice, so this one must not make it look stale at every run.
    await q.world.ctx.pool.query(
      `INSERT INTO qbo_documents (portal_id, connection_id, kind, qbo_id, deal_id, customer_id, txn_date, due_date, total_cents, balance_cents, web_url, sync_token)
       SELECT portal_id, connection_id, kind, 'old-' || qbo_id, deal_id, customer_id, txn_date, DATE '2026-01-01', total_cents, total_cents, web_url, '0'
         FROM qbo_documents WHERE portal_id = $1 AND kind = 'invoice' AND qbo_id = $2`,
      [q.portalId, invoiceId],
    );
    await pipelineQueuesWriteBack(q, dealId);
    expect((await dealbooksProperties(q, dealId)).dealbooks_days_overdue).toBe('2');

    await q.world.clock.advance(3 * 86_400_000);
    const refresh = async () => {
      await q.world.ctx.jobs.send(DEAL_OVERDUE_REFRESH_QUEUE, {});
      expect(await q.world.ctx.jobs.runNext(DEAL_OVERDUE_REFRESH_QUEUE)).toBe('completed');
      return q.drain();
    };
    expect(await refresh()).toBeGreaterThan(0);
    expect((await dealbooksProperties(q, dealId)).dealbooks_days_overdue).toBe('5');
    expect((await dealbooksProperties(q, paid.dealId)).dealbooks_days_overdue).toBeNull();
    // Every deal's days overdue are current now: the next run queues nothing.
    expect(await refresh()).toBe(0);
  });
});

describe('Money back on the deal: an account installed before these properties existed', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When HubSpot refuses a write for a missing property or status option, then DealBooks adds them to the account and the write goes through', async () => {
    const { dealId, invoiceId } = await invoicedDeal(q, 'Older install deal');
    // The account as an older DealBooks left it: no amount-paid property, no "credited" status, nothing recorded as
    // written (the record came with this version).
    const { token } = await q.world.ctx.hubspot.installs.accessToken(q.portalId);
    const asApp = (method: string, path: string, body?: unknown) =>
      fetch(`${q.world.sandbox.hubspot.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await asApp('DELETE', '/crm/v3/properties/deals/dealbooks_amount_paid')).status).toBe(204);
    const oldStatuses = ['draft', 'open', 'partially_paid', 'paid', 'overdue', 'voided'].map((value, displayOrder) => ({ label: value, value, displayOrder, hidden: false }));
    expect((await asApp('PATCH', '/crm/v3/properties/deals/dealbooks_invoice_status', { options: oldStatuses })).status).toBe(200);
    await q.world.ctx.pool.query('DELETE FROM deal_written_properties WHERE portal_id = $1 AND deal_id = $2', [q.portalId, dealId]);

    await storePayment(q, { id: paymentId(), txnDate: '2026-12-03', totalCents: 0, applications: [{ invoiceId, amountCents: TOTAL, creditCents: TOTAL }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: 0 });
    await pipelineQueuesWriteBack(q, dealId);

    expect(await dealbooksProperties(q, dealId)).toMatchObject({ dealbooks_invoice_status: 'credited', dealbooks_amount_paid: '0', dealbooks_invoice_balance: '0' });
    const status = (await (await asApp('GET', '/crm/v3/properties/deals/dealbooks_invoice_status')).json()) as { options: Array<{ value: string }> };
    expect(status.options.map((o) => o.value)).toEqual([...oldStatuses.map((o) => o.value), 'deleted', 'credited']);
  });
});
