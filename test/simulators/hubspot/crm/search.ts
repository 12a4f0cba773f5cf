import type { CrmObject, HubSpotAccount } from './account';
import { compareIds } from './associations';
import { compare as compareDecimal, parseDecimal } from './decimal';
import { badRequest } from './errors';
import type { ObjectTypeInfo } from './object-types';
import type { PropertyDefinition } from './property-definitions';
import { parseInstant } from './values';
import { objectToWire } from './wire';

/**
 * HubSpot's search limits: 5 filter groups, 10 filters per group and 25 in all, and 10,000 results per query
 * (developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api).
 * All are constants here so a correction is one line.
 */
export const SEARCH_LIMITS = {
  maxFilterGroups: 5,
  maxFiltersPerGroup: 10,
  maxFiltersTotal: 25,
  defaultLimit: 10,
  maxLimit: 200,
  maxResults: 10_000,
} as const;

export const OPERATORS = [
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN',
  'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
] as const;
type Operator = (typeof OPERATORS)[number];

interface Filter {
  propertyName: string;
  operator: Operator;
  value?: string;
  highValue?: string;
  values?: string[];
}

interface Sort {
  propertyName: string;
  descending: boolean;
}

/**
 * `POST /crm/v3/objects/{type}/search`. Groups are ORed, filters within a group ANDed. Text comparisons ignore
 * case (HubSpot's EQ does); number, date and datetime properties compare as numbers/instants. Results reflect
 * every write at once (HubSpot's index lags a few seconds; the simulator does not model that).
 */
export function search(account: HubSpotAccount, type: ObjectTypeInfo, body: unknown): object {
  const request = (body ?? {}) as Record<string, unknown>;
  const groups = parseFilterGroups(account, type, request.filterGroups);
  const sorts = parseSorts(request.sorts);
  const limit = parseLimit(request.limit);
  const offset = parseAfter(request.after);
  const query = typeof request.query === 'string' && request.query.trim() !== '' ? request.query.trim().toLowerCase() : undefined;
  const properties = Array.isArray(request.properties) ? request.properties.map(String) : undefined;

  const matches = account
    .list(type.name)
    .filter((o) => groups.length === 0 || groups.some((g) => g.every((f) => matchesFilter(account, type, o, f))))
    .filter((o) => query === undefined || matchesQuery(type, o, query))
    .sort((a, b) => compareObjects(account, type, a, b, sorts));

  const reachable = matches.slice(0, SEARCH_LIMITS.maxResults);
  const page = reachable.slice(offset, offset + limit);
  const nextOffset = offset + page.length;
  return {
    total: matches.length,
    results: page.map((o) => objectToWire(account, type, o, properties ? { properties } : {})),
    ...(nextOffset < reachable.length ? { paging: { next: { after: String(nextOffset) } } } : {}),
  };
}

function parseFilterGroups(account: HubSpotAccount, type: ObjectTypeInfo, raw: unknown): Filter[][] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw badRequest('filterGroups must be a list');
  if (raw.length > SEARCH_LIMITS.maxFilterGroups) {
    throw badRequest(`Too many filter groups: ${raw.length}. The maximum is ${SEARCH_LIMITS.maxFilterGroups}.`);
  }
  let total = 0;
  const groups = raw.map((group: unknown) => {
    const filters = (group as { filters?: unknown })?.filters;
    if (!Array.isArray(filters)) throw badRequest('Each filter group needs a list of filters');
    if (filters.length > SEARCH_LIMITS.maxFiltersPerGroup) {
      throw badRequest(`Too many filters in a group: ${filters.length}. The maximum is ${SEARCH_LIMITS.maxFiltersPerGroup}.`);
    }
    total += filters.length;
    return filters.map((f: unknown) => parseFilter(account, type, f));
  });
  if (total > SEARCH_LIMITS.maxFiltersTotal) {
    throw badRequest(`Too many filters: ${total}. The maximum is ${SEARCH_LIMITS.maxFiltersTotal} across all groups.`);
  }
  return groups;
}

function parseFilter(account: HubSpotAccount, type: ObjectTypeInfo, raw: unknown): Filter {
  const f = (raw ?? {}) as Record<string, unknown>;
  const propertyName = typeof f.propertyName === 'string' ? f.propertyName : '';
  const operator = (typeof f.operator === 'string' ? f.operator : 'EQ') as Operator;
  if (!OPERATORS.includes(operator)) throw badRequest(`Unknown filter operator ${String(f.operator)}. Allowed: ${OPERATORS.join(', ')}`);
  if (!account.schema.find(type.name, propertyName)) throw badRequest(`There was a problem with the request: property ${propertyName} does not exist`);
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  const filter: Filter = { propertyName, operator };
  const value = text(f.value);
  const highValue = text(f.highValue);
  if (value !== undefined) filter.value = value;
  if (highValue !== undefined) filter.highValue = highValue;
  if (Array.isArray(f.values)) filter.values = f.values.map(String);
  const needs = (ok: boolean, what: string) => {
    if (!ok) throw badRequest(`Operator ${operator} on ${propertyName} needs ${what}`);
  };
  if (operator === 'BETWEEN') needs(value !== undefined && highValue !== undefined, 'value and highValue');
  else if (operator === 'IN' || operator === 'NOT_IN') needs(filter.values !== undefined, 'values');
  else if (operator !== 'HAS_PROPERTY' && operator !== 'NOT_HAS_PROPERTY') needs(value !== undefined, 'a value');
  return filter;
}

