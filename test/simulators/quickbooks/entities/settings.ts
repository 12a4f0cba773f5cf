/**
 * The company singletons: Preferences (Id "1") and CompanyInfo. Updates deep-merge Preferences (QBO only lets an
 * app change a handful of them; the rest keep their values) and shallow-merge CompanyInfo.
 */
import type { QboObject } from '../entity-names';
import { invalidValue } from '../fault';
import { isQboDate } from '../time';
import { requireString, type EntityRules } from './rules';

const isPlainObject = (value: unknown): value is QboObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects merge key by key; arrays and scalars replace; null removes a key. */
export function deepMerge(base: QboObject, patch: QboObject): QboObject {
  const out: QboObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = deepMerge(out[key] as QboObject, value);
    else out[key] = structuredClone(value);
  }
  return out;
}

export const preferencesRules: EntityRules = {
  entity: 'Preferences',
  build(_company, input, existing) {
    const merged = deepMerge(existing ?? {}, input);
    const closeDate = merged.AccountingInfoPrefs?.BookCloseDate as unknown;
    if (closeDate !== undefined && !isQboDate(closeDate)) throw invalidValue('AccountingInfoPrefs.BookCloseDate must be YYYY-MM-DD', 'AccountingInfoPrefs.BookCloseDate');
    return merged;
  },
};

export const companyInfoRules: EntityRules = {
  entity: 'CompanyInfo',
  build(_company, input, existing) {
    requireString(input.CompanyName ?? existing?.CompanyName, 'CompanyName');
    return { ...(existing ?? {}), ...input };
  },
};
