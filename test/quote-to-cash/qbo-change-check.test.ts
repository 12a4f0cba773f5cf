import { createConnectUrl } from '../../server/src/connections/connect-quickbooks';
import { QBO_CHANGE_CHECK_ACCOUNT_QUEUE, QBO_CHANGE_CHECK_QUEUE, QBO_CHANGE_QUEUE, QBO_CHANGE_SWEEP_QUEUE, QBO_STALE_EVENT_MS } from '../../server/src/jobs/qbo-change-jobs';
import { browse } from '../support/world';
import { useQ2C, type Q2C } from './support';
import {
  checkChanges,
  copyOf,
  deleteObject,
  eventsAbout,
  hearFromQbo,
  invoicedDeal,
  invoiceProperties,
  pay,
  qboObject,
  qboWrite,
  runAll,
  voidInvoice,
  voidPayment,
  type InvoicedDeal,
} from './support-money';

/**
 * The backstop for QuickBooks notifications that never arrive: change data capture per connection, applied through
 * the same newer-only path as a notification. The simulator loses deliveries on command (`drop`), as Intuit giving up
 * on its retries would; one backstop run must then leave every copy as QuickBooks has it.
 */
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** DealBooks' copy of the invoice matches QuickBooks' invoice now (or QuickBooks has deleted it and the copy says so). */
async function expectCopyMatchesQbo(q: Q2C, invoiceId: string): Promise<void> {
  const qbo = await qboObject(q, 'Invoice', invoiceId);
  const copy = await copyOf(q, 'invoice', invoiceId);
  if (!qbo) {
    expect({ invoiceId, state: copy.qbo_state }).toEqual({ invoiceId, state: 'deleted' });
    return;
  }
  const voided = qbo.TotalAmt === 0 && String(qbo.PrivateNote ?? '').startsWith('Voided');
  expect({ invoiceId, total: copy.total_cents, balance: copy.balance_cents, token: copy.sync_token, due: copy.due_date, state: copy.qbo_state }).toEqual({
    invoiceId,
    total: String(Math.round(qbo.TotalAmt * 100)),
    balance: String(Math.round(qbo.Balance * 100)),
    token: qbo.SyncToken,
    due: qbo.DueDate,
    state: voided ? 'voided' : 'active',
  });
}

async function syncLogOfChecks(q: Q2C): Promise<Array<{ message: string; details: any }>> {
  const { rows } = await q.world.ctx.pool.query(`SELECT message, details FROM sync_log WHERE portal_id = $1 AND action = 'quickbooks-check' ORDER BY id`, [q.portalId]);
  return rows;
}

async function checkpoint(q: Q2C): Promise<{ checked_through: Date | null; last_run_at: Date | null; last_repaired: number }> {
  const { rows } = await q.world.ctx.pool.query('SELECT checked_through, last_run_at, last_repaired FROM qbo_change_checkpoints WHERE portal_id = $1', [q.portalId]);
  return rows[0];
}

async function queuedChecks(q: Q2C): Promise<Array<{ portalId: number; reason: string }>> {
  const { rows } = await q.world.ctx.pool.query(`SELECT data FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry') ORDER BY created_on`, [QBO_CHANGE_CHECK_ACCOUNT_QUEUE]);
  return rows.map((r) => r.data);
}

