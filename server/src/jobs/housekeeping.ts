import type pg from 'pg';
import { z } from 'zod';
import { applyRetention } from '../privacy/retention';
import type { JobQueue } from './queue';

export const HOUSEKEEPING_QUEUE = 'housekeeping';

/** Hourly: data past its retention goes, and so do key leases left behind by crashed workers. */
export async function runHousekeeping(jobs: JobQueue, pool: pg.Pool): Promise<{ oauthStates: number; keyLeases: number; deliveries: number; seenSignatures: number }> {
  const retention = await applyRetention(pool);
  return { ...retention, keyLeases: await jobs.pruneStaleLeases() };
}

export function registerHousekeeping(jobs: JobQueue, pool: pg.Pool): void {
  jobs.define({
    name: HOUSEKEEPING_QUEUE,
    schema: z.object({}).passthrough(),
    cron: '17 * * * *',
    cronData: {},
    retryLimit: 2,
    concurrency: 1,
    handler: () => runHousekeeping(jobs, pool),
  });
}
