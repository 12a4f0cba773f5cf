/**
 * The QBO query language (developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries):
 * `SELECT * | COUNT(*) FROM Entity [WHERE cond AND cond ...]
 * [ORDERBY field [ASC|DESC], ...] [STARTPOSITION n] [MAXRESULTS n]`. One entity, AND only (no OR, no joins, no
 * projections); operators = < > <= >= IN LIKE (LIKE with % wildcards); string literals in single quotes with
 * `\'` escapes; keywords and entity names case-insensitive; dotted fields (MetaData.LastUpdatedTime); a Ref
 * field (CustomerRef) compares its `value`, an email its `Address`. Objects with Active=false are left out
 * unless the WHERE names Active. Parse errors are 400 code 4000 "Error parsing query" with a QueryParserError
 * detail, as QBO answers (texts seen in mcohen01/node-quickbooks issue #56, consolibyte/quickbooks-php #129).
 */
import { copyOf, type QboCompany } from './company';
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
    const wanted = part.toLowerCase();
    const key = Object.keys(record).find((k) => k.length === wanted.length && k.toLowerCase() === wanted);
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

/**
 * A value ready for comparisons: what compareValues looks at, worked out once per value rather than once per
 * comparison (a sort meets each value about log n times). The instant and lower-case form are computed on demand.
 */
interface Comparable {
  value: unknown;
  text: string;
  /** An Id-like numeric string (1 to 15 digits). */
  numeric: boolean;
  dateTime: boolean;
  datePrefix: boolean;
  instant?: number;
  lower?: string;
}

function comparable(value: unknown): Comparable {
  const text = String(value);
  return { value, text, numeric: /^\d{1,15}$/.test(text), dateTime: DATE_TIME.test(text), datePrefix: DATE_PATTERN.test(text.slice(0, 10)) };
}

const instantOf = (c: Comparable): number => (c.instant ??= parseQboInstant(c.text));
const lowerOf = (c: Comparable): string => (c.lower ??= c.text.toLowerCase());

/** Orders two values: numbers numerically, date-times as instants, strings case-insensitively. */
function compareValues(a: Comparable, b: Comparable): number {
  if (typeof a.value === 'number' || typeof b.value === 'number') {
    const x = Number(a.value);
    const y = Number(b.value);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a.value === 'boolean' || typeof b.value === 'boolean') return a.text === b.text ? 0 : a.text < b.text ? -1 : 1;
  // Ids are numeric strings: '10' sorts after '9'.
  if (a.numeric && b.numeric) return Math.sign(Number(a.text) - Number(b.text));
  if (a.dateTime || (b.dateTime && a.datePrefix)) {
    const dx = instantOf(a);
    const dy = instantOf(b);
    if (!Number.isNaN(dx) && !Number.isNaN(dy)) return dx < dy ? -1 : dx > dy ? 1 : 0;
  }
  const lx = lowerOf(a);
  const ly = lowerOf(b);
  return lx < ly ? -1 : lx > ly ? 1 : 0;
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'is');
}

/** A test for one WHERE condition (literals and a LIKE pattern are prepared once per query, not once per object). */
function matcher(condition: Condition): (object: Readonly<QboObject>) => boolean {
  const literals = condition.values.map(comparable);
  const [first] = literals as [Comparable];
  const like = condition.operator === 'LIKE' ? likeToRegExp(first.text) : undefined;
  const compare = (value: Comparable): boolean => {
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
        return literals.some((v) => compareValues(value, v) === 0);
      case 'LIKE':
        return like?.test(value.text) === true;
    }
  };
  return (object) => {
    const value = fieldValue(object, condition.field);
    return value !== undefined && value !== null && compare(comparable(value));
  };
}

/** Sorts (stably) by the ORDERBY fields; each object's values are read and prepared once. */
function ordered(objects: Array<Readonly<QboObject>>, orderBy: ParsedQuery['orderBy']): Array<Readonly<QboObject>> {
  const keyed = objects.map((object) => ({ object, values: orderBy.map(({ field }) => comparable(fieldValue(object, field))) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < orderBy.length; i++) {
      const x = a.values[i] as Comparable;
      const y = b.values[i] as Comparable;
      if (x.value === y.value) continue;
      if (x.value === undefined) return 1;
      if (y.value === undefined) return -1;
      const order = compareValues(x, y);
      if (order !== 0) return orderBy[i]?.descending ? -order : order;
    }
    return 0;
  });
  return keyed.map((k) => k.object);
}

export type QueryResult = { totalCount: number } | { entity: EntityName; objects: QboObject[]; startPosition: number; maxResults: number };

export function runQuery(company: QboCompany, text: string): QueryResult {
  const query = parseQuery(text);
  const mentionsActive = query.where.some((c) => c.field.toLowerCase() === 'active');
  const tests = query.where.map(matcher);
  // Stored objects are read in place; only the page that is returned gets copied.
  let objects: Array<Readonly<QboObject>> = [];
  for (const { object } of company.scan(query.entity)) {
    if ((mentionsActive || object.Active !== false) && tests.every((test) => test(object))) objects.push(object);
  }
  if (query.count) return { totalCount: objects.length };
  if (query.orderBy.length > 0) objects = ordered(objects, query.orderBy);
  const page = query.maxResults === 0 ? [] : objects.slice(query.startPosition - 1, query.startPosition - 1 + query.maxResults).map(copyOf);
  return { entity: query.entity, objects: page, startPosition: query.startPosition, maxResults: page.length };
}

/** The QueryResponse object QBO returns: entity array + paging, `totalCount` for COUNT, `{}` when empty. */
export function queryResponse(company: QboCompany, text: string): QboObject {
  const result = runQuery(company, text);
  if ('totalCount' in result) return { totalCount: result.totalCount };
  if (result.objects.length === 0) return {};
  return { [result.entity]: result.objects, startPosition: result.startPosition, maxResults: result.maxResults };
}