describe('Backstop: QuickBooks changes whose notifications were lost', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });
  const deals: InvoicedDeal[] = [];
  const COMPANIES = ['Galena Backstop', 'Hornbeam Ledger', 'Iris Counting', 'Juniper Tallies', 'Kestrel Sums'];

  beforeAll(async () => {
    for (const [i, company] of COMPANIES.entries()) deals.push(await invoicedDeal(q, { name: `Backstop deal ${i + 1}`, company }));
    await hearFromQbo(q);
    // The first check of a connection reads DealBooks' own documents by id and sets the checkpoint.
    await checkChanges(q);
    expect(await checkpoint(q)).toMatchObject({ last_repaired: 0, checked_through: expect.any(Date) });
  });

  it('When QuickBooks loses one notification in five, then one backstop run leaves every copy as QuickBooks has it, and the sync log says what it fixed', async () => {
    const [a, b, c, d, e] = deals as [InvoicedDeal, InvoicedDeal, InvoicedDeal, InvoicedDeal, InvoicedDeal];
    let paymentToVoid = '';
    let paymentToDelete = '';
    const changes: Array<() => Promise<unknown>> = [
      () => pay(q, a.customerId, [{ invoiceId: a.invoiceId, amount: 100 }]),
      () => pay(q, b.customerId, [{ invoiceId: b.invoiceId, amount: 500 }]),
      () => voidInvoice(q, c.invoiceId),
      async () => (paymentToVoid = (await pay(q, d.customerId, [{ invoiceId: d.invoiceId, amount: 250 }])).Id),
      () => pay(q, a.customerId, [{ invoiceId: a.invoiceId, amount: 50.5 }]),
      async () => (paymentToDelete = (await pay(q, e.customerId, [{ invoiceId: e.invoiceId, amount: 75 }])).Id),
      async () => {
        const current = await qboObject(q, 'Invoice', b.invoiceId);
        await qboWrite(q, '/invoice', { Id: b.invoiceId, SyncToken: current.SyncToken, sparse: true, DueDate: '2027-02-28' });
      },
      () => voidPayment(q, paymentToVoid),
      () => deleteObject(q, 'Payment', paymentToDelete),
      () => deleteObject(q, 'Invoice', e.invoiceId),
    ];
    // Every fifth delivery is lost for good: the 2nd and the 7th (each change is one delivery).
    const lost = new Set([1, 6]);
    for (const [i, change] of changes.entries()) {
      if (lost.has(i)) await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
      await change();
      await q.world.control('quickbooks', '/webhooks/flush', {});
    }
    await hearFromQbo(q);
    // The lost ones left copies behind: deal B's payment and its due date never arrived.
    expect(await copyOf(q, 'invoice', b.invoiceId)).toMatchObject({ balance_cents: '50000' });
    expect(await invoiceProperties(q, b.dealId)).toMatchObject({ status: 'open', balance: '500' });

    await q.world.clock.advance(MINUTE);
    await checkChanges(q);
    for (const deal of deals) await expectCopyMatchesQbo(q, deal.invoiceId);
    expect(await invoiceProperties(q, b.dealId)).toMatchObject({ status: 'paid', balance: '0' });
    const logged = (await syncLogOfChecks(q)).at(-1)!;
    expect(logged.message).toMatch(/^The QuickBooks change check applied \d+ change\(s\) DealBooks had not heard of: /);
    expect(logged.details).toMatchObject({ reason: 'on demand', mode: 'cdc', documents: [expect.objectContaining({ kind: 'invoice', id: b.invoiceId, dealId: b.dealId, qboState: 'active' })] });
    expect(logged.details.repaired).toBeGreaterThan(0);
    expect((await checkpoint(q)).last_repaired).toBe(logged.details.repaired);

    // A second run finds nothing left to repair and logs nothing.
    await q.world.clock.advance(MINUTE);
    await checkChanges(q);
    expect(await syncLogOfChecks(q)).toHaveLength(1);
    expect((await checkpoint(q)).last_repaired).toBe(0);
  });

  it('When the checkpoint lies beyond change data capture’s 30 days, then DealBooks’ own documents and payments are read by id, and a deletion seen nowhere else is found', async () => {
    const [a] = deals as [InvoicedDeal];
    await hearFromQbo(q);
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
    await pay(q, a.customerId, [{ invoiceId: a.invoiceId, amount: 10 }]);
    await q.world.control('quickbooks', '/webhooks/flush', {});
    const stale = await copyOf(q, 'invoice', a.invoiceId);
    expect(stale.balance_cents).not.toBe(String(Math.round((await qboObject(q, 'Invoice', a.invoiceId)).Balance * 100)));
    const fresh = await invoicedDeal(q, { name: 'Backstop deal beyond 30 days', company: 'Larkspur Archive' });
    await hearFromQbo(q);
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
    await deleteObject(q, 'Invoice', fresh.invoiceId);
    await q.world.control('quickbooks', '/webhooks/flush', {});

    await q.world.clock.advance(31 * DAY);
    await checkChanges(q);
    await expectCopyMatchesQbo(q, a.invoiceId);
    expect(await copyOf(q, 'invoice', fresh.invoiceId)).toMatchObject({ qbo_state: 'deleted' });
    const cdc = (await q.world.control('quickbooks', '/requests?path=/cdc')).requests;
    expect((await syncLogOfChecks(q)).at(-1)!.details).toMatchObject({ mode: 'full' });
    // The full read asked no CDC question QuickBooks would refuse (more than 30 days back).
    expect(cdc.filter((r: any) => r.status !== 200)).toEqual([]);
  });

  it('When notifications are stored but their work was lost, then the sweep queues them again (not while the connection waits for a reconnect) and they are settled', async () => {
    const [, , , d] = deals as [InvoicedDeal, InvoicedDeal, InvoicedDeal, InvoicedDeal];
    await hearFromQbo(q);
    const payment = await pay(q, d.customerId, [{ invoiceId: d.invoiceId, amount: 1 }]);
    await q.world.control('quickbooks', '/webhooks/flush', {});
    // The jobs the intake queued are lost (a crash between commit and send).
    await q.world.ctx.pool.query(`DELETE FROM pgboss.job WHERE name = $1`, [QBO_CHANGE_QUEUE]);
    expect((await eventsAbout(q, 'payment', payment.Id)).map((e) => e.status)).toEqual(['pending']);

    await q.world.ctx.jobs.send(QBO_CHANGE_SWEEP_QUEUE, {});
    expect(await runAll(q, QBO_CHANGE_SWEEP_QUEUE)).toBe(1);
    expect(await runAll(q, QBO_CHANGE_QUEUE)).toBe(0);
    expect((await eventsAbout(q, 'payment', payment.Id)).map((e) => e.status)).toEqual(['pending']);

    await q.world.clock.advance(QBO_STALE_EVENT_MS + MINUTE);
    // While the connection waits for a reconnect, its work would only be parked: the sweep leaves it.
    const { pool } = q.world.ctx;
    await pool.query(`UPDATE qbo_connections SET status = 'needs_reconnect' WHERE portal_id = $1 AND status = 'connected'`, [q.portalId]);
    await q.world.ctx.jobs.send(QBO_CHANGE_SWEEP_QUEUE, {});
    await runAll(q, QBO_CHANGE_SWEEP_QUEUE);
    const { rows: queued } = await pool.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry')`, [QBO_CHANGE_QUEUE]);
    expect(queued[0].n).toBe(0);
    await pool.query(`UPDATE qbo_connections SET status = 'connected' WHERE portal_id = $1 AND status = 'needs_reconnect'`, [q.portalId]);

    await q.world.ctx.jobs.send(QBO_CHANGE_SWEEP_QUEUE, {});
    await runAll(q, QBO_CHANGE_SWEEP_QUEUE);
    expect(await runAll(q, QBO_CHANGE_QUEUE)).toBeGreaterThan(0);
    expect((await eventsAbout(q, 'payment', payment.Id)).map((e) => e.status)).toEqual(['processed']);
    await q.drain();
    await expectCopyMatchesQbo(q, d.invoiceId);
  });
});

