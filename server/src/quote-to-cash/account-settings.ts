import { linksNeedingReview, linksOfType, setManualLink } from '../db/entity-links';
import { readSettings, writeSettings, type StoredSettings } from '../db/portal-settings';
import { listSyncLog, type SyncLogRow, type SyncOutcome } from '../db/sync-log';
import { BadRequestError, ConflictError } from '../errors';
import { parseInput } from '../lib/validation';
import { memoTemplateProblems } from '../sync/memo';
import { DEFAULT_SETTINGS, settingsSchema, triggerStagesFor, wonStageIds, type Settings } from '../sync/settings';
import { pipelinesOf } from './auto-invoice';
import type { QuoteToCashDeps } from './deps';
import { rerunBlockedQuietly } from './rerun-blocked';

/**
 * What finance sets up and reviews on the settings page: the quote-to-cash settings (versioned: a concurrent save is
 * refused, not lost), the product-to-item mapping, the customers awaiting confirmation, and the sync log.
 */
export interface PipelineView {
  id: string;
  label: string;
  stages: Array<{ id: string; label: string }>;
  wonStages: string[];
  /** The stages that trigger auto-invoice under the current settings (the won stages unless finance chose). */
  triggerStages: readonly string[];
}

export interface SettingsView {
  settings: Settings;
  version: number;
  defaults: Settings;
  /** Null when HubSpot could not be read just now: the settings still load, and the page says so. */
  pipelines: PipelineView[] | null;
  updatedAt: StoredSettings['updatedAt'];
}

export async function settingsView(deps: QuoteToCashDeps, portalId: number): Promise<SettingsView> {
  const stored = await readSettings(deps.pool, portalId);
  let pipelines: PipelineView[] | null = null;
  try {
    pipelines = (await pipelinesOf(deps, portalId)).map((p) => ({
      id: p.id,
      label: p.label,
      stages: p.stages.map((s) => ({ id: s.id, label: s.label })),
      wonStages: wonStageIds(p),
      triggerStages: triggerStagesFor(stored.settings, p.id, wonStageIds(p)),
    }));
  } catch (err) {
    deps.logger.warn({ err, portalId }, 'pipelines could not be read for the settings');
  }
  return { settings: stored.settings, version: stored.version, defaults: DEFAULT_SETTINGS, pipelines, updatedAt: stored.updatedAt };
}

/** Saves the whole settings document if `version` is still the stored one. */
export async function saveSettings(deps: QuoteToCashDeps, who: { portalId: number; userId?: number }, input: { settings: unknown; version: number }): Promise<{ settings: Settings; version: number }> {
  const settings = parseInput(settingsSchema, input.settings, 'Some settings are invalid.');
  const memo = memoTemplateProblems(settings.memoTemplate);
  if (memo.length > 0) throw new BadRequestError(`The memo template has problems: ${memo.join('; ')}`, { code: 'validation_failed', details: memo.map((message) => ({ path: 'memoTemplate', message })) });
  const version = await writeSettings(deps.pool, who.portalId, settings, input.version, who.userId ?? null, deps.clock.now());
  if (version === null) throw new ConflictError('Someone else saved the settings in the meantime. Reload them and apply your change again.', { details: { reason: 'version_conflict' } });
  deps.logger.info({ portalId: who.portalId, version }, 'settings saved');
  await rerunBlockedQuietly(deps, who.portalId, 'settings_changed');
  return { settings, version };
}

export interface ProductMapping {
  productId: string;
  itemId: string | null;
  method: string | null;
  updatedAt: string;
}

export async function productMappings(deps: QuoteToCashDeps, portalId: number): Promise<ProductMapping[]> {
  const connection = await deps.connections.live(portalId);
  const links = connection ? await linksOfType(deps.pool, connection.id, 'product', 'Item') : [];
  return links.filter((l) => l.status === 'linked').map((l) => ({ productId: l.hubspotObjectId, itemId: l.qboEntityId, method: l.matchMethod, updatedAt: l.updatedAt }));
}

/** Maps a HubSpot product to an active QBO item; the next document uses it. */
export async function mapProduct(deps: QuoteToCashDeps, portalId: number, productId: string, itemId: string): Promise<{ productId: string; itemId: string; itemName: string }> {
  const connection = await deps.connections.live(portalId);
  if (!connection) throw new ConflictError('Connect QuickBooks first.');
  const item = await deps.sales.item(portalId, itemId);
  if (!item || !item.active) throw new BadRequestError(`QuickBooks has no active item ${itemId}.`, { code: 'item_not_found' });
  await setManualLink(deps.pool, { portalId, connectionId: connection.id, type: 'product', id: productId, qboType: 'Item', qboEntityId: item.id, details: { itemName: item.name } }, deps.clock.now());
  await rerunBlockedQuietly(deps, portalId, 'mappings_changed');
  return { productId, itemId: item.id, itemName: item.name };
}

/** The deals whose customer waits for a person to confirm, with their candidates. */
export async function customersToReview(deps: QuoteToCashDeps, portalId: number): Promise<Array<{ dealId: string | null; name: unknown; companyId: unknown; candidates: unknown; since: string }>> {
  const links = await linksNeedingReview(deps.pool, portalId);
  return links.map((l) => ({
    dealId: l.hubspotObjectType === 'deal' ? l.hubspotObjectId : null,
    name: l.details.name ?? null,
    companyId: l.details.companyId ?? null,
    candidates: l.details.candidates ?? [],
    since: l.updatedAt,
  }));
}

export function syncLogPage(
  deps: QuoteToCashDeps,
  portalId: number,
  filter: { dealId?: string; outcome?: SyncOutcome; before?: number; limit: number },
): Promise<{ entries: SyncLogRow[]; nextBefore: number | null }> {
  return listSyncLog(deps.pool, portalId, filter);
}