function parseSorts(raw: unknown): Sort[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw badRequest('sorts must be a list');
  return raw.map((s: unknown) => {
    // Clients send either {propertyName, direction} or the short form "-createdate" (descending).
    if (typeof s === 'string') return { propertyName: s.replace(/^-/, ''), descending: s.startsWith('-') };
    const o = (s ?? {}) as Record<string, unknown>;
    return { propertyName: String(o.propertyName ?? ''), descending: o.direction === 'DESCENDING' };
  });
}

function parseLimit(raw: unknown): number {
  if (raw === undefined || raw === null) return SEARCH_LIMITS.defaultLimit;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > SEARCH_LIMITS.maxLimit) {
    throw badRequest(`limit must be between 1 and ${SEARCH_LIMITS.maxLimit}, was ${String(raw)}`);
  }
  return n;
}

/** `after` is an offset; paging to 10,000 or beyond is a 400 in HubSpot. */
function parseAfter(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`after must be a non-negative integer, was ${String(raw)}`);
  if (n >= SEARCH_LIMITS.maxResults) {
    throw badRequest(`Search can not page beyond ${SEARCH_LIMITS.maxResults} results (after=${n}); narrow the filters instead.`);
  }
  return n;
}

/** Orders two values of a property: as numbers or instants for number/date properties, else as text ignoring case. */
function compareValues(def: PropertyDefinition | undefined, a: string, b: string): number {
  if (def?.type === 'number') {
    const x = parseDecimal(a);
    const y = parseDecimal(b);
    if (x && y) return compareDecimal(x, y);
  }
  if (def?.type === 'datetime' || def?.type === 'date') {
    const x = parseInstant(a);
    const y = parseInstant(b);
    if (x !== undefined && y !== undefined) return x - y;
  }
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  return s < t ? -1 : s > t ? 1 : 0;
}

function tokens(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((t) => t !== '');
}

/** CONTAINS_TOKEN: a whole word of the value, `*` as a wildcard; a value with separators must appear as written. */
function containsToken(stored: string, wanted: string): boolean {
  const w = wanted.toLowerCase();
  if (w.includes('*')) {
    const pattern = new RegExp(`^${w.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return tokens(stored).some((t) => pattern.test(t)) || pattern.test(stored.toLowerCase());
  }
  return tokens(stored).includes(w) || (tokens(w).length > 1 && stored.toLowerCase().includes(w));
}

function matchesFilter(account: HubSpotAccount, type: ObjectTypeInfo, object: CrmObject, f: Filter): boolean {
  const def = account.schema.find(type.name, f.propertyName);
  const stored = object.properties[f.propertyName];
  const has = stored !== undefined && stored !== '';
  const eq = (v: string) => has && compareValues(def, stored, v) === 0;
  switch (f.operator) {
    case 'HAS_PROPERTY': return has;
    case 'NOT_HAS_PROPERTY': return !has;
    case 'EQ': return eq(f.value ?? '');
    // Negative operators also match objects without the property (HubSpot's index treats missing as "not equal").
    case 'NEQ': return !eq(f.value ?? '');
    case 'IN': return (f.values ?? []).some(eq);
    case 'NOT_IN': return !(f.values ?? []).some(eq);
    case 'LT': return has && compareValues(def, stored, f.value ?? '') < 0;
    case 'LTE': return has && compareValues(def, stored, f.value ?? '') <= 0;
    case 'GT': return has && compareValues(def, stored, f.value ?? '') > 0;
    case 'GTE': return has && compareValues(def, stored, f.value ?? '') >= 0;
    case 'BETWEEN':
      return has && compareValues(def, stored, f.value ?? '') >= 0 && compareValues(def, stored, f.highValue ?? '') <= 0;
    case 'CONTAINS_TOKEN': return has && containsToken(stored, f.value ?? '');
    case 'NOT_CONTAINS_TOKEN': return !(has && containsToken(stored, f.value ?? ''));
  }
}

/** `query`: every word must start a word of one of the type's searchable properties. */
function matchesQuery(type: ObjectTypeInfo, object: CrmObject, query: string): boolean {
  const words = type.queryProperties.flatMap((name) => tokens(object.properties[name] ?? ''));
  return tokens(query).every((q) => words.some((w) => w.startsWith(q)));
}

function compareObjects(account: HubSpotAccount, type: ObjectTypeInfo, a: CrmObject, b: CrmObject, sorts: Sort[]): number {
  for (const sort of sorts) {
    const x = a.properties[sort.propertyName];
    const y = b.properties[sort.propertyName];
    if (x === y) continue;
    // Objects without the value sort last in either direction.
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    const order = compareValues(account.schema.find(type.name, sort.propertyName), x, y);
    if (order !== 0) return sort.descending ? -order : order;
  }
  return compareIds(a.id, b.id);
}
