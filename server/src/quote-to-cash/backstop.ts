import { dealsNotMerged } from '../db/deal-lifecycle';
import { dealsDealBooksKnows, installedPortals, readCheckpoint, saveCheckpoint } from '../db/deal-backstop';
import { readSettings } from '../db/portal-settings';
import type { FoundDeal } from '../hubspot/deal-search';
import { SEARCH_MAX_RESULTS } from '../hubspot/deal-search';
import { triggerStagesFor, wonStageIds } from '../sync/settings';
import { receiveDelivery, type ReceiveDeps } from '../webhooks/receive-delivery';
import { pipelinesOf } from './auto-invoice';
import type { QuoteToCashDeps } from './deps';

/**
 * The backstop for HubSpot webhooks that never arrived. A delivery HubSpot gives up on (its retries spent, or every
 * attempt refused, say because the sender's clock is more than 5 minutes off) stores nothing, so the sweep of stored
 * events cannot repair it, and a won deal would stay without its invoice. Per account, on a schedule
 * (jobs/deal-jobs.ts), this asks HubSpot's CRM search for the deals in a trigger stage modified since the account's
 * checkpoint, and hands the ones DealBooks has never heard of to the webhook intake as a delivery of its own: the
 * same path a webhook takes (stored events, de-duplicated on content; one job per deal; the fresh read and
 * auto-invoice decision; the deal action opened once; the QBO write once), so every exactly-once protection holds.
 *
 * - The window is [checkpoint, now - BACKSTOP_GRACE_MS): a change younger than the grace is left to its webhook,
 *   which normally arrives within seconds (HubSpot's search index also lags a few seconds behind a write).
 * - The first run of an account starts just after its install, at most BACKSTOP_FIRST_LOOKBACK_MS back.
 * - With auto-invoice off the window is passed over (the checkpoint moves on): turning auto-invoice on later must
 *   not invoice deals won while it was off, as their webhooks would not have either.
 * - The checkpoint moves only after everything found was stored: a run that fails is repeated from the same point.
 */
export const BACKSTOP_GRACE_MS = 10 * 60_000;
export const BACKSTOP_FIRST_LOOKBACK_MS = 24 * 3600_000;
export const BACKSTOP_PAGE_SIZE = 100;

export type BackstopDecision = 'not installed' | 'nothing new' | 'auto-invoice off' | 'no trigger stages' | 'searched';

export interface BackstopOutcome {
  decision: BackstopDecision;
  from?: string;
  until?: string;
  /** Deals in a trigger stage modified in the window, and those of them handed to the intake. */
  found: number;
  queued: number;
  searches: number;
}

export interface BackstopHooks {
  /** How stored deal events become work (the webhook route's hook: one job per deal). */
  onDealEvents: NonNullable<ReceiveDeps['onDealEvents']>;
}

/** The accounts the scheduled run looks at. */
export async function backstopAccounts(deps: Pick<QuoteToCashDeps, 'pool'>): Promise<number[]> {
  return (await installedPortals(deps.pool)).map((p) => p.portalId);
}

