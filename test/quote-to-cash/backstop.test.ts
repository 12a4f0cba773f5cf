import { BACKSTOP_ACCOUNT_QUEUE, BACKSTOP_QUEUE } from '../../server/src/jobs/backstop-jobs';
import { queueDealEvents } from '../../server/src/jobs/deal-jobs';
import { BACKSTOP_GRACE_MS, backstopAccount } from '../../server/src/quote-to-cash/backstop';
import { makeDeal, useQ2C, type Q2C } from './support';
import { clearFaults, fault } from './support-once';

/**
 * The backstop for HubSpot webhooks that never arrive: a delivery lost for good (the simulator's `drop` mode, which
 * is what HubSpot giving up after its retries, or refusing every attempt, leaves behind: nothing stored) must still
 * end in the won deal's invoice, once, through the path a webhook takes. The search it makes is HubSpot's CRM search
 * (test/simulators/hubspot/crm/search.ts), throttled by the simulator like HubSpot's.
 */

const MINUTE = 60_000;
// Company names far apart, so no deal's company resembles another's QBO customer (that would ask for confirmation).
const COMPANIES = ['Anvil Kilnworks', 'Bramble Optics', 'Cobalt Ferries', 'Delta Orchards', 'Ember Lacquer', 'Fjord Saddlery'];
let made = 0;

async function wonWithoutWebhook(q: Q2C, name: string, options: { webhook: 'lost' | 'delivered' } = { webhook: 'lost' }): Promise<string> {
  made += 1;
  const { dealId } = await makeDeal(q, {
    name,
    company: COMPANIES[made - 1]!,
    contacts: [{ firstname: 'Bea', lastname: `Stop${made}`, email: `bea${made}@backstop.example` }],
    lines: [{ name: 'Kiln service', price: '410.25', quantity: '2' }],
  });
  if (options.webhook === 'lost') await q.world.control('hubspot', '/webhooks/mode', { drop: 1 });
  await q.edit('deals', dealId, { dealstage: 'closedwon' });
  return dealId;
}

/** The scheduled run, as the queue runs it: the fan-out job, then every account's job. */
async function scheduledRun(q: Q2C): Promise<void> {
  const { jobs } = q.world.ctx;
  await jobs.send(BACKSTOP_QUEUE, {});
  expect(await jobs.runNext(BACKSTOP_QUEUE)).toBe('completed');
  for (let i = 0; i < 10 && (await jobs.runNext(BACKSTOP_ACCOUNT_QUEUE)) !== 'idle'; i++);
}

async function invoicesOf(q: Q2C, dealId: string): Promise<any[]> {
  const summary = await q.card('GET', `/api/deals/${dealId}/summary`);
  expect(summary.status).toBe(200);
  return summary.body.invoices;
}

async function checkpoint(q: Q2C): Promise<{ checked_through: Date; last_found: number; last_queued: number } | undefined> {
  const { rows } = await q.world.ctx.pool.query('SELECT checked_through, last_found, last_queued FROM deal_backstop_checkpoints WHERE portal_id = $1', [q.portalId]);
  return rows[0];
}

async function searches(q: Q2C): Promise<any[]> {
  return (await q.world.control('hubspot', '/requests?method=POST&path=/crm/v3/objects/deals/search')).requests;
}

describe('Backstop: a won deal whose webhook never arrived', () => {
  const q = useQ2C({ settings: { autoInvoice: true, defaultItemId: '3' } });

  it('When the dealstage webhook of a won deal is lost, then the next scheduled backstop run after the grace period creates its invoice once, and later runs create nothing more', async () => {
    const dealId = await wonWithoutWebhook(q, 'Lost webhook deal');
    await q.drain();
    expect(await invoicesOf(q, dealId)).toEqual([]);

    // Within the grace period the webhook may still come: the backstop leaves the change alone.
    await scheduledRun(q);
    await q.drain();
    expect(await invoicesOf(q, dealId)).toEqual([]);

    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    await scheduledRun(q);
    expect(await checkpoint(q)).toMatchObject({ last_found: 1, last_queued: 1 });
    await q.drain();
    const invoices = await invoicesOf(q, dealId);
    expect(invoices).toHaveLength(1);
    expect(invoices[0].totalCents).toBe(82050);

    // The invoice's write-back changed the deal again, so the next run finds it, and knows it: nothing is queued.
    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    await scheduledRun(q);
    expect(await checkpoint(q)).toMatchObject({ last_found: 1, last_queued: 0 });
    await q.drain();
    expect(await invoicesOf(q, dealId)).toHaveLength(1);
    const { rows } = await q.world.ctx.pool.query(`SELECT count(*)::int AS n FROM deal_actions WHERE portal_id = $1 AND deal_id = $2`, [q.portalId, dealId]);
    expect(rows[0].n).toBe(1);
    expect((await q.qbo('Invoice')).filter((i: any) => i.TotalAmt === 820.5)).toHaveLength(1);
  });

  it('When a won deal got its webhook and its invoice, then the backstop finds it but queues nothing', async () => {
    const dealId = await wonWithoutWebhook(q, 'Webhook arrived deal', { webhook: 'delivered' });
    await q.drain();
    expect(await invoicesOf(q, dealId)).toHaveLength(1);
    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    await scheduledRun(q);
    expect(await checkpoint(q)).toMatchObject({ last_found: 1, last_queued: 0 });
    await q.drain();
    expect(await invoicesOf(q, dealId)).toHaveLength(1);
  });
});

