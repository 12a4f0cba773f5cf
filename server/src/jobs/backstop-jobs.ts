import { z } from 'zod';
import type { AppContext } from '../context';
import { backstopAccount, backstopAccounts } from '../quote-to-cash/backstop';
import { queueDealEvents } from './deal-jobs';

/**
 * The backstop for missed HubSpot webhooks (quote-to-cash/backstop.ts), in two queues: every 15 minutes one job
 * lists the installed accounts and queues one job per account; an account's job (serial per account, so its
 * searches are never run twice at once) searches from its checkpoint and hands what it finds to the webhook intake,
 * whose stored events are queued exactly as a webhook's are.
 */
export const BACKSTOP_QUEUE = 'deal.backstop';
export const BACKSTOP_ACCOUNT_QUEUE = 'deal.backstop-account';
export const BACKSTOP_CRON = '*/15 * * * *';

export function registerBackstopJobs(ctx: AppContext): void {
  ctx.jobs.define({
    name: BACKSTOP_QUEUE,
    schema: z.object({}).passthrough(),
    cron: BACKSTOP_CRON,
    cronData: {},
    retryLimit: 2,
    concurrency: 1,
    handler: async () => {
      const portalIds = await backstopAccounts(ctx.quoteToCash);
      await ctx.jobs.sendMany(BACKSTOP_ACCOUNT_QUEUE, portalIds.map((portalId) => ({ portalId })));
      return { accounts: portalIds.length };
    },
  });
  ctx.jobs.define({
    name: BACKSTOP_ACCOUNT_QUEUE,
    schema: z.object({ portalId: z.number().int().positive() }),
    serialKey: (data) => `backstop:${data.portalId}`,
    // HubSpot may be throttling or down: the next tries come a minute or more later, from the same checkpoint.
    retryLimit: 3,
    retryDelaySeconds: 60,
    concurrency: 2,
    expireInSeconds: 900,
    handler: (data) => backstopAccount(ctx.quoteToCash, data.portalId, { onDealEvents: (events) => queueDealEvents(ctx, events) }),
  });
}
