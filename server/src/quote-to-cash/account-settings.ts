import { linksNeedingReview, linksOfType, setManualLink } from '../db/entity-links';
import { readSettings, writeSettings, type StoredSettings } from '../db/portal-settings';
import { listSyncLog, type SyncLogRow, type SyncOutcome } from '../db/sync-log';
import { BadRequestError, ConflictError } from '../errors';
import { parseInput } from '../lib/validation';
import { memoTemplateProblems } from '../sync/memo';
import { DEFAULT_SETTINGS, mergeSettings, missingSettingKeys, settingsSchema, triggerStagesFor, wonStageIds, type Settings } from '../sync/settings';
import { settingReferences, type UnusableReference } from '../sync/setting-references';
import { pipelinesOf } from './auto-invoice';
import { withinCardBudget } from './card-actions';
import { checkSettingReferences } from './setting-references';
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
  /**
   * The stored settings' QuickBooks ids that QuickBooks can no longer use (missing, inactive, a category), each with
   * its field and words; empty when all are usable; null when QuickBooks is not connected or could not be read.
   */
  unusableReferences: UnusableReference[] | null;
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
  let unusable: UnusableReference[] | null = null;
  const connection = await deps.connections.live(portalId);
  if (connection?.status === 'connected') {
    try {
      unusable = await withinCardBudget(checkSettingReferences(deps, portalId, stored.settings), 'Checking the QuickBooks choices', 5_000);
    } catch (err) {
      deps.logger.warn({ err, portalId }, 'the QuickBooks ids of the settings could not be checked');
    }
  }
  return { settings: stored.settings, version: stored.version, defaults: DEFAULT_SETTINGS, pipelines, unusableReferences: unusable, updatedAt: stored.updatedAt };
}

/**
 * Saves the settings if `version` is still the stored one (optimistic concurrency: a save made from an older read is
 * refused with 409, never merged silently). `replace`: the body is the whole document and a missing key is refused
 * (PUT); `merge`: the body's keys go on top of the stored settings (PATCH).
 */
export async function saveSettings(
  deps: QuoteToCashDeps,
  who: { portalId: number; userId?: number },
  input: { settings: unknown; version: number },
  mode: 'replace' | 'merge' = 'replace',
): Promise<{ settings: Settings; version: number }> {
  let document = input.settings;
  if (mode === 'replace') {
    const missing = missingSettingKeys(document);
    if (missing.length > 0) {
      throw new BadRequestError(`PUT replaces the whole settings document, and it lacks ${missing.join(', ')}. Send every setting, or use PATCH to change only some.`, {
        code: 'validation_failed',
        details: missing.map((path) => ({ path, message: 'missing: PUT needs every setting (PATCH changes only the ones sent)' })),
      });
    }
  } else {
    const stored = await readSettings(deps.pool, who.portalId);
    // The merge is made on the version the caller read; a newer stored version is refused below like any save.
    if (stored.version !== input.version) throw versionConflict();
    document = mergeSettings(stored.settings, document);
  }
  const settings = parseInput(settingsSchema, document, 'Some settings are invalid.');
  const memo = memoTemplateProblems(settings.memoTemplate);
  if (memo.length > 0) throw new BadRequestError(`The memo template has problems: ${memo.join('; ')}`, { code: 'validation_failed', details: memo.map((message) => ({ path: 'memoTemplate', message })) });
  await requireUsableReferences(deps, who.portalId, settings);
  const version = await writeSettings(deps.pool, who.portalId, settings, input.version, who.userId ?? null, deps.clock.now());
  if (version === null) throw versionConflict();
  deps.logger.info({ portalId: who.portalId, version }, 'settings saved');
  await rerunBlockedQuietly(deps, who.portalId, 'settings_changed');
  return { settings, version };
}

/**
 * Every QuickBooks id the settings name must exist and be active in QuickBooks: one that does not would be dropped
 * from the next invoice without a word (no terms) or confuse it (a default item that is set but cannot be used).
 * Without a usable connection nothing can be checked, so a new id is refused until QuickBooks is connected; ids
 * already stored stay as they are.
 */
async function requireUsableReferences(deps: QuoteToCashDeps, portalId: number, settings: Settings): Promise<void> {
  const refs = settingReferences(settings);
  if (refs.length === 0) return;
  const connection = await deps.connections.live(portalId);
  if (connection?.status !== 'connected') {
    const stored = settingReferences((await readSettings(deps.pool, portalId)).settings);
    const fresh = refs.filter((ref) => !stored.some((s) => s.field === ref.field && s.id === ref.id));
    if (fresh.length === 0) return;
    throw new ConflictError(`Connect QuickBooks before choosing QuickBooks ids (${fresh.map((r) => r.field).join(', ')}): DealBooks checks each one exists there.`, {
      details: fresh.map((r) => ({ path: r.field, message: 'QuickBooks is not connected, so this id cannot be checked' })),
    });
  }
  const unusable = await withinCardBudget(checkSettingReferences(deps, portalId, settings), 'Checking the QuickBooks choices');
  if (unusable.length === 0) return;
  throw new BadRequestError(`Some settings name QuickBooks objects that cannot be used: ${unusable.map((u) => u.message).join(' ')}`, {
    code: 'validation_failed',
    details: unusable.map((u) => ({ path: u.field, message: u.message })),
  });
}

function versionConflict(): ConflictError {
  return new ConflictError('Someone else saved the settings in the meantime. Reload them and apply your change again.', { details: { reason: 'version_conflict' } });
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
