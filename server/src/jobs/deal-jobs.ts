import { z } from 'zod';
import type { AppContext } from '../context';
import { decideOnDealEvents, objectsToSweep } from '../quote-to-cash/auto-invoice';
import { queueOverdueRefresh } from '../quote-to-cash/overdue-refresh';
import type { DealWorkQueue } from '../quote-to-cash/deps';
import { applyPartyEvents } from '../quote-to-cash/party-lifecycle';
import { runQueuedAction } from '../quote-to-cash/run-action';
import { writeBack } from '../quote-to-cash/write-back';
import type { JobQueue } from './queue';

/**
 * Work on one deal, serialised per deal across every worker (the queue's key lease), in one queue:
 * - `events`: the deal's pending webhook events lead to a decision (quote-to-cash/auto-invoice.ts);
 * - `action`: a deal action (create invoice/estimate, convert, send), queued by the card, auto-invoice or a retry;
 * - `write-back`: DealBooks' deal properties and money notes, when writing them right after an action failed, and
 *   after QuickBooks reported a change to the deal's documents or payments;
 * - `party-events`: a company's or contact's pending webhook events (a merge moves its QBO customer link), serialised
 *   per record rather than per deal (quote-to-cash/party-lifecycle.ts).
 * A sweep queues again the deals whose events are still pending after a while (a lost enqueue, a crash).
 */
export const DEAL_WORK_QUEUE = 'deal.work';
export const DEAL_EVENTS_SWEEP_QUEUE = 'deal.events-sweep';
/** Hourly, so a company's new day reaches its deals' days overdue within the hour whatever its time zone. */
export const DEAL_OVERDUE_REFRESH_QUEUE = 'deal.overdue-refresh';
/**
 * Retries of deal work after its first run (backoff from 15 s, doubling). After the last one an action is given up
 * on (failed, with the reason on the card and in the sync log) and its job is dead-lettered for a person to retry.
 */
export const DEAL_WORK_RETRY_LIMIT = 8;

const id = z.string().regex(/^\d{1,20}$/);
const dealWork = z.discriminatedUnion('task', [
  z.object({ task: z.literal('events'), portalId: z.number().int().positive(), dealId: id }),
  z.object({ task: z.literal('action'), portalId: z.number().int().positive(), dealId: id, actionId: z.number().int().positive() }),
  // Without lastProblem (a change in QuickBooks), the deal's last problem is left as it was.
  z.object({ task: z.literal('write-back'), portalId: z.number().int().positive(), dealId: id, lastProblem: z.string().max(65_000).optional() }),
  z.object({ task: z.literal('party-events'), portalId: z.number().int().positive(), objectType: z.enum(['company', 'contact']), objectId: id }),
]);
export type DealWork = z.infer<typeof dealWork>;

/** The use-cases' way to queue deal work (quote-to-cash/deps.ts). */
export function dealWorkQueue(jobs: JobQueue): DealWorkQueue {
  return {
    action: async (portalId, dealId, actionId) => {
      await jobs.send(DEAL_WORK_QUEUE, { task: 'action', portalId, dealId, actionId } satisfies DealWork);
    },
    writeBack: async (portalId, dealId, lastProblem) => {
      const work: DealWork = lastProblem === undefined ? { task: 'write-back', portalId, dealId } : { task: 'write-back', portalId, dealId, lastProblem: lastProblem.slice(0, 65_000) };
      await jobs.send(DEAL_WORK_QUEUE, work);
    },
    nextAttempts: async (actionIds) => {
      const starts = await jobs.nextStarts(DEAL_WORK_QUEUE, 'actionId', actionIds);
      return new Map([...starts].map(([id, at]) => [Number(id), at]));
    },
  };
}

export function registerDealJobs(ctx: AppContext): void {
  ctx.jobs.define({
    name: DEAL_WORK_QUEUE,
    schema: dealWork,
    serialKey: (work) => (work.task === 'party-events' ? `${work.portalId}:${work.objectType}:${work.objectId}` : `${work.portalId}:${work.dealId}`),
    retryLimit: DEAL_WORK_RETRY_LIMIT,
    retryDelaySeconds: 15,
    retryBackoff: true,
    // Mostly waiting on HubSpot and QBO, so more than the CPU count; QBO's own cap (10 per company) is kept by the API client.
    concurrency: 8,
    handler: async (work, job) => {
      switch (work.task) {
        case 'events':
          return decideOnDealEvents(ctx.quoteToCash, work.portalId, work.dealId);
        case 'action':
          return runQueuedAction(ctx.quoteToCash, work, { lastAttempt: job.attempt > job.retryLimit });
        case 'write-back':
          return writeBack(ctx.quoteToCash, work.portalId, work.dealId, work.lastProblem);
        case 'party-events':
          return applyPartyEvents(ctx.quoteToCash, work.portalId, work.objectType, work.objectId);
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
  ctx.jobs.define({
    name: DEAL_OVERDUE_REFRESH_QUEUE,
    schema: z.object({}).passthrough(),
    cron: '7 * * * *',
    cronData: {},
    handler: async () => ({ queued: await queueOverdueRefresh(ctx.quoteToCash) }),
  });
}

/** Queues the deals, companies and contacts whose events have waited too long; harmless if one is already queued. */
export async function requeueStaleEvents(ctx: AppContext): Promise<number> {
  const stale = await objectsToSweep(ctx.quoteToCash);
  await ctx.jobs.sendMany(
    DEAL_WORK_QUEUE,
    stale.map(({ portalId, objectType, objectId }): DealWork => (objectType === 'deal' ? { task: 'events', portalId, dealId: objectId } : { task: 'party-events', portalId, objectType, objectId })),
  );
  return stale.length;
}

/** Called by the webhook route after the inbox commit: one job per company or contact that got new events. */
export async function queuePartyEvents(ctx: AppContext, events: Array<{ portalId: number; objectType: 'company' | 'contact'; objectId: string }>): Promise<void> {
  const work = [...new Map(events.filter((e) => /^\d{1,20}$/.test(e.objectId)).map((e) => [`${e.portalId}:${e.objectType}:${e.objectId}`, { task: 'party-events' as const, ...e }])).values()];
  try {
    await ctx.jobs.sendMany(DEAL_WORK_QUEUE, work);
  } catch (err) {
    ctx.logger.warn({ err, records: work.length }, 'could not queue company or contact events; the sweep will');
  }
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
