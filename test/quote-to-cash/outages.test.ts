import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import { makeDeal, useQ2C } from './support';

/**
 * While QuickBooks does not answer, the card says what the work waits for and when it is tried next, and the sync
 * log says why the attempt stopped (code "network" and the error's words, not QBO error "0").
 */
describe('Outages: the card shows what the work waits for', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When QuickBooks drops every connection, then the summary shows the action waiting for QuickBooks with its next attempt, the sync log names a network failure, and the invoice is made once QuickBooks answers', async () => {
    const { dealId } = await makeDeal(q, { name: 'Outage deal', company: 'Stormcellar Supply', lines: [{ name: 'Sandbags', price: '12.50', quantity: '40' }] });
    await q.world.control('quickbooks', '/faults', { path: '/v3/company/', kind: 'reset', times: 1000 });
    expect((await q.card('POST', `/api/deals/${dealId}/invoices`, {})).status).toBe(202);

    const failedAt = Date.now();
    expect(await q.world.ctx.jobs.runNext(DEAL_WORK_QUEUE, { ignoreStartAfter: true })).toBe('failed');
    const during = (await q.card('GET', `/api/deals/${dealId}/summary`)).body;
    expect(during.pending).toEqual([
      expect.objectContaining({
        kind: 'invoice',
        status: 'queued',
        waitingFor: expect.stringMatching(/^QuickBooks is not answering: the connection to QuickBooks was reset\. DealBooks tries again by itself\.$/),
        nextAttemptAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      }),
    ]);
    // The queue's backoff: the next attempt is after the failure, not now (pg-boss schedules it on the database's clock).
    expect(Date.parse(during.pending[0].nextAttemptAt)).toBeGreaterThan(failedAt);
    expect(during.problems).toEqual([expect.objectContaining({ code: 'quickbooks_unavailable' })]);

    const log = (await q.card('GET', `/api/sync-log?dealId=${dealId}`)).body.entries;
    expect(log[0]).toMatchObject({ outcome: 'retrying', errorCode: 'network', message: expect.stringMatching(/the connection to QuickBooks was reset/) });

    const cleared = await fetch(`${q.world.sandbox.quickbooks.url}/_sim/faults`, { method: 'DELETE' });
    expect(cleared.status).toBe(204);
    await q.drain();
    const after = (await q.card('GET', `/api/deals/${dealId}/summary`)).body;
    expect(after.invoices).toHaveLength(1);
    expect(after.pending).toEqual([]);
    expect(after.problems).toEqual([]);
  });
});