describe('Backstop: the search it makes', () => {
  const q = useQ2C({ settings: { autoInvoice: true, defaultItemId: '3' } });

  it('When several won deals were missed, then HubSpot is searched by trigger stage and change time from the stored checkpoint, page by page, waiting out a 429, and every deal is invoiced once', async () => {
    const deals = [];
    for (const name of ['Missed one', 'Missed two', 'Missed three']) deals.push(await wonWithoutWebhook(q, name));
    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    await fault(q, 'hubspot', { path: '/crm/v3/objects/deals/search', status: 429, times: 1, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' } });

    const started = performance.now();
    const outcome = await backstopAccount(q.world.ctx.quoteToCash, q.portalId, { onDealEvents: (events) => queueDealEvents(q.world.ctx, events) }, { pageSize: 2 });
    const elapsed = performance.now() - started;
    await clearFaults(q, 'hubspot');
    // One search for merges the webhooks missed, then the won deals page by page.
    expect(outcome).toMatchObject({ decision: 'searched', found: 3, queued: 3, searches: 3 });
    // The 429 asked for a second (HubSpot's search limit is per second), and the pages are spaced apart.
    expect(elapsed).toBeGreaterThanOrEqual(1000);

    // The merges search met the 429 and was tried again; then the two pages of won deals (sent[1] and sent[2]).
    const all = await searches(q);
    expect(all.map((r) => r.status)).toEqual([429, 200, 200, 200]);
    expect(all[1].body.filterGroups[0].filters[0]).toEqual({ propertyName: 'hs_merged_object_ids', operator: 'HAS_PROPERTY' });
    const sent = all.slice(1);
    const now = q.world.clock.nowMs();
    const until = String(now - BACKSTOP_GRACE_MS);
    expect(sent[1].body).toMatchObject({
      filterGroups: [
        {
          filters: [
            { propertyName: 'dealstage', operator: 'IN', values: expect.arrayContaining(['closedwon']) },
            { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: expect.stringMatching(/^\d+$/) },
            { propertyName: 'hs_lastmodifieddate', operator: 'LT', value: until },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
      limit: 2,
    });
    expect(sent[1].body.after).toBeUndefined();
    expect(sent[2].body.after).toBe('2');
    expect((await checkpoint(q))?.checked_through.getTime()).toBe(now - BACKSTOP_GRACE_MS);

    await q.drain();
    for (const dealId of deals) expect(await invoicesOf(q, dealId)).toHaveLength(1);

    // The next run starts where this one stopped, and finds only what changed since (the write-backs).
    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    const next = await backstopAccount(q.world.ctx.quoteToCash, q.portalId, { onDealEvents: (events) => queueDealEvents(q.world.ctx, events) });
    expect(next).toMatchObject({ decision: 'searched', queued: 0 });
    const latest = (await searches(q)).at(-1);
    expect(latest.body.filterGroups[0].filters[1].value).toBe(until);
    await q.drain();
    for (const dealId of deals) expect(await invoicesOf(q, dealId)).toHaveLength(1);
  });

  it('When auto-invoice is off, then the backstop does not search for won deals (only for merges) and moves its checkpoint on, so turning auto-invoice on later does not invoice deals won meanwhile', async () => {
    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    await q.settings({ autoInvoice: false });
    const dealId = await wonWithoutWebhook(q, 'Won while off');
    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    const before = (await searches(q)).length;
    await scheduledRun(q);
    expect((await searches(q)).slice(before).map((r: any) => r.body.filterGroups[0].filters[0].propertyName)).toEqual(['hs_merged_object_ids']);
    expect((await checkpoint(q))?.checked_through.getTime()).toBe(q.world.clock.nowMs() - BACKSTOP_GRACE_MS);

    await q.settings({ autoInvoice: true });
    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    await scheduledRun(q);
    await q.drain();
    expect(await invoicesOf(q, dealId)).toEqual([]);
  });

  it('When the webhooks of a deal merge are lost, then the backstop finds the merged deal by hs_merged_object_ids and its invoice moves to the survivor, once', async () => {
    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    const invoiced = await wonWithoutWebhook(q, 'Merged without webhook', { webhook: 'delivered' });
    await q.drain();
    expect(await invoicesOf(q, invoiced)).toHaveLength(1);
    const other = await makeDeal(q, { name: 'Merge partner without webhook', company: 'Galleon Tinsmiths', lines: [{ name: 'Kiln service', price: '10', quantity: '1' }] });
    await q.world.control('hubspot', '/webhooks/mode', { drop: 10 });
    const survivor = String((await q.world.control('hubspot', `/hubspot/accounts/${q.portalId}/objects/deals/merge`, { primaryObjectId: other.dealId, objectIdToMerge: invoiced })).id);
    await q.flushHubSpot();
    await q.world.control('hubspot', '/webhooks/mode', { drop: 0 });
    await q.drain();
    expect(await invoicesOf(q, survivor)).toEqual([]);

    await q.world.clock.advance(BACKSTOP_GRACE_MS + MINUTE);
    await scheduledRun(q);
    await q.drain();
    expect((await invoicesOf(q, survivor)).map((i: any) => i.id)).toHaveLength(1);
    // A later run finds the merge recorded and hands nothing more to the intake.
    await q.world.clock.advance(MINUTE);
    const stored = (await q.world.ctx.pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE portal_id = $1 AND event_type = 'object.merge'`, [q.portalId])).rows[0].n;
    await scheduledRun(q);
    expect((await q.world.ctx.pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE portal_id = $1 AND event_type = 'object.merge'`, [q.portalId])).rows[0].n).toBe(stored);
  });
});
