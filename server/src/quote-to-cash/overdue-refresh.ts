import { dealsWithStaleDaysOverdue } from '../db/deal-money';
import type { QuoteToCashDeps } from './deps';

/**
 * Days overdue change with the calendar, not with anything QuickBooks reports: a sweep queues the write-back of each
 * deal whose written days overdue are behind (work on one deal is serial, and the write-back sends only what
 * changed). Bounded per run; what is left waits for the next run.
 */
export const OVERDUE_REFRESH_LIMIT = 500;

export async function queueOverdueRefresh(deps: QuoteToCashDeps): Promise<number> {
  const deals = await dealsWithStaleDaysOverdue(deps.pool, deps.clock.now(), OVERDUE_REFRESH_LIMIT);
  for (const { portalId, dealId } of deals) await deps.queue.writeBack(portalId, dealId);
  return deals.length;
}
