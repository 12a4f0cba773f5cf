/**
 * The QBO query language (reference "Query"): `SELECT * | COUNT(*) FROM Entity [WHERE cond AND cond ...]
 * [ORDERBY field [ASC|DESC], ...] [STARTPOSITION n] [MAXRESULTS n]`. One entity, AND only (no OR, no joins, no
 * projections); operators = < > <= >= IN LIKE (LIKE with % wildcards); string literals in single quotes with
 * `\'` escapes; keywords and entity names case-insensitive; dotted fields (MetaData.LastUpdatedTime); a Ref
 * field (CustomerRef) compares its `value`, an email its `Address`. Objects with Active=false are left out
 * unless the WHERE names Active. Parse errors are 400 code 4000 "Error parsing query" with a QueryParserError
 * detail, as QBO answers (texts seen in mcohen01/node-quickbooks issue #56, consolibyte/quickbooks-php #129).
 */
import type { QboCompany } from './company';
import { entityFromName, type EntityName, type QboObject } from './entity-names';
import { queryParseError } from './fault';
import { DATE_PATTERN, parseQboInstant } from './time';

export const DEFAULT_MAX_RESULTS = 100;
export const MAX_MAX_RESULTS = 1000;

type Literal = string | number | boolean;
type Operator = '=' | '<' | '>' | '<=' | '>=' | 'IN' | 'LIKE';

export interface Condition {
  field: string;
  operator: Operator;
  values: Literal[];
}

export interface ParsedQuery {
  count: boolean;
  entity: EntityName;
  where: Condition[];
  orderBy: Array<{ field: string; descending: boolean }>;
  startPosition: number;
  maxResults: number;
}

interface Token {
  kind: 'word' | 'string' | 'number' | 'symbol';
  text: string;
  column: number;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const column = i + 1;
    if (ch === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) throw queryParseError(`Lexical error at line 1, column ${query.length + 1}. Encountered: <EOF> inside a string literal`);
        const c = query[i] as string;
        if (c === '\\' && i + 1 < query.length) {
          text += query[i + 1];
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          text += c;
          i++;
        }
      }
      tokens.push({ kind: 'string', text, column });
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(query[i + 1] ?? ''))) {
      const match = /^-?\d+(\.\d+)?/.exec(query.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'number', text: match[0], column });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'word', text: match[0], column });
      i += match[0].length;
    } else if ('<>!'.includes(ch) && query[i + 1] === '=') {
      tokens.push({ kind: 'symbol', text: ch + '=', column });
      i += 2;
    } else if ('=<>(),*'.includes(ch)) {
      tokens.push({ kind: 'symbol', text: ch, column });
      i++;
    } else {
      throw queryParseError(`Invalid content. Lexical error at line 1, column ${column}.  Encountered: "${ch}"`);
    }
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.position];
  }

  isKeyword(word: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toLowerCase() === word;
  }

  fail(expected: string): never {
    const token = this.peek();
    const seen = token ? `"${token.text}" at line 1, column ${token.column}` : '"<EOF>"';
    throw queryParseError(`Encountered ${seen}.\nWas expecting:\n    ${expected} ...`);
  }

  next(): Token {
    const token = this.peek();
    if (!token) this.fail('more input');
    this.position++;
    return token;
  }

  keyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(`"${word}"`);
    this.position++;
  }

  symbol(text: string): void {
    const token = this.peek();
    if (token?.kind !== 'symbol' || token.text !== text) this.fail(`"${text}"`);
    this.position++;
  }

  word(expected: string): string {
    const token = this.peek();
    if (token?.kind !== 'word') this.fail(expected);
    this.position++;
    return token.text;
  }

  literal(): Literal {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'word' && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === 'true';
    this.position--;
    return this.fail('<STRING> or <NUMBER>');
  }

  integer(): number {
    const token = this.next();
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) {
      this.position--;
      this.fail('<INTEGER>');
    }
    return Number(token.text);
  }

  done(): boolean {
    return this.position >= this.tokens.length;
  }
}

/** Only these: QBO has no != or <> (a query using one fails to parse). */
const OPERATORS = new Set(['=', '<', '>', '<=', '>=']);

