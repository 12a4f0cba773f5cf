import { blockedActions, openAction } from '../db/deal-actions';
import { rerunsOn, type RerunCause } from '../sync/rerun';
import type { QuoteToCashDeps } from './deps';

/**
 * A change to the whole account (settings, a mapping, a reconnect) re-runs the actions blocked in the last 30 days,
 * at most 100 at once: a request a person made months ago should not turn into a document unannounced, and a burst of
 * re-runs must stay inside HubSpot's and QuickBooks' rate limits. A change to one deal re-runs that deal's work, however old.
 */
const ACCOUNT_RERUN_LIMIT = 100;
const ACCOUNT_RERUN_WINDOW_MS = 30 * 24 * 3600_000;

/**
 * Blocked work runs again by itself once its cause may be gone: a change to the deal (a HubSpot webhook), to the
 * settings or product mappings, or a QuickBooks (re)connection. Each action is queued again as a new action through
 * the same path as a press on the card (one open action per deal and kind; the job looks for the document before
 * it writes), so a re-run never makes a second document. Returns the ids of the actions queued.
 */
export async function rerunBlocked(deps: QuoteToCashDeps, portalId: number, cause: RerunCause, dealId?: string): Promise<number[]> {
  const blocked = dealId
    ? await blockedActions(deps.pool, portalId, { dealId, limit: 20 })
    : await blockedActions(deps.pool, portalId, { finishedSince: new Date(deps.clock.now().getTime() - ACCOUNT_RERUN_WINDOW_MS), limit: ACCOUNT_RERUN_LIMIT });
  const queued: number[] = [];
  for (const previous of blocked) {
    if (!rerunsOn(previous.kind, previous.problems, cause)) continue;
    const { action, created } = await openAction(
      deps.pool,
      {
        portalId,
        dealId: previous.dealId,
        kind: previous.kind,
        targetId: previous.targetId,
        // Automatic work stays automatic (preflight judges it without a user); anything a person asked for is a retry.
        trigger: previous.trigger === 'auto' ? 'auto' : 'retry',
        userId: previous.requestedByUserId,
        options: previous.options,
      },
      deps.clock.now(),
    );
    if (created) {
      await deps.queue.action(portalId, previous.dealId, action.id);
      queued.push(action.id);
    }
  }
  if (queued.length > 0) deps.logger.info({ portalId, dealId, cause, actionIds: queued }, 'blocked deal actions queued again');
  return queued;
}

/** rerunBlocked after a change that is already saved: a failure here is logged, never the change's failure. */
export async function rerunBlockedQuietly(deps: QuoteToCashDeps, portalId: number, cause: RerunCause): Promise<number[]> {
  try {
    return await rerunBlocked(deps, portalId, cause);
  } catch (err) {
    deps.logger.warn({ err, portalId, cause }, 'could not queue blocked deal actions again; they run at the next change or from the sync log');
    return [];
  }
}
