import { ServiceProcess } from '../support/child';
import { DATABASE_KIND, eventually } from '../support/harness';
import { qboRecord, useQ2C, type Q2C } from './support';
import {
  clearFaults,
  clickTwiceAtOnce,
  dealActions,
  dealJobs,
  drainConcurrently,
  expireRunningJob,
  fault,
  faults,
  invoicePostsOfDeal,
  invoicesOfEstimate,
  newEstimate,
  runOne,
  runningActionJob,
  workerEnv,
} from './support-once';

/**
 * Converting an estimate to an invoice, exactly once, by the same path as creating an invoice: the deal's invoice
 * link and its QBO requestid exist before the write and every try reuses them, and after an unknown outcome the
 * invoice is looked for by the marker in its private note before anything is written again. Whatever is lost on the
 * wire, killed half-way or pressed twice, QuickBooks ends with one invoice linked to the estimate, and the estimate
 * linked to that one invoice. Each case checks what QuickBooks holds (the simulator's store).
 */

/** One invoice converted from the estimate, the estimate linked (closed) to it alone, and the card showing it. */
async function expectConvertedOnce(q: Q2C, dealId: string, estimateId: string): Promise<any> {
  const invoices = await invoicesOfEstimate(q, estimateId);
  expect(invoices).toHaveLength(1);
  const invoice = invoices[0];
  const estimate = await qboRecord(q, 'Estimate', estimateId);
  expect(estimate.TxnStatus).toBe('Closed');
  expect(estimate.LinkedTxn).toEqual([{ TxnId: invoice.Id, TxnType: 'Invoice' }]);
  expect(invoice.CustomerRef.value).toBe(estimate.CustomerRef.value);
  const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
  expect(summary.body.invoices.map((i: any) => i.id)).toEqual([invoice.Id]);
  expect(summary.body.estimates.map((e: any) => [e.id, e.status])).toEqual([[estimateId, 'converted']]);
  const convert = (await dealActions(q, dealId)).filter((a) => a.kind === 'convert');
  expect(convert.map((a) => a.status)).toEqual(['succeeded']);
  return invoice;
}

async function pressConvert(q: Q2C, estimateId: string): Promise<void> {
  expect((await q.card('POST', `/api/estimates/${estimateId}/convert`, {})).status).toBe(202);
}

describe('Converting an estimate exactly once: an unknown outcome at QuickBooks', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });
  afterEach(() => clearFaults(q, 'quickbooks'));

  /** QBO makes the invoice and the connection is cut before its answer leaves: DealBooks cannot know. */
  async function convertAndLoseTheAnswer(name: string, company: string) {
    const deal = await newEstimate(q, { name, company });
    await pressConvert(q, deal.estimate.Id);
    await fault(q, 'quickbooks', { path: '/invoice', method: 'POST', kind: 'reset', after: true });
    expect(await runOne(q)).toBe('failed');
    const created = await invoicesOfEstimate(q, deal.estimate.Id);
    expect(created).toHaveLength(1);
    // The lost answer may pass: the action waits for its next attempt (queued, with what it waits for on the card).
    expect((await dealActions(q, deal.dealId)).at(-1)).toMatchObject({ kind: 'convert', status: 'queued' });
    return { ...deal, created: created[0] };
  }

  it('When the answer to the conversion is lost, then the retry finds the invoice QuickBooks made, does not write again, and links the estimate once', async () => {
    const { dealId, estimate, created } = await convertAndLoseTheAnswer('Convert lost answer', 'Lost Reply Saddlery');
    expect(await invoicePostsOfDeal(q, dealId)).toHaveLength(1);

    await q.drain();

    expect((await expectConvertedOnce(q, dealId, estimate.Id)).Id).toBe(created.Id);
    // The retry looked (by the marker in the private note) instead of writing again.
    expect(await invoicePostsOfDeal(q, dealId)).toHaveLength(1);
    expect(created.PrivateNote).toMatch(/DealBooks ref [0-9a-f-]{36}$/);
    const log = await q.card('GET', `/api/sync-log?dealId=${dealId}`);
    expect(log.body.entries.map((e: any) => `${e.action}:${e.outcome}`)).toEqual(expect.arrayContaining(['convert:retrying']));
  });

  it("When the conversion's answer is lost and every later invoice write fails, then the lookup alone finishes it with the one invoice", async () => {
    const { dealId, estimate, created } = await convertAndLoseTheAnswer('Convert lost answer, no replay', 'Quiet Wire Tinsmiths');
    // QBO's requestid replay helps only a write that is sent again: every invoice POST now fails before it reaches
    // QBO (faults sit in front of the API), so the retry can succeed only by finding the invoice itself.
    await fault(q, 'quickbooks', { path: '/invoice', method: 'POST', status: 500, times: 5 });

    await q.drain();

    expect((await expectConvertedOnce(q, dealId, estimate.Id)).Id).toBe(created.Id);
    expect((await faults(q, 'quickbooks')).map((f) => f.remaining)).toEqual([5]);
  });

  it('When the connection drops before QuickBooks saw the conversion, then the retry writes it with the same requestid, once', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Convert dropped before', company: 'Early Drop Chandlery' });
    await pressConvert(q, estimate.Id);
    await fault(q, 'quickbooks', { path: '/invoice', method: 'POST', kind: 'reset' });
    expect(await runOne(q)).toBe('failed');
    expect(await invoicesOfEstimate(q, estimate.Id)).toHaveLength(0);

    await q.drain();

    const invoice = await expectConvertedOnce(q, dealId, estimate.Id);
    // Both attempts carried the one requestid the deal's invoice link holds, the one named in the invoice's marker.
    const posts = await invoicePostsOfDeal(q, dealId);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.query.requestid).toBe(posts[0]!.query.requestid);
    expect(invoice.PrivateNote).toContain(`DealBooks ref ${posts[0]!.query.requestid}`);
  });
});

