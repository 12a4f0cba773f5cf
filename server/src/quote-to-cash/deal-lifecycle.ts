import { blockOpenActions, documentNumbers, moveDealRecords, readLifecycle, recordDeletedOrLive, recordMerged, type DealLifecycle } from '../db/deal-lifecycle';
import { reserveNote } from '../db/deal-notes';
import { recordSync } from '../db/sync-log';
import { withTransaction } from '../db/transaction';
import { pendingDealEvents, settleEvents, type PendingDealEvent } from '../db/webhook-inbox';
import { hubspotEventMeaning, mergeNote } from '../sync/crm-events';
import type { Problem } from '../sync/model';
import type { QuoteToCashDeps } from './deps';
import { rerunBlocked } from './rerun-blocked';

/**
 * Deals deleted, restored and merged in HubSpot. DealBooks keys everything it holds by deal id, so:
 * - a merge moves what it holds for the merged deals (QBO links, document copies, actions, sync log, notes, overdue
 *   tasks) to the deal that survives, in one transaction, so the survivor's card, auto-invoice and "Create invoice"
 *   see the documents already made and never make a second one; a timeline note on the survivor says what moved;
 * - a deletion stops DealBooks' work on the deal (its queued work waits, with the reason) and its writes to the
 *   deal; the QBO documents stay as they are, and so does the deal's history;
 * - a restore resumes it all: the waiting work is queued again and the deal's properties are brought up to date
 *   with whatever happened in QuickBooks meanwhile (a payment, say).
 * Events are applied in the order they happened (occurredAt), whatever order they arrive in, and a redelivered
 * event changes nothing twice.
 */
export type LifecycleChange = 'merged' | 'deleted' | 'restored';

const DELETED_PROBLEM: Problem = {
  code: 'deal_deleted',
  message: 'The deal was deleted in HubSpot, so DealBooks stopped its work on it. Its QuickBooks documents are left as they are. Restore the deal in HubSpot to resume.',
};

function duplicateWork(mergedId: string, survivor: string): Problem {
  return {
    code: 'deal_merged',
    message: `Deal ${mergedId} was merged into deal ${survivor}, which already has the same work under way; this copy of it was cancelled so nothing is made twice.`,
  };
}

export interface LifecycleOutcome {
  /** What the deal's lifecycle events changed, in order. */
  changes: LifecycleChange[];
  /** The deal's other pending events (property changes), still to be decided on. */
  remaining: PendingDealEvent[];
  /** Where the deal stands now (null: live, never deleted or merged). */
  state: DealLifecycle | null;
}

/**
 * Applies the deal's pending lifecycle events (merge, deletion, restore) and settles events caused by DealBooks' own
 * writes; returns the property changes left for the auto-invoice decision.
 */
export async function applyLifecycleEvents(deps: QuoteToCashDeps, portalId: number, dealId: string): Promise<LifecycleOutcome> {
  const events = await pendingDealEvents(deps.pool, portalId, dealId);
  const remaining: PendingDealEvent[] = [];
  const changes: LifecycleChange[] = [];
  const settle = (event: PendingDealEvent, status: 'processed' | 'ignored', note: string) => settleEvents(deps.pool, [event.id], status, note, deps.clock.now());
  // Oldest first by when they happened: a deletion and a restore delivered in the wrong order still end as they did.
  const ordered = [...events].sort((a, b) => (a.occurredAt?.getTime() ?? 0) - (b.occurredAt?.getTime() ?? 0) || a.id - b.id);
  for (const event of ordered) {
    const meaning = hubspotEventMeaning(event.eventType, event.payload, deps.appId);
    const at = event.occurredAt ?? deps.clock.now();
    switch (meaning.kind) {
      case 'change':
        remaining.push(event);
        break;
      case 'own-write':
        await settle(event, 'ignored', "DealBooks' own change (HubSpot names the DealBooks app as its source).");
        break;
      case 'unusable':
        await settle(event, 'ignored', meaning.reason);
        break;
      case 'merge': {
        const moved = await mergeDeals(deps, portalId, meaning.survivor, meaning.merged, at);
        if (moved) changes.push('merged');
        await settle(event, 'processed', `deal(s) ${meaning.merged.join(', ')} merged into deal ${meaning.survivor}${moved ? '' : ' (already applied)'}`);
        break;
      }
      case 'deletion': {
        const changed = await deleteDeal(deps, portalId, dealId, at);
        if (changed) changes.push('deleted');
        await settle(event, 'processed', changed ? 'deal deleted: its work stopped' : 'deletion already applied, or overtaken by a later change');
        break;
      }
      case 'restore': {
        const changed = await restoreDeal(deps, portalId, dealId, at);
        if (changed) changes.push('restored');
        await settle(event, 'processed', changed ? 'deal restored: its work resumes' : 'restore already applied, or overtaken by a later change');
        break;
      }
    }
  }
  return { changes, remaining: remaining.sort((a, b) => a.id - b.id), state: await readLifecycle(deps.pool, portalId, dealId) };
}

/**
 * Moves everything DealBooks holds for the merged deals to the survivor (db/deal-lifecycle.ts moveDealRecords) and
 * reserves the survivor's timeline note, in one transaction. Returns false when there was nothing left to move (the
 * merge was applied before). Run again after work on a merged deal finished, it picks up what that work left behind.
 */
