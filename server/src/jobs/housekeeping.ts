import type pg from 'pg';
import { z } from 'zod';
import { deleteProcessedDeliveries } from '../db/housekeeping';
import { deleteExpiredStates } from '../db/oauth-states';
import { pruneSeenSignatures } from '../db/seen-signatures';
import { deleteStaleKeyLeases } from './boss-tables';
import type { JobQueue } from './queue';

export const HOUSEKEEPING_QUEUE = 'housekeeping';

/** Raw webhook bodies hold customer data; once processed they are kept this long for diagnosis, then deleted. */
export const PROCESSED_DELIVERY_RETENTION_DAYS = 30;

/**
 * Hourly clean-up of what expires by design: OAuth states past their life (single-use, 10 minutes), signatures
 * past the 5-minute replay window, key leases left behind by crashed workers, and processed webhook deliveries past
 * their retention (failed ones stay until a person has dealt with them). Everything here is safe to delete at any
 * time, so the job is idempotent.
 */
export async function runHousekeeping(pool: pg.Pool): Promise<{ oauthStates: number; keyLeases: number; deliveries: number; seenSignatures: number }> {
  const oauthStates = await deleteExpiredStates(pool);
  const seenSignatures = await pruneSeenSignatures(pool);
  const keyLeases = await deleteStaleKeyLeases(pool);
  const deliveries = await deleteProcessedDeliveries(pool, PROCESSED_DELIVERY_RETENTION_DAYS);
  return { oauthStates, keyLeases, deliveries, seenSignatures };
}

export function registerHousekeeping(jobs: JobQueue, pool: pg.Pool): void {
  jobs.define({
    name: HOUSEKEEPING_QUEUE,
    schema: z.object({}).passthrough(),
    cron: '17 * * * *',
    cronData: {},
    retryLimit: 2,
    concurrency: 1,
    handler: () => runHousekeeping(pool),
  });
}
