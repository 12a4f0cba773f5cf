/**
 * What Postgres cannot store, found before it is sent. Postgres text refuses U+0000 ("invalid byte sequence for
 * encoding UTF8: 0x00"), and jsonb refuses both `\u0000` and a lone UTF-16 surrogate such as `\ud800` ("unsupported
 * Unicode escape sequence"; https://www.postgresql.org/docs/current/datatype-json.html). JSON.parse accepts both, so
 * any string from outside may hold them. jsonb is also parsed recursively, and a nesting deep enough exhausts the
 * server's stack ("stack depth limit exceeded"); walking it here is iterative for the same reason.
 *
 * Everything here is pure: request edges refuse such values with a 400 naming the field, the webhook inbox keeps an
 * event that holds them as failed, with the values replaced by U+FFFD (the Unicode replacement character).
 */

/** Deeper than any payload DealBooks reads (HubSpot and QuickBooks events nest a few levels). */
export const MAX_JSON_DEPTH = 64;

export type TextProblem = 'nul' | 'lone_surrogate';

const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_GLOBAL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function textProblem(text: string): TextProblem | null {
  if (NUL.test(text)) return 'nul';
  if (LONE_SURROGATE.test(text)) return 'lone_surrogate';
  return null;
}

/** The text with every character Postgres refuses replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE_GLOBAL, '\ufffd');
}

export type JsonProblem = { path: Array<string | number>; problem: TextProblem | 'too_deep' };

const DESCRIPTIONS: Record<JsonProblem['problem'], string> = {
  nul: 'holds a NUL character (\\u0000)',
  lone_surrogate: 'holds a lone UTF-16 surrogate (an invalid \\ud800-\\udfff escape)',
  too_deep: `is nested deeper than ${MAX_JSON_DEPTH} levels`,
};

/** "memoTemplate holds a NUL character (\u0000)"; a path is shown with dots, and itself made storable. */
export function describeJsonProblem(found: JsonProblem, root = '(body)'): string {
  const path = found.path.length === 0 ? root : found.path.map((p) => storableText(String(p))).join('.');
  return `${path} ${DESCRIPTIONS[found.problem]}`;
}

/**
 * The first string (value or key) Postgres would refuse, or the first place nested deeper than `maxDepth`, in
 * document order; null when the whole value can be stored.
 */
export function findUnstorable(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | null {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path, problem };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= maxDepth) return { path, problem: 'too_deep' };
    const children: Array<{ value: unknown; path: Array<string | number> }> = [];
    if (Array.isArray(v)) v.forEach((child, i) => children.push({ value: child, path: [...path, i] }));
    else
      for (const [key, child] of Object.entries(v)) {
        const problem = textProblem(key);
        if (problem) return { path: [...path, key], problem };
        children.push({ value: child, path: [...path, key] });
      }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return null;
}

/**
 * A copy that Postgres can store: strings and keys made storable, and anything nested deeper than `maxDepth`
 * replaced by a string that says so. Built iteratively, so no nesting overflows the stack.
 */
export function toStorableJson(value: unknown, maxDepth = MAX_JSON_DEPTH): unknown {
  const root: { value?: unknown } = {};
  const stack: Array<{ value: unknown; depth: number; put: (v: unknown) => void }> = [{ value, depth: 0, put: (v) => (root.value = v) }];
  while (stack.length > 0) {
    const { value: v, depth, put } = stack.pop()!;
    if (typeof v === 'string') put(storableText(v));
    else if (v === null || typeof v !== 'object') put(v);
    else if (depth >= maxDepth) put(`[nested deeper than ${maxDepth} levels: not kept]`);
    else if (Array.isArray(v)) {
      const copy: unknown[] = new Array(v.length);
      put(copy);
      v.forEach((child, i) => stack.push({ value: child, depth: depth + 1, put: (c) => (copy[i] = c) }));
    } else {
      const copy: Record<string, unknown> = {};
      put(copy);
      for (const [key, child] of Object.entries(v)) {
        const storableKey = storableText(key);
        copy[storableKey] = null; // keeps the keys in their order
        stack.push({ value: child, depth: depth + 1, put: (c) => (copy[storableKey] = c) });
      }
    }
  }
  return root.value;
}