export async function mergeDeals(deps: QuoteToCashDeps, portalId: number, survivor: string, merged: readonly string[], at: Date): Promise<boolean> {
  const now = deps.clock.now();
  const outcome = await withTransaction(
    deps.pool,
    async (client) => {
      const survivorDocuments = await documentNumbers(client, portalId, survivor);
      const moves = [];
      for (const dealId of merged) {
        const recorded = await recordMerged(client, portalId, dealId, survivor, at);
        const moved = await moveDealRecords(client, portalId, dealId, survivor, duplicateWork(dealId, survivor), now);
        const left = await pendingDealEvents(client, portalId, dealId);
        await settleEvents(client, left.map((e) => e.id), 'ignored', `the deal was merged into deal ${survivor}`, now);
        const anything = moved.linksMoved + moved.linksSetAside.length + moved.documentsMoved.length + moved.actionsMoved > 0;
        if (recorded || anything) moves.push({ dealId, ...moved });
      }
      if (moves.length === 0) return null;
      const note = mergeNote({ survivorDocuments, moves });
      // One note per merge, however often its event is delivered; posted by the survivor's write-back.
      await reserveNote(client, { portalId, dealId: survivor, key: `merge:${[...merged].sort().join(',')}:into:${survivor}`, body: note }, now);
      await recordSync(client, { portalId, action: 'merge', outcome: 'succeeded', message: note, dealId: survivor, details: { merged: [...merged] } }, now);
      return moves;
    },
    { lockTimeoutMs: 10_000 },
  );
  if (outcome === null) return false;
  deps.logger.info({ portalId, survivor, merged, moves: outcome }, 'deals merged in HubSpot: DealBooks records moved to the surviving deal');
  // Work the merged deals' deletion stopped (HubSpot may report the merged-away deal as deleted before the merge) runs
  // again on the survivor; the survivor's properties and the note are written.
  await rerunBlocked(deps, portalId, 'deal_restored', survivor);
  await deps.queue.writeBack(portalId, survivor);
  return true;
}

async function deleteDeal(deps: QuoteToCashDeps, portalId: number, dealId: string, at: Date): Promise<boolean> {
  const now = deps.clock.now();
  return withTransaction(deps.pool, async (client) => {
    if (!(await recordDeletedOrLive(client, portalId, dealId, 'deleted', at))) return false;
    const stopped = await blockOpenActions(client, portalId, dealId, DELETED_PROBLEM, now);
    const what = stopped.length === 0 ? 'No work was under way.' : `Work stopped: action(s) ${stopped.join(', ')}.`;
    await recordSync(client, { portalId, action: 'deal_deleted', outcome: 'skipped', message: `${DELETED_PROBLEM.message} ${what}`, dealId, errorCode: DELETED_PROBLEM.code }, now);
    return true;
  });
}

async function restoreDeal(deps: QuoteToCashDeps, portalId: number, dealId: string, at: Date): Promise<boolean> {
  const changed = await recordDeletedOrLive(deps.pool, portalId, dealId, 'live', at);
  if (!changed) return false;
  const rerun = await rerunBlocked(deps, portalId, 'deal_restored', dealId);
  const what = rerun.length === 0 ? '' : ` Work queued again: action(s) ${rerun.join(', ')}.`;
  await recordSync(deps.pool, { portalId, action: 'deal_restored', outcome: 'succeeded', message: `The deal was restored in HubSpot; DealBooks resumes its work on it.${what}`, dealId }, deps.clock.now());
  // Whatever QuickBooks reported while the deal was deleted (a payment, a void) is written now.
  await deps.queue.writeBack(portalId, dealId);
  return true;
}

/**
 * HubSpot did not answer for a deal as itself (a read found nothing, or another deal; a write was refused as not
 * found): its deletion or merge webhook may have been lost. HubSpot is asked what became of it, and a deletion (at
 * HubSpot's `archivedAt`, so a later restore still wins) or a merge is applied as its event would have been. Returns
 * what the deal is now.
 */
export async function noticeGoneDeal(deps: QuoteToCashDeps, portalId: number, dealId: string): Promise<DealLifecycle['state'] | 'unknown'> {
  const known = await readLifecycle(deps.pool, portalId, dealId);
  if (known && known.state !== 'live') return known.state;
  const fate = await deps.deals.dealFate(portalId, dealId);
  if (fate?.state === 'deleted') {
    if (await deleteDeal(deps, portalId, dealId, fate.at)) deps.logger.warn({ portalId, dealId }, 'deal deleted in HubSpot without a webhook DealBooks received; applied now');
    return (await readLifecycle(deps.pool, portalId, dealId))?.state ?? 'live';
  }
  if (fate?.state === 'merged') {
    deps.logger.warn({ portalId, dealId, survivor: fate.into }, 'deal merged in HubSpot without a webhook DealBooks received; applied now');
    await mergeDeals(deps, portalId, fate.into, [dealId], deps.clock.now());
    return 'merged';
  }
  return fate?.state === 'live' ? 'live' : 'unknown';
}
