import type pg from 'pg';
import { z } from 'zod';
import type { JobQueue } from './queue';

export const HOUSEKEEPING_QUEUE = 'housekeeping';

/** Raw webhook bodies hold customer data; once processed they are kept this long for diagnosis, then deleted. */
export const PROCESSED_DELIVERY_RETENTION_DAYS = 30;

/**
 * Hourly clean-up of what expires by design: OAuth states past their life (single-use, 10 minutes), signatures
 * past the 5-minute replay window, key leases
 * left behind by crashed workers, and processed webhook deliveries past their retention (failed ones stay until
 * a person has dealt with them). Everything here is safe to delete at any time, so the job is idempotent.
 */
export async function runHousekeeping(pool: pg.Pool): Promise<{ oauthStates: number; keyLeases: number; deliveries: number; seenSignatures: number }> {
  const states = await pool.query(`DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'`);
  // A signature past its window is refused as stale anyway; remembering it longer protects nothing.
  const seen = await pool.query(`DELETE FROM seen_request_signatures WHERE expires_at < now()`);
  const leases = await pool.query(`DELETE FROM job_key_leases WHERE leased_until < now() - interval '1 hour'`);
  const deliveries = await pool.query(
    `DELETE FROM webhook_deliveries WHERE status = 'processed' AND received_at < now() - make_interval(days => $1)`,
    [PROCESSED_DELIVERY_RETENTION_DAYS],
  );
  return { oauthStates: states.rowCount ?? 0, keyLeases: leases.rowCount ?? 0, deliveries: deliveries.rowCount ?? 0, seenSignatures: seen.rowCount ?? 0 };
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
