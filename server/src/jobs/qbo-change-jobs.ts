import { z } from 'zod';
import type { AppContext, BackgroundWork } from '../context';
import { checkQuickbooksChanges } from '../quote-to-cash/qbo-change-check';
import { connectionsToCheck } from '../quote-to-cash/qbo-change-schedule';
import { processQboNotifications, qboChangeWorkOf, staleQboWork, type QboChangeWork, type QboObjectRef } from '../quote-to-cash/qbo-notifications';
import type { JobQueue } from './queue';

/**
 * What QuickBooks reports, as work (quote-to-cash/qbo-notifications.ts, qbo-change-check.ts), in four queues:
 * - `qbo.change`: the pending notifications of one object of one connection, serial per (connection, entity, id);
 *   queued by the webhook intake after its commit, and again by the sweep when they wait too long;
 * - `qbo.change-sweep` (every 5 minutes): notifications still pending after a while (a lost enqueue, a crash);
 * - `qbo.change-check` (every minute) queues `qbo.change-check-account` for each connection whose last check is
 *   older than QBO_CHANGE_CHECK_MINUTES; the account's check (serial per account) is the change-data-capture
 *   backstop. A (re)connect and a person's request queue it too.
 */
export const QBO_CHANGE_QUEUE = 'qbo.change';
export const QBO_CHANGE_SWEEP_QUEUE = 'qbo.change-sweep';
export const QBO_CHANGE_CHECK_QUEUE = 'qbo.change-check';
export const QBO_CHANGE_CHECK_ACCOUNT_QUEUE = 'qbo.change-check-account';
/** Notifications pending longer than this are queued again by the sweep. */
export const QBO_STALE_EVENT_MS = 2 * 60_000;

const id = z.string().min(1).max(100);
const changeWork = z.object({
  portalId: z.number().int().positive(),
  connectionId: z.number().int().positive(),
  realmId: id,
  entity: z.string().regex(/^[a-z0-9_]{1,50}$/),
  id,
});
const checkWork = z.object({ portalId: z.number().int().positive(), reason: z.enum(['schedule', 'connected', 'on demand']) });

/** How use-cases ask for a check of QuickBooks' changes (context.ts BackgroundWork). */
export function qboChangeWork(jobs: JobQueue): Pick<BackgroundWork, 'checkQuickbooksChanges'> {
  return {
    checkQuickbooksChanges: async (portalId, reason) => {
      await jobs.send(QBO_CHANGE_CHECK_ACCOUNT_QUEUE, { portalId, reason });
    },
  };
}

export function registerQboChangeJobs(ctx: AppContext): void {
  ctx.jobs.define<QboChangeWork>({
    name: QBO_CHANGE_QUEUE,
    schema: changeWork,
    serialKey: (work) => `qbo:${work.connectionId}:${work.entity}:${work.id}`,
    retryLimit: 8,
    retryDelaySeconds: 15,
    retryBackoff: true,
    // Mostly waiting on QuickBooks; QBO's own cap (10 per company) is kept by the API client.
    concurrency: 4,
    handler: (work) => processQboNotifications(ctx.quoteToCash, work),
  });
  ctx.jobs.define({
    name: QBO_CHANGE_SWEEP_QUEUE,
    schema: z.object({}).passthrough(),
    cron: '*/5 * * * *',
    cronData: {},
    concurrency: 1,
    handler: async () => {
      const work = await staleQboWork(ctx.quoteToCash, QBO_STALE_EVENT_MS);
      await ctx.jobs.sendMany(QBO_CHANGE_QUEUE, work);
      return { requeued: work.length };
    },
  });
  ctx.jobs.define({
    name: QBO_CHANGE_CHECK_QUEUE,
    schema: z.object({}).passthrough(),
    cron: '* * * * *',
    cronData: {},
    retryLimit: 2,
    concurrency: 1,
    handler: async () => {
      const due = await connectionsToCheck(ctx.quoteToCash, ctx.config.qboChangeCheckMinutes);
      // An account whose check is still waiting to run (or to retry) gets no second one.
      const waiting = await ctx.jobs.nextStarts(QBO_CHANGE_CHECK_ACCOUNT_QUEUE, 'portalId', due);
      const queued = due.filter((portalId) => !waiting.has(String(portalId)));
      await ctx.jobs.sendMany(QBO_CHANGE_CHECK_ACCOUNT_QUEUE, queued.map((portalId) => ({ portalId, reason: 'schedule' as const })));
      return { accounts: queued.length };
    },
  });
  ctx.jobs.define({
    name: QBO_CHANGE_CHECK_ACCOUNT_QUEUE,
    schema: checkWork,
    serialKey: (data) => `qbo-check:${data.portalId}`,
    // QuickBooks may be throttling or down: the next tries come a minute or more later, from the same checkpoint.
    retryLimit: 3,
    retryDelaySeconds: 60,
    concurrency: 2,
    expireInSeconds: 900,
    handler: (data) => checkQuickbooksChanges(ctx.quoteToCash, data.portalId, data.reason),
  });
}

/** Called by the webhook route after the inbox commit: one job per QBO object that got new notifications. */
export async function queueQboChanges(ctx: AppContext, objects: QboObjectRef[]): Promise<void> {
  try {
    await ctx.jobs.sendMany(QBO_CHANGE_QUEUE, await qboChangeWorkOf(ctx.quoteToCash, objects));
  } catch (err) {
    // The notifications are stored; the sweep queues them later. Intuit must still get its 200.
    ctx.logger.warn({ err, objects: objects.length }, 'could not queue QuickBooks changes; the sweep will');
  }
}