export function parseQuery(text: string): ParsedQuery {
  if (text.trim() === '') throw queryParseError('Encountered "<EOF>" at line 0, column 0.\nWas expecting:\n    "select" ...');
  const p = new Parser(tokenize(text));
  p.keyword('select');
  let count = false;
  if (p.isKeyword('count')) {
    p.next();
    p.symbol('(');
    p.symbol('*');
    p.symbol(')');
    count = true;
  } else {
    p.symbol('*');
  }
  p.keyword('from');
  const entityWord = p.word('<ENTITY>');
  const entity = entityFromName(entityWord);
  if (!entity) throw queryParseError(`Invalid entity name: ${entityWord}`);
  const where: Condition[] = [];
  if (p.isKeyword('where')) {
    p.next();
    do {
      const field = p.word('<IDENTIFIER>');
      const op = p.next();
      if (op.kind === 'symbol' && OPERATORS.has(op.text)) {
        where.push({ field, operator: op.text as Operator, values: [p.literal()] });
      } else if (op.kind === 'word' && op.text.toLowerCase() === 'in') {
        p.symbol('(');
        const values = [p.literal()];
        while (p.peek()?.text === ',') {
          p.next();
          values.push(p.literal());
        }
        p.symbol(')');
        where.push({ field, operator: 'IN', values });
      } else if (op.kind === 'word' && op.text.toLowerCase() === 'like') {
        const value = p.literal();
        if (typeof value !== 'string') p.fail('<STRING>');
        where.push({ field, operator: 'LIKE', values: [value] });
      } else {
        throw queryParseError(`Encountered "${op.text}" at line 1, column ${op.column}.\nWas expecting one of:\n    "=" ...\n    "<" ...\n    "in" ...\n    "like" ...`);
      }
    } while (p.isKeyword('and') && p.next());
  }
  const orderBy: ParsedQuery['orderBy'] = [];
  if (p.isKeyword('orderby') || p.isKeyword('order')) {
    if (p.isKeyword('order')) {
      p.next();
      p.keyword('by');
    } else p.next();
    do {
      const field = p.word('<IDENTIFIER>');
      let descending = false;
      if (p.isKeyword('desc') || p.isKeyword('asc')) descending = p.next().text.toLowerCase() === 'desc';
      orderBy.push({ field, descending });
    } while (p.peek()?.text === ',' && p.next());
  }
  let startPosition = 1;
  let maxResults = DEFAULT_MAX_RESULTS;
  for (let i = 0; i < 2; i++) {
    if (p.isKeyword('startposition')) {
      p.next();
      startPosition = Math.max(1, p.integer());
    } else if (p.isKeyword('maxresults')) {
      p.next();
      maxResults = Math.min(MAX_MAX_RESULTS, p.integer());
    }
  }
  if (!p.done()) p.fail('<EOF>\n    "and" ...\n    "orderby" ...\n    "startposition" ...\n    "maxresults"');
  return { count, entity, where, orderBy, startPosition, maxResults };
}

/** A field's comparable value: nested path, Ref fields by their value, case-insensitive field names. */
function fieldValue(object: QboObject, path: string): unknown {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    const record = current as QboObject;
    const key = Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : record[key];
  }
  // Refs compare by value, emails by address, phones by number (`WHERE PrimaryEmailAddr = 'a@b.co'`).
  if (typeof current === 'object' && current !== null) {
    const record = current as QboObject;
    return record.value ?? record.Address ?? record.FreeFormNumber ?? current;
  }
  return current;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T/;

/** Orders two values: numbers numerically, date-times as instants, strings case-insensitively. */
function compareValues(a: unknown, b: Literal): number {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b) ? 0 : String(a) < String(b) ? -1 : 1;
  const x = String(a);
  const y = String(b);
  // Ids are numeric strings: '10' sorts after '9'.
  if (/^\d{1,15}$/.test(x) && /^\d{1,15}$/.test(y)) return Math.sign(Number(x) - Number(y));
  if (DATE_TIME.test(x) || (DATE_TIME.test(y) && DATE_PATTERN.test(x.slice(0, 10)))) {
    const dx = parseQboInstant(x);
    const dy = parseQboInstant(y);
    if (!Number.isNaN(dx) && !Number.isNaN(dy)) return dx < dy ? -1 : dx > dy ? 1 : 0;
  }
  const lx = x.toLowerCase();
  const ly = y.toLowerCase();
  return lx < ly ? -1 : lx > ly ? 1 : 0;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'is');
}

function matches(object: QboObject, condition: Condition): boolean {
  const value = fieldValue(object, condition.field);
  if (value === undefined || value === null) return false;
  const [first] = condition.values as [Literal];
  switch (condition.operator) {
    case '=':
      return compareValues(value, first) === 0;
    case '<':
      return compareValues(value, first) < 0;
    case '>':
      return compareValues(value, first) > 0;
    case '<=':
      return compareValues(value, first) <= 0;
    case '>=':
      return compareValues(value, first) >= 0;
    case 'IN':
      return condition.values.some((v) => compareValues(value, v) === 0);
    case 'LIKE':
      return likeToRegExp(String(first)).test(String(value));
  }
}

export type QueryResult = { totalCount: number } | { entity: EntityName; objects: QboObject[]; startPosition: number; maxResults: number };

export function runQuery(company: QboCompany, text: string): QueryResult {
  const query = parseQuery(text);
  const mentionsActive = query.where.some((c) => c.field.toLowerCase() === 'active');
  let objects = company.list(query.entity).filter((o) => (mentionsActive || o.Active !== false) && query.where.every((c) => matches(o, c)));
  if (query.count) return { totalCount: objects.length };
  if (query.orderBy.length > 0) {
    objects = [...objects].sort((a, b) => {
      for (const { field, descending } of query.orderBy) {
        const x = fieldValue(a, field);
        const y = fieldValue(b, field);
        if (x === y) continue;
        if (x === undefined) return 1;
        if (y === undefined) return -1;
        const order = compareValues(x, y as Literal);
        if (order !== 0) return descending ? -order : order;
      }
      return 0;
    });
  }
  const page = query.maxResults === 0 ? [] : objects.slice(query.startPosition - 1, query.startPosition - 1 + query.maxResults);
  return { entity: query.entity, objects: page, startPosition: query.startPosition, maxResults: page.length };
}

/** The QueryResponse object QBO returns: entity array + paging, `totalCount` for COUNT, `{}` when empty. */
export function queryResponse(company: QboCompany, text: string): QboObject {
  const result = runQuery(company, text);
  if ('totalCount' in result) return { totalCount: result.totalCount };
  if (result.objects.length === 0) return {};
  return { [result.entity]: result.objects, startPosition: result.startPosition, maxResults: result.maxResults };
}
