import { z } from 'zod';
import type { AppContext } from '../context';
import { getAction, openAction } from '../db/deal-actions';
import { findLink } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { wonStageIds } from '../hubspot/deals';
import { triggerStagesFor } from '../sync/settings';
import type { Pipeline } from '../sync/model';
import { writeBack } from '../sync/write-back';
import { JobMustWaitError } from '../errors';
import type { JobContext } from './queue';

/**
 * Work on one deal, serialised per deal across every worker (the queue's key lease), in one queue:
 * - `events`: the deal's pending webhook events. The deal is read fresh from HubSpot, so late, repeated or
 *   out-of-order events act on the deal as it is now; if auto-invoice applies, an action is queued.
 * - `action`: a deal action (create invoice/estimate, convert, send), queued by the card, auto-invoice or a retry.
 * - `write-back`: DealBooks' deal properties, when writing them right after an action failed.
 * A sweep re-queues events still pending after a while (an enqueue lost between commit and send, a crash).
 */
export const DEAL_WORK_QUEUE = 'deal.work';
export const DEAL_EVENTS_SWEEP_QUEUE = 'deal.events-sweep';
/** Events pending longer than this are queued again by the sweep. */
export const STALE_EVENT_MS = 2 * 60_000;

const id = z.string().regex(/^\d{1,20}$/);
const dealWork = z.discriminatedUnion('task', [
  z.object({ task: z.literal('events'), portalId: z.number().int().positive(), dealId: id }),
  z.object({ task: z.literal('action'), portalId: z.number().int().positive(), dealId: id, actionId: z.number().int().positive() }),
  z.object({ task: z.literal('write-back'), portalId: z.number().int().positive(), dealId: id }),
]);
export type DealWork = z.infer<typeof dealWork>;

export function queueDealWork(ctx: Pick<AppContext, 'jobs'>, work: DealWork): Promise<string | null> {
  return ctx.jobs.send(DEAL_WORK_QUEUE, work);
}

async function pipelinesOf(ctx: AppContext, portalId: number): Promise<Pipeline[]> {
  return ctx.sync.cache.get(portalId, 'pipelines', () => ctx.sync.deals.pipelines(portalId));
}

interface PendingEvent {
  id: number;
}

