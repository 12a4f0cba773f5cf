import { accountAccess, type AccountAccess } from '../connections/account-admins';
import { linksOfType, setManualLink } from '../db/entity-links';
import { readSettings, writeSettings, type StoredSettings } from '../db/portal-settings';
import { listSyncLog, type SyncLogRow, type SyncOutcome } from '../db/sync-log';
import { BadRequestError, ConflictError, UpstreamError, UpstreamSlowError } from '../errors';
import { fieldDetails, invalidFields, perFieldIssues } from '../lib/validation';
import { mapItems } from '../sync/items';
import { memoTemplateProblems } from '../sync/memo';
import type { QboItem } from '../sync/model';
import { DEFAULT_SETTINGS, mayCreate, mergeSettings, missingSettingKeys, settingsSchema, triggerStagesFor, wonStageIds, type Settings } from '../sync/settings';
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
  /**
   * Who is reading, whether they may change anything (connections/account-admins.ts), who may, and whether they may
   * create documents and so decide a deal's customer (the `creators` setting), as the review list asks.
   */
  access: AccountAccess & { mayCreate: boolean };
}

export async function settingsView(deps: QuoteToCashDeps, who: { portalId: number; userId?: number }): Promise<SettingsView> {
  const { portalId } = who;
  const [stored, access] = await Promise.all([readSettings(deps.pool, portalId), accountAccess(deps.pool, who)]);
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
  return { settings: stored.settings, version: stored.version, defaults: DEFAULT_SETTINGS, pipelines, unusableReferences: unusable, updatedAt: stored.updatedAt, access: { ...access, mayCreate: mayCreate(stored.settings, who.userId) } };
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
      throw invalidFields(
        `PUT replaces the whole settings document, and it lacks ${missing.join(', ')}. Send every setting, or use PATCH to change only some.`,
        missing.map((path) => ({ path, message: 'missing: PUT needs every setting (PATCH changes only the ones sent)' })),
      );
    }
  } else {
    const stored = await readSettings(deps.pool, who.portalId);
    // The merge is made on the version the caller read; a newer stored version is refused below like any save.
    if (stored.version !== input.version) throw versionConflict();
    document = mergeSettings(stored.settings, document);
  }
  // Every wrong value is named at once, each by its field: the schema's, the memo template's, then (once the values
  // themselves are valid) the QuickBooks ids QuickBooks cannot use.
  const parsed = settingsSchema.safeParse(document);
  const memoTemplate = (document as { memoTemplate?: unknown } | null)?.memoTemplate;
  const issues = [
    ...(parsed.success ? [] : perFieldIssues(parsed.error)),
    ...(typeof memoTemplate === 'string' ? memoTemplateProblems(memoTemplate).map((message) => ({ path: 'memoTemplate', message })) : []),
  ];
  if (issues.length > 0 || !parsed.success) throw invalidFields(`Some settings are invalid: ${issues.map((i) => `${i.path || 'settings'}: ${i.message}`).join('; ')}`, issues);
  const settings = parsed.data;
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
    const issues = fresh.map((r) => ({ path: r.field, message: 'QuickBooks is not connected, so this id cannot be checked' }));
    throw new ConflictError(`Connect QuickBooks before choosing QuickBooks ids (${fresh.map((r) => r.field).join(', ')}): DealBooks checks each one exists there.`, {
      details: fieldDetails(issues),
    });
  }
  const unusable = await withinCardBudget(checkSettingReferences(deps, portalId, settings), 'Checking the QuickBooks choices');
  if (unusable.length === 0) return;
  throw invalidFields(
    `Some settings name QuickBooks objects that cannot be used: ${unusable.map((u) => u.message).join(' ')}`,
    unusable.map((u) => ({ path: u.field, message: u.message })),
  );
}

function versionConflict(): ConflictError {
  return new ConflictError('Someone else saved the settings in the meantime. Reload them and apply your change again.', { details: { reason: 'version_conflict' } });
}

/**
 * One HubSpot product and the QuickBooks item it is sold as. `itemId` null: not mapped, and `suggestion` is what the
 * item engine (sync/items.ts, the rules every document follows) would sell it as without a mapping: the active item
 * with its SKU, else with its name (both compared normalised). The engine matches exactly, so `score` is 1; an
 * accepted suggestion is saved like any mapping (PUT /api/mappings/products/:productId with its itemId).
 */
