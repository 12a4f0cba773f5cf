import { z } from 'zod';
import type { QuickbooksApi } from './api';

/**
 * QBO's query language, the little of it DealBooks needs
 * (https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries): `SELECT * FROM Entity [WHERE a
 * AND b] [ORDERBY f [ASC|DESC]] STARTPOSITION n MAXRESULTS m`. One entity, AND only, string literals in single
 * quotes with a quote inside escaped as `\'`; STARTPOSITION counts from 1 and a page holds at most 1000 objects.
 * An empty page has no entity array at all, and only fields with values are returned.
 */
export const MAX_PAGE_SIZE = 1000;

/**
 * A string literal, quoted: `O'Brien` -> `'O\'Brien'`. Intuit documents only `\'`; a backslash is escaped
 * too (`\\`) so that a value ending in one cannot swallow the closing quote.
 */
export function qboQuote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Conditions joined with AND (QBO has no OR); empty ones are left out. Undefined when nothing is left. */
export function qboWhere(...conditions: Array<string | undefined | null | false>): string | undefined {
  const parts = conditions.filter((c): c is string => typeof c === 'string' && c.trim() !== '');
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

export interface SelectOptions {
  where?: string | undefined;
  /** e.g. `MetaData.CreateTime DESC`. */
  orderBy?: string | undefined;
}

const ENTITY = /^[A-Za-z]+$/;
const ORDER_BY = /^[A-Za-z][A-Za-z.]*(\s+(ASC|DESC))?(\s*,\s*[A-Za-z][A-Za-z.]*(\s+(ASC|DESC))?)*$/i;

/** The statement for one page. */
export function selectStatement(entity: string, options: SelectOptions & { startPosition: number; maxResults: number }): string {
  if (!ENTITY.test(entity)) throw new Error(`not a QBO entity name: ${entity}`);
  if (options.orderBy !== undefined && !ORDER_BY.test(options.orderBy)) throw new Error(`not a QBO ORDERBY clause: ${options.orderBy}`);
  if (!Number.isInteger(options.startPosition) || options.startPosition < 1) throw new Error('STARTPOSITION counts from 1');
  if (!Number.isInteger(options.maxResults) || options.maxResults < 1 || options.maxResults > MAX_PAGE_SIZE) {
    throw new Error(`MAXRESULTS must be 1 to ${MAX_PAGE_SIZE}`);
  }
  return [
    `SELECT * FROM ${entity}`,
    options.where ? `WHERE ${options.where}` : undefined,
    options.orderBy ? `ORDERBY ${options.orderBy}` : undefined,
    `STARTPOSITION ${options.startPosition}`,
    `MAXRESULTS ${options.maxResults}`,
  ]
    .filter(Boolean)
    .join(' ');
}

const queryResponseSchema = z.object({ QueryResponse: z.record(z.string(), z.unknown()) });
const objectsSchema = z.array(z.record(z.string(), z.unknown()));

export type RawObject = Record<string, unknown>;

export interface PageOptions extends SelectOptions {
  /** Objects per request, 1..1000 (default 1000). */
  pageSize?: number;
  signal?: AbortSignal;
}

/** Every page of the result in order, one request each, fetched only as the caller asks for the next. */
export async function* queryPages(api: QuickbooksApi, portalId: number, entity: string, options: PageOptions = {}): AsyncGenerator<RawObject[]> {
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  for (let start = 1; ; start += pageSize) {
    const query = selectStatement(entity, { where: options.where, orderBy: options.orderBy, startPosition: start, maxResults: pageSize });
    const response = await api.get(portalId, '/query', { query }, options.signal);
    const body = queryResponseSchema.parse(response.json);
    // The array is keyed by the entity's own spelling (`Customer`), whatever case the query used.
    const key = Object.keys(body.QueryResponse).find((k) => k.toLowerCase() === entity.toLowerCase());
    const page = key === undefined ? [] : objectsSchema.parse(body.QueryResponse[key]);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
  }
}

/** Every object matching `where` (raw QBO JSON), across as many pages as it takes. */
export async function queryAll(api: QuickbooksApi, portalId: number, entity: string, where?: string, options: Omit<PageOptions, 'where'> = {}): Promise<RawObject[]> {
  const all: RawObject[] = [];
  for await (const page of queryPages(api, portalId, entity, { ...options, where })) all.push(...page);
  return all;
}