describe('Converting an estimate exactly once: the card', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When "Convert to invoice" is pressed twice, then one action is queued and one invoice made, linked to the estimate once', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Convert double click', company: 'Twin Press Bookbinders' });
    const first = await q.card('POST', `/api/estimates/${estimate.Id}/convert`, {});
    const second = await q.card('POST', `/api/estimates/${estimate.Id}/convert`, {});
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body).toMatchObject({ status: 'queued', alreadyQueued: true, action: { id: first.body.action.id } });
    await q.drain();
    await expectConvertedOnce(q, dealId, estimate.Id);
    expect(await invoicePostsOfDeal(q, dealId)).toHaveLength(1);
  });

  it('When "Convert to invoice" is pressed twice at the same moment, then both presses get the same action and one invoice is made', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Convert simultaneous click', company: 'Samemoment Coopers' });
    const answers = await clickTwiceAtOnce(q, 'POST', `/api/estimates/${estimate.Id}/convert`, {});
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    const bodies = answers.map((a) => a.body as any);
    expect(bodies[0].action.id).toBe(bodies[1].action.id);
    expect(await dealJobs(q, dealId, 'action')).toHaveLength(2); // the estimate's, then the conversion's
    await drainConcurrently(q, 2);
    await expectConvertedOnce(q, dealId, estimate.Id);
    expect(await invoicePostsOfDeal(q, dealId)).toHaveLength(1);
  });
});

describe(`Converting an estimate exactly once: a worker stops mid-call (${DATABASE_KIND})`, () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });
  afterEach(() => clearFaults(q, 'quickbooks'));

  it('When a worker stalls in the conversion call past its job expiry, then another worker finishes with one invoice, and the stalled one creates nothing when it wakes', async () => {
    const { dealId, estimate } = await newEstimate(q, { name: 'Convert stalled worker', company: 'Slowpoke Wheelwrights' });
    await pressConvert(q, estimate.Id);
    await fault(q, 'quickbooks', { path: '/invoice', method: 'POST', kind: 'hang', after: true });
    const stalled = runOne(q);
    await eventually(async () => (await invoicesOfEstimate(q, estimate.Id)).length === 1, { what: 'QBO to hold the converted invoice' });
    await expireRunningJob(q, await runningActionJob(q, dealId));
    await q.drain();
    const invoice = await expectConvertedOnce(q, dealId, estimate.Id);

    await clearFaults(q, 'quickbooks');
    expect(await stalled).toBe('completed');
    await q.drain();
    expect((await expectConvertedOnce(q, dealId, estimate.Id)).Id).toBe(invoice.Id);
    expect(await invoicePostsOfDeal(q, dealId)).toHaveLength(1);
  });

  // Killing a process needs a second process on the same database: the embedded database serves one process
  // (test/connections/multi-process-refresh.test.ts), so this runs on real Postgres; the stall above runs on both.
  if (DATABASE_KIND === 'postgres') {
    it('When a worker process is killed while its conversion call hangs, then the job expires, another worker picks it up, and the estimate ends with one invoice', async () => {
      const { dealId, estimate } = await newEstimate(q, { name: 'Convert killed worker', company: 'Ninelives Farriers' });
      await pressConvert(q, estimate.Id);
      await fault(q, 'quickbooks', { path: '/invoice', method: 'POST', kind: 'hang', after: true });

      const worker = new ServiceProcess(workerEnv(q));
      try {
        await worker.waitFor((e) => e.event === 'ready', 'the worker to start');
        await eventually(async () => (await invoicesOfEstimate(q, estimate.Id)).length === 1, { what: 'the worker to make the invoice at QBO', timeoutMs: 30_000 });
      } finally {
        worker.kill('SIGKILL');
      }
      expect(await worker.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect((await dealActions(q, dealId)).at(-1)).toMatchObject({ kind: 'convert', status: 'running' });
      expect(await invoicePostsOfDeal(q, dealId)).toHaveLength(1);

      // The dead worker's job stays active until its expiry (pg-boss, database time): moved forward by SQL.
      await expireRunningJob(q, await runningActionJob(q, dealId));
      await q.drain();

      await expectConvertedOnce(q, dealId, estimate.Id);
      expect(await invoicePostsOfDeal(q, dealId)).toHaveLength(1);
      expect((await dealJobs(q, dealId, 'action')).map((j) => j.state)).toEqual(['completed', 'completed']);
    }, 240_000); // a real service process starts (tsx) first: slow on a busy machine, as test/process/crash.test.ts allows
  }
});
