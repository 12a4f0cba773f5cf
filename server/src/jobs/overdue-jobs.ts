import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { AppContext } from '../context';
import { overdueSweepAccounts, sweepOverdueInvoices, type OverdueSweepOutcome } from '../quote-to-cash/overdue-tasks';

/**
 * The overdue follow-up (quote-to-cash/overdue-tasks.ts), in two queues like the webhook backstop: once a day one job
 * lists the installed accounts and queues one job per account; an account's job is serial per account, so two sweeps
 * of one account (the daily one and one run on demand) never create or look for the same task at once.
 *
 * Daily at 12:00 UTC: the same calendar day as UTC for every company from UTC-12 to UTC+11 (early morning in the
 * Americas, afternoon in Europe), the next for UTC+12 to +14; either way the days overdue are counted in the company's
 * own date, and a task is due at the end of that day.
 */
export const OVERDUE_QUEUE = 'overdue.sweep';
export const OVERDUE_ACCOUNT_QUEUE = 'overdue.sweep-account';
export const OVERDUE_CRON = '0 12 * * *';

const accountJob = z.object({ portalId: z.number().int().positive() });

export function registerOverdueJobs(ctx: AppContext): void {
  ctx.jobs.define({
    name: OVERDUE_QUEUE,
    schema: z.object({}).passthrough(),
    cron: OVERDUE_CRON,
    cronData: {},
    retryLimit: 2,
    concurrency: 1,
    handler: async () => {
      const portalIds = await overdueSweepAccounts(ctx.quoteToCash);
      await ctx.jobs.sendMany(OVERDUE_ACCOUNT_QUEUE, portalIds.map((portalId) => ({ portalId })));
      return { accounts: portalIds.length };
    },
  });
  ctx.jobs.define({
    name: OVERDUE_ACCOUNT_QUEUE,
    schema: accountJob,
    serialKey: (data) => `overdue:${data.portalId}`,
    // HubSpot may be throttling or down: the sweep is idempotent, so the next tries simply run it again.
    retryLimit: 4,
    retryDelaySeconds: 120,
    concurrency: 2,
    expireInSeconds: 900,
    handler: (data) => sweepOverdueInvoices(ctx.quoteToCash, data.portalId),
  });
}

export type OverdueRunResult =
  | { status: 'completed'; outcome: OverdueSweepOutcome }
  /** The sweep failed and is retried later by the queue, or failed for good; `message` says why. */
  | { status: 'retrying' | 'failed'; message: string }
  /** It waits for a person (HubSpot uninstalled, QuickBooks to reconnect). */
  | { status: 'waiting'; message: string }
  | { status: 'timed out'; message: string };

const jobOutput = z.object({ deferredTo: z.string().optional(), reason: z.string().optional(), message: z.string().optional() }).passthrough();

/**
 * Sweeps one account now, through the account's own queue (so it stays serial with the daily run), and answers what
 * it did: the operator command `npm run jobs -- overdue <account>` and tests use it. `runHere`: this process runs the
 * queued job itself (a worker elsewhere may still take it first; then this waits for that worker's result); without
 * it, only a running service's workers run it. Waits at most `timeoutMs`.
 */
export async function runOverdueSweepNow(ctx: AppContext, portalId: number, options: { runHere?: boolean; timeoutMs?: number } = {}): Promise<OverdueRunResult> {
  const runHere = options.runHere ?? true;
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let id = await ctx.jobs.send(OVERDUE_ACCOUNT_QUEUE, { portalId });
  while (id && Date.now() < deadline) {
    const job = await ctx.jobs.getJob(OVERDUE_ACCOUNT_QUEUE, id);
    const output = jobOutput.safeParse(job?.output ?? {});
    const out = output.success ? output.data : {};
    if (job?.state === 'completed' && out.deferredTo) {
      // Parked for a person, or put back in line because another sweep of the account was running.
      if (out.reason === 'waiting') return { status: 'waiting', message: out.message ?? 'the sweep waits for a person to act' };
      id = out.deferredTo;
      continue;
    }
    if (job?.state === 'completed') return { status: 'completed', outcome: job.output as OverdueSweepOutcome };
    if (job?.state === 'failed' || job?.state === 'retry') return { status: job.state === 'failed' ? 'failed' : 'retrying', message: out.message ?? 'the sweep failed' };
    const ran = runHere ? await ctx.jobs.runNext(OVERDUE_ACCOUNT_QUEUE) : 'idle';
    // Nothing to run here: another process runs it, or it waits out a moment; its state is read again shortly.
    if (ran === 'idle') await sleep(250);
  }
  return {
    status: 'timed out',
    message: runHere
      ? 'the sweep did not finish in time; it goes on, and its outcome is in the service log'
      : 'no running DealBooks took the sweep in time; it stays queued, and runs once DealBooks (npm start) is running',
  };
}

/** One line for the operator about a run on demand. */
export function describeOverdueRun(portalId: number, result: OverdueRunResult): string {
  if (result.status !== 'completed') return `Account ${portalId}: the overdue follow-up ${result.status === 'timed out' ? 'did not finish in time' : result.status}: ${result.message}`;
  const o = result.outcome;
  if (o.decision === 'not installed') return `Account ${portalId}: DealBooks is not installed there; nothing to do.`;
  if (o.decision === 'not connected') return `Account ${portalId}: QuickBooks is not connected; nothing to do.`;
  return `Account ${portalId} (QuickBooks date ${o.today}): ${o.created} task(s) created, ${o.found} found again after a lost answer, ${o.completed} completed.`;
}
