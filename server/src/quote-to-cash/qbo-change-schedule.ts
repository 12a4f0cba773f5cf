import { connectionsDueForCheck } from '../db/qbo-change-checkpoints';
import type { QuoteToCashDeps } from './deps';

/** Connections checked per scheduled round at most; the rest are due again next minute. */
const PER_ROUND = 500;

/**
 * The accounts whose QuickBooks changes are due for a check: connected, and not checked for `everyMinutes` (or
 * never). The schedule asks every minute, so any interval works, not only those that divide an hour.
 */
export async function connectionsToCheck(deps: Pick<QuoteToCashDeps, 'pool' | 'clock'>, everyMinutes: number): Promise<number[]> {
  const ranBefore = new Date(deps.clock.now().getTime() - everyMinutes * 60_000);
  return [...new Set((await connectionsDueForCheck(deps.pool, ranBefore, PER_ROUND)).map((c) => c.portalId))];
}