async function settleEvents(ctx: AppContext, events: PendingEvent[], status: 'processed' | 'ignored', note: string | null): Promise<void> {
  await ctx.pool.query(`UPDATE webhook_events SET status = $2, error = $3, processed_at = $4 WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [
    events.map((e) => e.id),
    status,
    note,
    ctx.clock.now(),
  ]);
}

/** What the deal's events lead to. Exported for tests of the decision itself. */
export async function handleDealEvents(ctx: AppContext, portalId: number, dealId: string): Promise<{ decision: string; actionId?: number }> {
  const { rows } = await ctx.pool.query<{ id: string }>(
    `SELECT id FROM webhook_events WHERE portal_id = $1 AND source = 'hubspot' AND object_type = 'deal' AND object_id = $2 AND status = 'pending' ORDER BY id`,
    [portalId, dealId],
  );
  const events = rows.map((r) => ({ id: Number(r.id) }));
  if (events.length === 0) return { decision: 'nothing pending' };

  const install = await ctx.hubspot.installs.get(portalId);
  if (!install || install.status !== 'installed') {
    await settleEvents(ctx, events, 'ignored', 'DealBooks is not installed in this HubSpot account.');
    return { decision: 'not installed' };
  }
  const { settings } = await readSettings(ctx.pool, portalId);
  if (!settings.autoInvoice) {
    await settleEvents(ctx, events, 'processed', 'auto-invoice is off');
    return { decision: 'auto-invoice off' };
  }
  const deal = await ctx.sync.deals.readDeal(portalId, dealId);
  if (!deal) {
    await settleEvents(ctx, events, 'ignored', 'The deal no longer exists in HubSpot.');
    return { decision: 'deal gone' };
  }
  const pipeline = (await pipelinesOf(ctx, portalId)).find((p) => p.id === deal.pipeline);
  const triggers = triggerStagesFor(settings, deal.pipeline ?? '', pipeline ? wonStageIds(pipeline) : []);
  if (!deal.stage || !triggers.includes(deal.stage)) {
    await settleEvents(ctx, events, 'processed', `stage ${deal.stage ?? '(none)'} does not trigger auto-invoice`);
    return { decision: 'not a trigger stage' };
  }
  const connection = await ctx.quickbooks.connections.live(portalId);
  if (connection) {
    const kindType = settings.documentKind === 'invoice' ? 'Invoice' : 'Estimate';
    const existing = await findLink(ctx.pool, connection.id, 'deal', dealId, kindType);
    // A deal reopened and won again, or a repeated event: the document exists; never a second. (A pending or
    // refused attempt goes on through a new action, which looks for a lost document before writing.)
    if (existing?.status === 'linked') {
      await settleEvents(ctx, events, 'processed', `the deal already has its ${settings.documentKind}`);
      return { decision: 'already has a document' };
    }
  }
  const { action, created } = await openAction(ctx.pool, { portalId, dealId, kind: settings.documentKind, trigger: 'auto', userId: null }, ctx.clock.now());
  if (created) await queueDealWork(ctx, { task: 'action', portalId, dealId, actionId: action.id });
  await settleEvents(ctx, events, 'processed', `${settings.documentKind} queued (action ${action.id})`);
  return { decision: 'queued', actionId: action.id };
}

async function runAction(ctx: AppContext, work: Extract<DealWork, { task: 'action' }>, job: JobContext): Promise<unknown> {
  const action = await getAction(ctx.pool, work.portalId, work.actionId);
  if (!action) return { skipped: 'action not found' };
  if (action.status !== 'queued' && action.status !== 'running') return { skipped: `action already ${action.status}` };
  try {
    return await ctx.sync.quoteToCash.run(action);
  } catch (err) {
    const lastAttempt = job.attempt > job.retryLimit;
    // A job that must wait for a reconnect is parked without spending an attempt: it is not given up.
    if (lastAttempt && !(err instanceof JobMustWaitError)) await ctx.sync.quoteToCash.giveUp(action, err instanceof Error ? err.message : String(err));
    throw err;
  }
}

export function registerDealJobs(ctx: AppContext): void {
  ctx.jobs.define({
    name: DEAL_WORK_QUEUE,
    schema: dealWork,
    serialKey: (work) => `${work.portalId}:${work.dealId}`,
    retryLimit: 8,
    retryDelaySeconds: 15,
    retryBackoff: true,
    // Mostly waiting on HubSpot and QBO, so more than the CPU count; QBO's own cap (10 per company) is kept by the API client.
    concurrency: 8,
    handler: async (work, job) => {
      switch (work.task) {
        case 'events':
          return handleDealEvents(ctx, work.portalId, work.dealId);
        case 'action':
          return runAction(ctx, work, job);
        case 'write-back':
          return writeBack({ pool: ctx.pool, deals: ctx.sync.deals, connections: ctx.quickbooks.connections, clock: ctx.clock }, work.portalId, work.dealId, '');
      }
    },
  });
  ctx.jobs.define({
    name: DEAL_EVENTS_SWEEP_QUEUE,
    schema: z.object({}).passthrough(),
    cron: '*/5 * * * *',
    cronData: {},
    handler: async () => ({ requeued: await requeueStaleEvents(ctx) }),
  });
}

/** Queues the deals whose events have waited too long (their job was lost); harmless if one is already queued. */
export async function requeueStaleEvents(ctx: AppContext): Promise<number> {
  const { rows } = await ctx.pool.query<{ portal_id: string; object_id: string }>(
    `SELECT DISTINCT portal_id, object_id FROM webhook_events
      WHERE source = 'hubspot' AND object_type = 'deal' AND status = 'pending' AND received_at < $1 AND object_id IS NOT NULL
      LIMIT 1000`,
    [new Date(ctx.clock.now().getTime() - STALE_EVENT_MS)],
  );
  for (const row of rows) await queueDealWork(ctx, { task: 'events', portalId: Number(row.portal_id), dealId: row.object_id });
  return rows.length;
}

/** Called by the webhook route after the inbox commit: one job per deal that got new events, in one statement. */
export async function queueDealEvents(ctx: AppContext, events: Array<{ portalId: number; dealId: string }>): Promise<void> {
  const seen = new Set<string>();
  const work: DealWork[] = [];
  for (const { portalId, dealId } of events) {
    const key = `${portalId}:${dealId}`;
    if (seen.has(key) || !/^\d{1,20}$/.test(dealId)) continue;
    seen.add(key);
    work.push({ task: 'events', portalId, dealId });
  }
  try {
    await ctx.jobs.sendMany(DEAL_WORK_QUEUE, work);
  } catch (err) {
    // The events are stored; the sweep queues them later. The sender must still get its 200.
    ctx.logger.warn({ err, deals: work.length }, 'could not queue deal events; the sweep will');
  }
}
