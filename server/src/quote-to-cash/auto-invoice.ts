import { openAction } from '../db/deal-actions';
import { readLifecycle } from '../db/deal-lifecycle';
import { findLink } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { pendingDealEvents, settleEvents, staleHubSpotObjects } from '../db/webhook-inbox';
import type { Pipeline } from '../sync/model';
import { dealTriggerStages } from '../sync/settings';
import type { QuoteToCashDeps } from './deps';
import { applyLifecycleEvents, noticeGoneDeal } from './deal-lifecycle';
import { rerunBlocked } from './rerun-blocked';

/**
 * What a deal's HubSpot events lead to. The events only say that something changed; the deal is read fresh, so
 * late, repeated or reordered events act on the deal as it is now. If auto-invoice is on, the deal sits in a trigger
 * stage and has no document yet, an action is queued to create one. Any change to a deal also queues again the deal's
 * blocked work (quote-to-cash/rerun-blocked.ts). Every pending event of the deal is then settled
 * with a note saying what was decided. Deletions, restores and merges are applied first (quote-to-cash/deal-lifecycle.ts),
 * and changes DealBooks itself made are set aside: a deleted or merged-away deal decides nothing more.
 */
export type AutoInvoiceDecision =
  | 'nothing pending'
  | 'deal deleted'
  | 'deal merged'
  | 'deal restored'
  | 'not installed'
  | 'auto-invoice off'
  | 'deal gone'
  | 'not a trigger stage'
  | 'already has a document'
  | 'queued';

/** Events pending longer than this are queued again by the sweep (an enqueue lost between commit and send, a crash). */
export const STALE_EVENT_MS = 2 * 60_000;

export function pipelinesOf(deps: QuoteToCashDeps, portalId: number): Promise<Pipeline[]> {
  return deps.cache.get(portalId, 'pipelines', () => deps.deals.pipelines(portalId));
}

export async function decideOnDealEvents(deps: QuoteToCashDeps, portalId: number, dealId: string): Promise<{ decision: AutoInvoiceDecision; actionId?: number; rerun?: number[] }> {
  const install = await deps.installs.get(portalId);
  if (!install || install.status !== 'installed') {
    const pending = await pendingDealEvents(deps.pool, portalId, dealId);
    if (pending.length === 0) return { decision: 'nothing pending' };
    await settleEvents(deps.pool, pending.map((e) => e.id), 'ignored', 'DealBooks is not installed in this HubSpot account.', deps.clock.now());
    return { decision: 'not installed' };
  }
  const { changes, remaining, state } = await applyLifecycleEvents(deps, portalId, dealId);
  const events = remaining.map((e) => e.id);
  const settle = (status: 'processed' | 'ignored', note: string) => settleEvents(deps.pool, events, status, note, deps.clock.now());
  if (state?.state === 'merged') {
    await settle('ignored', `the deal was merged into deal ${state.mergedInto}`);
    return { decision: 'deal merged' };
  }
  if (state?.state === 'deleted') {
    await settle('ignored', 'the deal is deleted in HubSpot');
    return { decision: 'deal deleted' };
  }
  if (events.length === 0) return { decision: changes.includes('restored') ? 'deal restored' : changes.includes('merged') ? 'deal merged' : 'nothing pending' };
  // The deal changed: work on it that was blocked (a closed period, a missing line price...) runs again by itself.
  const rerun = await rerunBlocked(deps, portalId, 'deal_changed', dealId);
  const rerunNote = rerun.length > 0 ? `; blocked action(s) ${rerun.join(', ')} queued again` : '';
  const { settings } = await readSettings(deps.pool, portalId);
  if (!settings.autoInvoice) {
    await settle('processed', `auto-invoice is off${rerunNote}`);
    return { decision: 'auto-invoice off', rerun };
  }
  const deal = await deps.deals.readDeal(portalId, dealId);
  // HubSpot answered nothing, or another deal (a merge): the webhook saying so may have been lost.
  if (!deal || deal.id !== dealId) {
    const now = await noticeGoneDeal(deps, portalId, dealId);
    if (now === 'merged') {
      await settle('ignored', `the deal was merged into deal ${(await readLifecycle(deps.pool, portalId, dealId))?.mergedInto ?? '(unknown)'}`);
      return { decision: 'deal merged', rerun };
    }
    await settle('ignored', now === 'deleted' ? 'the deal is deleted in HubSpot' : 'The deal no longer exists in HubSpot.');
    return { decision: now === 'deleted' ? 'deal deleted' : 'deal gone', rerun };
  }
  const triggers = dealTriggerStages(settings, await pipelinesOf(deps, portalId), deal.pipeline);
  if (!deal.stage || !triggers.includes(deal.stage)) {
    await settle('processed', `stage ${deal.stage ?? '(none)'} does not trigger auto-invoice${rerunNote}`);
    return { decision: 'not a trigger stage', rerun };
  }
  const connection = await deps.connections.live(portalId);
  if (connection) {
    const existing = await findLink(deps.pool, connection.id, 'deal', dealId, settings.documentKind === 'invoice' ? 'Invoice' : 'Estimate');
    // A deal reopened and won again, or a repeated event: the document exists; never a second. (A pending or
    // refused attempt goes on through a new action, which looks for a lost document before writing.)
    if (existing?.status === 'linked') {
      await settle('processed', `the deal already has its ${settings.documentKind}${rerunNote}`);
      return { decision: 'already has a document', rerun };
    }
  }
  const { action, created } = await openAction(deps.pool, { portalId, dealId, kind: settings.documentKind, trigger: 'auto', userId: null }, deps.clock.now());
  if (created) await deps.queue.action(portalId, dealId, action.id);
  await settle('processed', `${settings.documentKind} queued (action ${action.id})${rerunNote}`);
  return { decision: 'queued', actionId: action.id, rerun };
}

/** The records (deals, companies, contacts) whose events have waited too long (their job was lost): the caller queues them again, harmlessly. */
export function objectsToSweep(deps: QuoteToCashDeps): ReturnType<typeof staleHubSpotObjects> {
  return staleHubSpotObjects(deps.pool, new Date(deps.clock.now().getTime() - STALE_EVENT_MS), 1000);
}
