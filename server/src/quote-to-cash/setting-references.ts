import type { QboItem, QboTerm } from '../sync/model';
import { settingReferences, unusableReferences, type SettingReference, type UnusableReference } from '../sync/setting-references';
import type { Settings } from '../sync/settings';
import type { QuoteToCashDeps } from './deps';

/**
 * Whether QuickBooks can still use the items, terms, class and tax codes finance's settings name: checked when the
 * settings are saved, shown when they are read, and before every document (the card then says which setting).
 */

/** Reads each referenced object by id (inactive ones too, so the words say "inactive" rather than "missing"). */
export async function unusableSettingReferences(deps: QuoteToCashDeps, portalId: number, refs: readonly SettingReference[]): Promise<UnusableReference[]> {
  const found = await Promise.all(refs.map((ref) => deps.sales.listObject(portalId, ref.kind, ref.id)));
  const byRef = new Map(refs.map((ref, i) => [ref, found[i] ?? null]));
  return unusableReferences(refs, (ref) => byRef.get(ref) ?? null);
}

/** Every reference of the settings that QuickBooks cannot use now. */
export function checkSettingReferences(deps: QuoteToCashDeps, portalId: number, settings: Settings): Promise<UnusableReference[]> {
  return unusableSettingReferences(deps, portalId, settingReferences(settings));
}

/**
 * The same check for a document, from the lists the plan has already read (active items and terms) and the cached
 * class and tax code lists; only a reference absent from them is read by id, so the usual case costs no extra call.
 */
export async function unusableForDocument(deps: QuoteToCashDeps, portalId: number, settings: Settings, lists: { items: readonly QboItem[]; terms: readonly QboTerm[] }): Promise<UnusableReference[]> {
  const refs = settingReferences(settings);
  if (refs.length === 0) return [];
  const needs = (kind: SettingReference['kind']) => refs.some((r) => r.kind === kind);
  const [classes, taxCodes] = await Promise.all([
    needs('class') ? deps.cache.get(portalId, 'classes', () => deps.sales.classes(portalId)) : Promise.resolve([]),
    needs('taxCode') ? deps.cache.get(portalId, 'tax-codes', () => deps.sales.taxCodes(portalId)) : Promise.resolve([]),
  ]);
  const usable: Record<SettingReference['kind'], Set<string>> = {
    item: new Set(lists.items.filter((i) => i.active && i.type !== 'Category').map((i) => i.id)),
    term: new Set(lists.terms.filter((t) => t.active).map((t) => t.id)),
    class: new Set(classes.filter((c) => c.active).map((c) => c.id)),
    taxCode: new Set(taxCodes.filter((t) => t.active).map((t) => t.id)),
  };
  const absent = refs.filter((ref) => !usable[ref.kind].has(ref.id));
  return absent.length === 0 ? [] : unusableSettingReferences(deps, portalId, absent);
}
