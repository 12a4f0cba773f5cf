import { DEAL_WORK_QUEUE, DEAL_WORK_RETRY_LIMIT } from '../../server/src/jobs/deal-jobs';
import { hubspotRecord, useQ2C, type Q2C } from './support';
import { clearFaults, dealActions, dealJobs, fault, invoicePostsOfDeal, invoicesOfDeal, newDeal, runOne } from './support-once';

/**
 * Work that keeps failing: QuickBooks answers 500 to every invoice write of one deal (a simulator fault narrowed to
 * that deal's writes by the deal id in their private note). The action gets the configured attempts and no more,
 * then ends failed where a person sees it (the card, the sync log, the deal in HubSpot) and its job is dead-lettered;
 * the other deals' work goes on meanwhile; the sync log's Retry starts it again once QuickBooks is well.
 */

/** Runs deal work as the workers would, each job only once it is due (no skipping backoff), until none is due. */
async function runDueWork(q: Q2C): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await q.world.ctx.jobs.runNext(DEAL_WORK_QUEUE)) === 'idle') return;
  }
  throw new Error('deal work did not settle in 50 jobs');
}

describe('Deal work that keeps failing', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });
  afterEach(() => clearFaults(q, 'quickbooks'));

  it('When QuickBooks answers 500 to every write for one deal, then its action runs the configured attempts, ends failed with the reason on the card and in the sync log, is dead-lettered, holds up no other deal, and Retry starts it again', async () => {
    const failing = await newDeal(q, { name: 'Always failing', company: 'Brokenwire Ropemakers' });
    const healthy = await newDeal(q, { name: 'Healthy neighbour', company: 'Sunnyside Glaziers' });
    await fault(q, 'quickbooks', { path: '/invoice', method: 'POST', status: 500, times: 100, bodyContains: `(deal ${failing.dealId},` });

    expect((await q.card('POST', `/api/deals/${failing.dealId}/invoices`, {})).status).toBe(202);
    expect((await q.card('POST', `/api/deals/${healthy.dealId}/invoices`, {})).status).toBe(202);

    // What is due now: the failing deal's first attempt and the healthy deal's action. The failing one waits out its
    // backoff while the other deal gets its invoice.
    await runDueWork(q);
    expect(await invoicesOfDeal(q, healthy.dealId)).toHaveLength(1);
    expect((await dealActions(q, healthy.dealId)).map((a) => a.status)).toEqual(['succeeded']);
    expect(await invoicePostsOfDeal(q, failing.dealId)).toHaveLength(1);
    const [job] = await dealJobs(q, failing.dealId, 'action');
    expect(job!.state).toBe('retry');

    // Every retry, past its backoff, until the job ends (bounded: a job that retried forever would fail here).
    let runs = 1;
    while ((await dealJobs(q, failing.dealId, 'action'))[0]!.state !== 'failed') {
      expect(runs).toBeLessThan(DEAL_WORK_RETRY_LIMIT + 1);
      expect(await runOne(q)).toBe('failed');
      runs += 1;
    }
    expect(runs).toBe(DEAL_WORK_RETRY_LIMIT + 1);
    expect(await invoicePostsOfDeal(q, failing.dealId)).toHaveLength(DEAL_WORK_RETRY_LIMIT + 1);
    expect(await invoicesOfDeal(q, failing.dealId)).toHaveLength(0);
    expect(await runOne(q)).toBe('idle');

    // Failed for good, in words, where a person looks.
    expect((await dealActions(q, failing.dealId)).map((a) => a.status)).toEqual(['failed']);
    const log = (await q.card('GET', `/api/sync-log?dealId=${failing.dealId}`)).body.entries;
    // One entry per attempt, each with QuickBooks' code and transaction id; the last says it stopped, not "will try again".
    const attempts = log.filter((e: any) => e.action === 'invoice');
    expect(attempts.map((e: any) => e.outcome)).toEqual(['failed', ...Array(DEAL_WORK_RETRY_LIMIT).fill('retrying')]);
    for (const entry of attempts) expect(entry).toMatchObject({ errorCode: '10000', intuitTid: expect.stringMatching(/\S/) });
    const reason = attempts[0].message as string;
    expect(reason).toBe(
      'QuickBooks answered 500 (code 10000): An application error has occurred while processing your request. DealBooks stopped retrying; use Retry in the sync log once the cause is fixed.',
    );
    const summary = (await q.card('GET', `/api/deals/${failing.dealId}/summary`)).body;
    expect(summary.pending).toEqual([]);
    expect(summary.invoices).toEqual([]);
    expect(summary.problems.map((p: any) => p.message)).toEqual([reason]);
    expect((await hubspotRecord(q, 'deals', failing.dealId)).properties.dealbooks_last_problem).toBe(reason);
    const deadLetters = await q.world.ctx.jobs.deadLetters({ queue: DEAL_WORK_QUEUE });
    expect(deadLetters.filter((d: any) => d.data.dealId === failing.dealId)).toEqual([
      expect.objectContaining({ id: job!.id, attempts: DEAL_WORK_RETRY_LIMIT + 1, error: expect.stringMatching(/500/) }),
    ]);

    // QuickBooks is well again; the rep presses Retry on the failed entry.
    await clearFaults(q, 'quickbooks');
    const retried = await q.card('POST', `/api/sync-log/${attempts[0].id}/retry`, {});
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ status: 'queued', alreadyQueued: false, action: { kind: 'invoice' } });
    await q.drain();
    const [invoice] = await invoicesOfDeal(q, failing.dealId);
    expect(invoice).toBeDefined();
    const after = (await q.card('GET', `/api/deals/${failing.dealId}/summary`)).body;
    expect(after.invoices.map((i: any) => i.id)).toEqual([invoice.Id]);
    expect(after.problems).toEqual([]);
    expect((await dealActions(q, failing.dealId)).map((a) => `${a.trigger}:${a.status}`)).toEqual(['card:failed', 'retry:succeeded']);
  });
});
