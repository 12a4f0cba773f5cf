import type { CrmObject, ChangeOrigin } from './account';
import { badRequest } from './errors';
import type { CrmFidelity } from './fidelity';

/**
 * One past value of a property, as `propertiesWithHistory` returns it:
 * `{value, timestamp, sourceType, sourceId, updatedByUserId}` (the v3 sample in
 * https://github.com/HubSpot/hubspot-api-nodejs/issues/154: a UI edit has `sourceType: "CRM_UI"`,
 * `sourceId: "userId:28604240"` and `updatedByUserId: 28604240`). `sourceType` is the change's changeSource, the
 * same word the webhooks of that change carry; a cleared value is recorded as "".
 */
export interface HistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
  updatedByUserId?: number;
}

/**
 * HubSpot caps reads that ask for history at 50 objects, in these words (category VALIDATION_ERROR), quoted from a
 * real answer in https://github.com/activepieces/activepieces/pull/9359; the list endpoint refuses a `limit` over 50
 * with history too (https://github.com/HubSpot/hubspot-api-python/issues/143).
 */
export const MAX_HISTORY_INPUTS = 50;
export const HISTORY_BATCH_MESSAGE = `The maximum number of inputs supported in a batch request for property histories is ${MAX_HISTORY_INPUTS}. Please reduce the number of items and try again`;

export function historyEntry(value: string, atMs: number, origin: ChangeOrigin): HistoryEntry {
  const userId = /^userId:(\d+)$/.exec(origin.sourceId ?? '')?.[1];
  return {
    value,
    timestamp: new Date(atMs).toISOString(),
    sourceType: origin.changeSource,
    ...(origin.sourceId !== undefined ? { sourceId: origin.sourceId } : {}),
    ...(userId !== undefined ? { updatedByUserId: Number(userId) } : {}),
  };
}

export function recordHistory(object: CrmObject, name: string, entry: HistoryEntry): void {
  object.history ??= {};
  (object.history[name] ??= []).push(entry);
}

/** Refuses a read of more than 50 objects with history (see MAX_HISTORY_INPUTS). */
export function checkHistoryCount(count: number, propertiesWithHistory: string[] | undefined): void {
  if (propertiesWithHistory && propertiesWithHistory.length > 0 && count > MAX_HISTORY_INPUTS) throw badRequest(HISTORY_BATCH_MESSAGE);
}

/**
 * The `propertiesWithHistory` map of an object: one list per asked name that is a property of the type (other
 * names are left out silently, as `properties` does). A property never set has an empty list.
 */
export function historyToWire(object: CrmObject, names: string[], isProperty: (name: string) => boolean, fidelity: CrmFidelity): Record<string, HistoryEntry[]> {
  const out: Record<string, HistoryEntry[]> = {};
  for (const name of names) {
    if (!isProperty(name)) continue;
    const entries = [...(object.history?.[name] ?? [])];
    out[name] = fidelity.historyOrder === 'newestFirst' ? entries.reverse() : entries;
  }
  return out;
}
