import type { CrmObject, HubSpotAccount } from './account';
import { compareIds } from './associations';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits } from './fidelity';
import { compare as compareDecimal, parseDecimal } from './decimal';
import { badRequest } from './errors';
import { findObjectType, type ObjectTypeInfo } from './object-types';
import type { PropertyDefinition } from './property-definitions';
import { parseInstant } from './values';
import { objectToWire } from './wire';

/**
 * HubSpot's search limits by default (sources in fidelity.ts); a simulator can be started with other ones
 * (`crmFidelity.search`), because the published figures disagree.
 */
export const SEARCH_LIMITS: Readonly<SearchLimits> = DEFAULT_SEARCH_LIMITS;

/**
 * Filters on associated records: `associations.{type}` (`associations.contact`, `associations.company`,
 * `associations.deal`) with an object id as the value finds the records associated with that object
 * (https://developers.hubspot.com/docs/api/crm/search, "Filter search results" / associations; HubSpot's own CRM UI
 * names its association filters the same way). Only the id-set operators make sense on it: EQ (associated with
 * this one), NEQ, IN, NOT_IN, HAS_PROPERTY (associated with any), NOT_HAS_PROPERTY. Which of these HubSpot accepts
 * beyond EQ is not documented; the others are refused.
 */
const ASSOCIATION_FILTER = /^associations\.(.+)$/;
const ASSOCIATION_OPERATORS: readonly Operator[] = ['EQ', 'NEQ', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY'];

export const OPERATORS = [
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN',
  'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
] as const;
type Operator = (typeof OPERATORS)[number];

interface Filter {
  propertyName: string;
  /** Set for an `associations.{type}` filter: the associated type whose ids are compared. */
  associatedType?: ObjectTypeInfo;
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
  const limits = account.crmFidelity().search;
  const groups = parseFilterGroups(account, type, request.filterGroups, limits);
  const sorts = parseSorts(request.sorts);
  const limit = parseLimit(request.limit, limits);
  const offset = parseAfter(request.after, limits);
  const query = parseQuery(request.query, limits);
  const properties = Array.isArray(request.properties) ? request.properties.map(String) : undefined;

  const matches = account
    .list(type.name)
    .filter((o) => groups.length === 0 || groups.some((g) => g.every((f) => matchesFilter(account, type, o, f))))
    .filter((o) => query === undefined || matchesQuery(type, o, query))
    .sort((a, b) => compareObjects(account, type, a, b, sorts));

  const reachable = matches.slice(0, limits.maxResults);
  const page = reachable.slice(offset, offset + limit);
  const nextOffset = offset + page.length;
  return {
    total: matches.length,
    results: page.map((o) => objectToWire(account, type, o, properties ? { properties } : {})),
    ...(nextOffset < reachable.length ? { paging: { next: { after: String(nextOffset) } } } : {}),
  };
}

/**
 * The full-text `query` may be at most `maxQueryLength` characters (3,000 by default, fidelity.ts); HubSpot's wording
 * for a longer one is not published, so the message here is the simulator's.
 */
function parseQuery(raw: unknown, limits: SearchLimits): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  if (raw.length > limits.maxQueryLength) {
    throw badRequest(`The query is ${raw.length} characters long. The maximum is ${limits.maxQueryLength} characters.`);
  }
  return raw.trim().toLowerCase();
}

function parseFilterGroups(account: HubSpotAccount, type: ObjectTypeInfo, raw: unknown, limits: SearchLimits): Filter[][] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw badRequest('filterGroups must be a list');
  if (raw.length > limits.maxFilterGroups) {
    throw badRequest(`Too many filter groups: ${raw.length}. The maximum is ${limits.maxFilterGroups}.`);
  }
  let total = 0;
  const groups = raw.map((group: unknown) => {
    const filters = (group as { filters?: unknown })?.filters;
    if (!Array.isArray(filters)) throw badRequest('Each filter group needs a list of filters');
    if (filters.length > limits.maxFiltersPerGroup) {
      throw badRequest(`Too many filters in a group: ${filters.length}. The maximum is ${limits.maxFiltersPerGroup}.`);
    }
    total += filters.length;
    return filters.map((f: unknown) => parseFilter(account, type, f));
  });
  if (total > limits.maxFiltersTotal) {
    throw badRequest(`Too many filters: ${total}. The maximum is ${limits.maxFiltersTotal} across all groups.`);
  }
  return groups;
}

function parseFilter(account: HubSpotAccount, type: ObjectTypeInfo, raw: unknown): Filter {
  const f = (raw ?? {}) as Record<string, unknown>;
  const propertyName = typeof f.propertyName === 'string' ? f.propertyName : '';
  const operator = (typeof f.operator === 'string' ? f.operator : 'EQ') as Operator;
  if (!OPERATORS.includes(operator)) throw badRequest(`Unknown filter operator ${String(f.operator)}. Allowed: ${OPERATORS.join(', ')}`);
  const associationName = ASSOCIATION_FILTER.exec(propertyName)?.[1];
  const associatedType = associationName === undefined ? undefined : findObjectType(associationName);
  if (associationName !== undefined && !associatedType) throw badRequest(`There was a problem with the request: property ${propertyName} does not exist`);
  if (associatedType && !ASSOCIATION_OPERATORS.includes(operator)) {
    throw badRequest(`Operator ${operator} is not supported on ${propertyName}. Allowed: ${ASSOCIATION_OPERATORS.join(', ')}`);
  }
  if (!associatedType && !account.schema.find(type.name, propertyName)) throw badRequest(`There was a problem with the request: property ${propertyName} does not exist`);
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  const filter: Filter = { propertyName, operator, ...(associatedType ? { associatedType } : {}) };
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

function parseLimit(raw: unknown, limits: SearchLimits): number {
  if (raw === undefined || raw === null) return limits.defaultLimit;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > limits.maxLimit) {
    throw badRequest(`limit must be between 1 and ${limits.maxLimit}, was ${String(raw)}`);
  }
  return n;
}

/** `after` is an offset; paging to 10,000 or beyond is a 400 in HubSpot. */
function parseAfter(raw: unknown, limits: SearchLimits): number {
  if (raw === undefined || raw === null || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`after must be a non-negative integer, was ${String(raw)}`);
  if (n >= limits.maxResults) {
    throw badRequest(`Search can not page beyond ${limits.maxResults} results (after=${n}); narrow the filters instead.`);
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
  if (f.associatedType) return matchesAssociation(account, type, object, f, f.associatedType);
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

/** An `associations.{type}` filter: compares the ids of the live objects of that type associated with this one. */
function matchesAssociation(account: HubSpotAccount, type: ObjectTypeInfo, object: CrmObject, f: Filter, target: ObjectTypeInfo): boolean {
  const ids = new Set(account.associations.list(type.name, object.id, target.name).filter((a) => account.find(target.name, a.toId)).map((a) => a.toId));
  const has = (v: string) => ids.has(v.trim());
  switch (f.operator) {
    case 'EQ': return has(f.value ?? '');
    case 'NEQ': return !has(f.value ?? '');
    case 'IN': return (f.values ?? []).some(has);
    case 'NOT_IN': return !(f.values ?? []).some(has);
    case 'HAS_PROPERTY': return ids.size > 0;
    case 'NOT_HAS_PROPERTY': return ids.size === 0;
    default: return false;
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