describe('Backstop: when the QuickBooks change check runs', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When the schedule comes round, then each connected account not checked for QBO_CHANGE_CHECK_MINUTES is queued once, and not again until the interval has passed', async () => {
    const { jobs } = q.world.ctx;
    const fanOut = async () => {
      await jobs.send(QBO_CHANGE_CHECK_QUEUE, {});
      expect(await runAll(q, QBO_CHANGE_CHECK_QUEUE)).toBeGreaterThan(0);
    };
    await q.world.ctx.pool.query(`DELETE FROM pgboss.job WHERE name = $1`, [QBO_CHANGE_CHECK_ACCOUNT_QUEUE]);
    await fanOut();
    expect(await queuedChecks(q)).toEqual([{ portalId: q.portalId, reason: 'schedule' }]);
    // Still waiting to run: not queued twice.
    await fanOut();
    expect(await queuedChecks(q)).toHaveLength(1);
    expect(await runAll(q, QBO_CHANGE_CHECK_ACCOUNT_QUEUE)).toBe(1);
    await fanOut();
    expect(await queuedChecks(q)).toEqual([]);
    await q.world.clock.advance(q.world.ctx.config.qboChangeCheckMinutes * MINUTE + 1);
    await fanOut();
    expect(await queuedChecks(q)).toEqual([{ portalId: q.portalId, reason: 'schedule' }]);
    await runAll(q, QBO_CHANGE_CHECK_ACCOUNT_QUEUE);
  });

  it('When a person asks on the settings page, then a check is queued at once (202)', async () => {
    const asked = await q.card('POST', '/api/quickbooks/check-changes');
    expect(asked).toMatchObject({ status: 202, body: { queued: true } });
    expect(await queuedChecks(q)).toEqual([{ portalId: q.portalId, reason: 'on demand' }]);
    expect(await runAll(q, QBO_CHANGE_CHECK_ACCOUNT_QUEUE)).toBe(1);
  });

  it('When the account reconnects QuickBooks, then a check is queued, so what changed while DealBooks could not act is applied', async () => {
    const { url } = await createConnectUrl(q.world.ctx, { portalId: q.portalId });
    const page = await browse(url);
    expect(page.status).toBe(200);
    expect(await queuedChecks(q)).toEqual([{ portalId: q.portalId, reason: 'connected' }]);
    expect(await runAll(q, QBO_CHANGE_CHECK_ACCOUNT_QUEUE)).toBe(1);
  });
});
