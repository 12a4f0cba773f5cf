import type pg from 'pg';
import { deleteProcessedDeliveries } from '../db/housekeeping';
import { deleteExpiredStates } from '../db/oauth-states';
import { pruneSeenSignatures } from '../db/seen-signatures';

/** Raw webhook bodies hold customer data; once processed they are kept this long for diagnosis, then deleted. */
export const PROCESSED_DELIVERY_RETENTION_DAYS = 30;

/**
 * What DealBooks deletes because its time is up: OAuth states past their life (single-use, 10 minutes), request
 * signatures past the 5-minute replay window, and processed webhook deliveries past their retention (failed ones
 * stay until a person has dealt with them). Everything here is safe to delete at any time, so it is idempotent.
 */
export async function applyRetention(pool: pg.Pool): Promise<{ oauthStates: number; deliveries: number; seenSignatures: number }> {
  const oauthStates = await deleteExpiredStates(pool);
  const seenSignatures = await pruneSeenSignatures(pool);
  const deliveries = await deleteProcessedDeliveries(pool, PROCESSED_DELIVERY_RETENTION_DAYS);
  return { oauthStates, deliveries, seenSignatures };
}