export async function backstopAccount(deps: QuoteToCashDeps, portalId: number, hooks: BackstopHooks, options: { pageSize?: number } = {}): Promise<BackstopOutcome> {
  const now = deps.clock.now();
  const until = new Date(now.getTime() - BACKSTOP_GRACE_MS);
  const install = await deps.installs.get(portalId);
  if (!install || install.status !== 'installed') return { decision: 'not installed', found: 0, queued: 0, searches: 0 };
  const checkpoint = await readCheckpoint(deps.pool, portalId);
  // The first run looks at changes made after the install (before it, no webhook could have been sent to DealBooks).
  const from = checkpoint?.checkedThrough ?? new Date(Math.max(install.installedAt.getTime() + 1, now.getTime() - BACKSTOP_FIRST_LOOKBACK_MS));
  const window = { from: from.toISOString(), until: until.toISOString() };
  if (until.getTime() <= from.getTime()) return { decision: 'nothing new', ...window, found: 0, queued: 0, searches: 0 };
  const done = async (decision: BackstopDecision, found: number, queued: number, searches: number): Promise<BackstopOutcome> => {
    await saveCheckpoint(deps.pool, { portalId, checkedThrough: until, runAt: now, found, queued });
    return { decision, ...window, found, queued, searches };
  };

  // Merges matter whatever the settings: what DealBooks holds for a merged-away deal must reach the survivor.
  const merges = await missedMerges(deps, portalId, from, until, options.pageSize ?? BACKSTOP_PAGE_SIZE);
  if (merges.events.length > 0) await intake(deps, hooks, merges.events);
  const { settings } = await readSettings(deps.pool, portalId);
  if (!settings.autoInvoice) return done('auto-invoice off', 0, 0, merges.searches);
  const stages = [...new Set((await pipelinesOf(deps, portalId)).flatMap((p) => triggerStagesFor(settings, p.id, wonStageIds(p))))];
  if (stages.length === 0) return done('no trigger stages', 0, 0, 0);

  const found = new Map<string, FoundDeal>();
  let searches = merges.searches;
  let lower = from;
  let after: string | undefined;
  for (;;) {
    const page = await deps.deals.searchDeals(portalId, { stages, modifiedFrom: lower, modifiedBefore: until, after, limit: options.pageSize ?? BACKSTOP_PAGE_SIZE });
    searches += 1;
    for (const deal of page.deals) found.set(deal.id, deal);
    if (page.next === undefined) break;
    if (Number(page.next) >= SEARCH_MAX_RESULTS) {
      // Search cannot page past 10,000 results: start a new query from the last change seen (sorted ascending;
      // deals seen twice are harmless, they are kept once).
      const last = page.deals.at(-1)?.lastModified;
      if (!last || last.getTime() <= lower.getTime()) break;
      lower = last;
      after = undefined;
    } else {
      after = page.next;
    }
  }

  const known = await dealsDealBooksKnows(deps.pool, portalId, [...found.keys()]);
  const missed = [...found.values()].filter((d) => !known.has(d.id));
  if (missed.length > 0) {
    await intake(deps, hooks, missed.map((d) => missedEvent(portalId, d)));
    deps.logger.warn(
      { component: 'backstop', portalId, dealIds: missed.map((d) => d.id), ...window },
      `${missed.length} deal(s) in a trigger stage had no webhook DealBooks received; queued as if their webhook had come`,
    );
  }
  return done('searched', found.size, missed.length, searches);
}

/**
 * A deal the backstop found, written as the dealstage change HubSpot would have sent
 * (https://developers.hubspot.com/docs/api/webhooks#webhook-payloads). changeSource says who wrote it; the content
 * (deal, stage, time of the change) identifies it, so finding the same change again stores nothing new.
 */
/** Hands events DealBooks made up for missed webhooks to the intake, exactly as a delivery from HubSpot would be. */
async function intake(deps: QuoteToCashDeps, hooks: BackstopHooks, events: Array<Record<string, unknown>>): Promise<void> {
  await receiveDelivery(
    { pool: deps.pool, clock: deps.clock, logger: deps.logger, onPrivacyDeletion: async () => undefined, onDealEvents: hooks.onDealEvents },
    'hubspot',
    { headers: { 'content-type': 'application/json', 'user-agent': 'DealBooks backstop' }, body: Buffer.from(JSON.stringify(events)) },
  );
}

/**
 * Merges in the window whose webhook DealBooks never got: deals whose `hs_merged_object_ids` names deals not yet
 * recorded as merged. Each becomes the `object.merge` event HubSpot would have sent (its content is stable, so a
 * second run stores nothing new).
 */
async function missedMerges(deps: QuoteToCashDeps, portalId: number, from: Date, until: Date, limit: number): Promise<{ events: Array<Record<string, unknown>>; searches: number }> {
  const events: Array<Record<string, unknown>> = [];
  let searches = 0;
  let after: string | undefined;
  do {
    const page = await deps.deals.searchMergedDeals(portalId, { modifiedFrom: from, modifiedBefore: until, after, limit });
    searches += 1;
    for (const deal of page.deals) {
      const unrecorded = await dealsNotMerged(deps.pool, portalId, deal.mergedIds);
      if (unrecorded.length === 0) continue;
      events.push({
        portalId,
        subscriptionType: 'object.merge',
        objectTypeId: '0-3',
        objectId: deal.id,
        primaryObjectId: deal.id,
        mergedObjectIds: unrecorded,
        occurredAt: (deal.lastModified ?? new Date(0)).getTime(),
        changeSource: 'DEALBOOKS_BACKSTOP',
      });
    }
    after = page.next;
  } while (after !== undefined && searches < SEARCH_MAX_RESULTS / limit);
  if (events.length > 0) deps.logger.warn({ component: 'backstop', portalId, merges: events.length }, 'deal merges without a webhook DealBooks received; applied as if it had come');
  return { events, searches };
}

function missedEvent(portalId: number, deal: FoundDeal): Record<string, unknown> {
  return {
    portalId,
    subscriptionType: 'object.propertyChange',
    objectTypeId: '0-3',
    objectId: deal.id,
    propertyName: 'dealstage',
    propertyValue: deal.stage ?? '',
    occurredAt: (deal.lastModified ?? new Date(0)).getTime(),
    changeSource: 'DEALBOOKS_BACKSTOP',
  };
}