export interface ProductMapping {
  productId: string;
  productName: string | null;
  sku: string | null;
  itemId: string | null;
  itemName: string | null;
  method: string | null;
  updatedAt: string | null;
  suggestion: { itemId: string; itemName: string; reason: 'sku' | 'name'; score: number } | null;
}

export interface ProductMappings {
  mappings: ProductMapping[];
  /** The product library holds more than the 1,000 products listed; the mapped ones are listed all the same. */
  truncated: boolean;
  /** Words when HubSpot or QuickBooks could not be read just now (the stored mappings are still listed); else null. */
  message: string | null;
}

/** A failure of HubSpot or QuickBooks (or their slowness) that the mapping page answers in words, not an error. */
function upstreamTrouble(err: unknown): boolean {
  return err instanceof UpstreamError || err instanceof UpstreamSlowError;
}

/**
 * Every product of the account's HubSpot product library (up to 1,000), then any other mapped product (one deleted
 * from the library keeps its mapping). Suggestions need QuickBooks; without a connection they are null. The stored
 * mappings are DealBooks' own, so they are answered even when HubSpot or QuickBooks cannot be read just now: the
 * product list or the suggestions are left out and `message` says why, rather than the page losing everything.
 */
export async function productMappings(deps: QuoteToCashDeps, portalId: number): Promise<ProductMappings> {
  const connection = await deps.connections.live(portalId);
  const failed: string[] = [];
  const [links, library, items] = await Promise.all([
    connection ? linksOfType(deps.pool, connection.id, 'product', 'Item') : Promise.resolve([]),
    withinCardBudget(deps.deals.listProducts(portalId), 'Listing the HubSpot products').catch((err: unknown) => {
      if (!upstreamTrouble(err)) throw err;
      failed.push('HubSpot could not be read just now, so only the products already mapped are listed');
      return { products: [], truncated: false };
    }),
    connection?.status === 'connected'
      ? withinCardBudget(deps.cache.get<QboItem[]>(portalId, 'items', () => deps.sales.allItems(portalId)), 'Reading the QuickBooks items').catch((err: unknown) => {
          if (!upstreamTrouble(err)) throw err;
          failed.push('QuickBooks could not be read just now, so there are no suggestions');
          return [] as QboItem[];
        })
      : Promise.resolve([] as QboItem[]),
  ]);
  const products = library.products;
  const linked = new Map(links.filter((l) => l.status === 'linked' && l.qboEntityId).map((l) => [l.hubspotObjectId, l]));
  const itemNames = new Map(items.map((i) => [i.id, i.name]));
  const unmapped = products.filter((p) => !linked.has(p.id));
  const { chosen } = mapItems({
    lines: unmapped.map((p) => ({ id: p.id, name: p.name ?? '', description: null, productId: null, sku: p.sku, quantity: '1', price: null, discount: null, discountPercentage: null, amount: null, currency: null, product: null })),
    items,
    productItems: new Map(),
    defaultItemId: null,
  });
  const entry = (productId: string, product: { name: string | null; sku: string | null } | undefined): ProductMapping => {
    const link = linked.get(productId);
    const choice = chosen.get(productId);
    const storedName = typeof link?.details.itemName === 'string' ? link.details.itemName : null;
    return {
      productId,
      productName: product?.name ?? null,
      sku: product?.sku ?? null,
      itemId: link?.qboEntityId ?? null,
      itemName: link?.qboEntityId ? (itemNames.get(link.qboEntityId) ?? storedName) : null,
      method: link?.matchMethod ?? null,
      updatedAt: link?.updatedAt ?? null,
      suggestion: !link && choice && (choice.method === 'sku' || choice.method === 'name') ? { itemId: choice.itemId, itemName: choice.itemName, reason: choice.method, score: 1 } : null,
    };
  };
  const listed = new Set(products.map((p) => p.id));
  return {
    mappings: [...products.map((p) => entry(p.id, p)), ...[...linked.keys()].filter((id) => !listed.has(id)).map((id) => entry(id, undefined))],
    truncated: library.truncated,
    message: failed.length === 0 ? null : `${failed.sort().join('; ')}. Reload in a minute.`,
  };
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

export function syncLogPage(
  deps: QuoteToCashDeps,
  portalId: number,
  filter: { dealId?: string; outcome?: SyncOutcome; before?: number; limit: number },
): Promise<{ entries: SyncLogRow[]; nextBefore: number | null }> {
  return listSyncLog(deps.pool, portalId, filter);
}
