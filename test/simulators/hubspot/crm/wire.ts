import { findAssociationType } from './associations';
import type { CrmObject, HubSpotAccount } from './account';
import { historyToWire } from './history';
import { alwaysReturned, findObjectType, type ObjectTypeInfo } from './object-types';

export interface WireOptions {
  /** `?properties=a,b`: these (if defined) plus the always-returned ones; default: the type's default set. */
  properties?: string[];
  /** Every stored property (the control API). */
  all?: boolean;
  /** `propertiesWithHistory`: these properties' past values as well, under `propertiesWithHistory`. */
  propertiesWithHistory?: string[];
}

/**
 * An object as HubSpot returns it: `{id, properties, createdAt, updatedAt, archived}`. Requested properties that
 * exist but have no value come back as null; names that are not properties are left out silently, like HubSpot.
 */
export function objectToWire(account: HubSpotAccount, type: ObjectTypeInfo, object: CrmObject, options: WireOptions = {}): Record<string, unknown> {
  const names = options.all
    ? Object.keys(object.properties).sort()
    : [...new Set([...(options.properties ?? type.defaultProperties), ...alwaysReturned(type)])].filter(
        (name) => account.schema.find(type.name, name) !== undefined,
      );
  const properties: Record<string, string | null> = {};
  for (const name of names) properties[name] = object.properties[name] ?? null;
  const history = options.propertiesWithHistory?.length
    ? { propertiesWithHistory: historyToWire(object, options.propertiesWithHistory, (name) => account.schema.find(type.name, name) !== undefined, account.crmFidelity()) }
    : {};
  return {
    id: object.id,
    properties,
    ...history,
    createdAt: new Date(object.createdAtMs).toISOString(),
    updatedAt: new Date(object.updatedAtMs).toISOString(),
    archived: object.archived,
    ...(object.archivedAtMs !== undefined ? { archivedAt: new Date(object.archivedAtMs).toISOString() } : {}),
  };
}

/**
 * The v3 `associations` map for `?associations=line_items,companies`: keyed by the target's association key
 * ("line items" with a space for line items, as HubSpot answers), `{results:[{id, type}]}` with one entry per
 * association type (a primary company appears twice: `deal_to_company` and `deal_to_company_unlabeled`).
 * Types with no associated objects are left out; unknown names are ignored.
 */
export function associationsToWire(account: HubSpotAccount, type: ObjectTypeInfo, object: CrmObject, requested: string[]): Record<string, unknown> | undefined {
  const map: Record<string, { results: { id: string; type: string }[] }> = {};
  for (const name of requested) {
    const target = findObjectType(name);
    if (!target) continue;
    const results = account.associations
      .list(type.name, object.id, target.name)
      .filter((a) => account.find(target.name, a.toId) !== undefined)
      .flatMap((a) => a.typeIds.map((typeId) => ({ id: a.toId, type: findAssociationType(type.name, typeId)?.name ?? String(typeId) })));
    if (results.length > 0) map[target.associationKey] = { results };
  }
  return Object.keys(map).length > 0 ? map : undefined;
}

/** Splits `a,b` query values (also repeated `?properties=a&properties=b`). */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  const names = parts.map((s) => s.trim()).filter((s) => s !== '');
  return names;
}
