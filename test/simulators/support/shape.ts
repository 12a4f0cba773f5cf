/**
 * Structural comparison of JSON payloads, for fidelity tests of the simulators against real payloads.
 * `shapeOf(json)` describes a value's structure: objects by their keys, arrays by their elements, scalars by
 * JSON type, with strings refined to the formats APIs care about (date, date-time with/without milliseconds,
 * numeric id). `expectSameShape(actual, expected)` fails with every path where the two differ:
 * missing or extra keys, different types or string formats.
 *
 * Arrays: each actual element is compared with the expected element it differs least from (QBO Line[] mixes
 * SalesItemLineDetail, SubTotalLineDetail... lines), so the element order and count may differ; an empty array
 * on one side matches any array.
 */

export type ScalarShape = 'null' | 'boolean' | 'number' | 'string' | 'date' | 'date-time' | 'date-time-ms';
export type Shape = ScalarShape | Shape[] | { [key: string]: Shape };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const DATE_TIME_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,3}(Z|[+-]\d{2}:\d{2})$/;

function scalarShape(value: unknown): ScalarShape {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') {
    if (DATE.test(value)) return 'date';
    if (DATE_TIME.test(value)) return 'date-time';
    if (DATE_TIME_MS.test(value)) return 'date-time-ms';
    return 'string';
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The structure of a JSON value (keys sorted, arrays reduced to their distinct element shapes). */
export function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) {
    const distinct = new Map<string, Shape>();
    for (const element of value) {
      const shape = shapeOf(element);
      distinct.set(JSON.stringify(shape), shape);
    }
    return [...distinct.values()];
  }
  if (isObject(value)) {
    const out: { [key: string]: Shape } = {};
    for (const key of Object.keys(value).sort()) out[key] = shapeOf(value[key]);
    return out;
  }
  return scalarShape(value);
}

export interface ShapeOptions {
  /**
   * Paths to leave out on both sides, with their subtrees: `Invoice.ProjectRef`, `Invoice.Line[].LineNum`,
   * or `*.Lat` for a key anywhere. Array elements are written `[]`.
   */
  ignore?: readonly string[];
}

function ignored(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    if (pattern.startsWith('*.')) return path === pattern.slice(2) || path.endsWith(`.${pattern.slice(2)}`);
    return path === pattern;
  });
}

/** Every difference between the shapes of `actual` and `expected`, as `path: message` lines. */
export function shapeDifferences(actual: unknown, expected: unknown, options: ShapeOptions = {}, path = ''): string[] {
  const patterns = options.ignore ?? [];
  const here = path === '' ? '(root)' : path;
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return [`${here}: expected ${describe(expected)}, got ${describe(actual)}`];
    if (expected.length === 0 || actual.length === 0) return [];
    return actual.flatMap((element) => shapeDifferences(element, closest(element, expected, options, `${path}[]`), options, `${path}[]`)).filter(unique());
  }
  if (isObject(expected) || isObject(actual)) {
    if (!isObject(expected) || !isObject(actual)) return [`${here}: expected ${describe(expected)}, got ${describe(actual)}`];
    const diffs: string[] = [];
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of [...keys].sort()) {
      const child = path === '' ? key : `${path}.${key}`;
      if (ignored(child, patterns)) continue;
      if (!(key in actual)) diffs.push(`${child}: missing (expected ${describe(expected[key])})`);
      else if (!(key in expected)) diffs.push(`${child}: unexpected key (${describe(actual[key])})`);
      else diffs.push(...shapeDifferences(actual[key], expected[key], options, child));
    }
    return diffs;
  }
  const a = scalarShape(actual);
  const e = scalarShape(expected);
  return a === e ? [] : [`${here}: expected ${e} (${JSON.stringify(expected)}), got ${a} (${JSON.stringify(actual)})`];
}

/** Throws (a readable jest failure) when the shapes differ. */
export function expectSameShape(actual: unknown, expected: unknown, options: ShapeOptions = {}): void {
  const diffs = shapeDifferences(actual, expected, options);
  if (diffs.length > 0) {
    throw new Error(`JSON shapes differ:\n  ${diffs.join('\n  ')}\nactual: ${JSON.stringify(actual, null, 2).slice(0, 4000)}`);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (isObject(value)) return 'object';
  return scalarShape(value);
}

/** The expected element the actual one differs least from (fewest shape differences, recursively). */
function closest(element: unknown, candidates: unknown[], options: ShapeOptions, path: string): unknown {
  let best = candidates[0];
  let bestCount = Infinity;
  for (const candidate of candidates) {
    const count = shapeDifferences(element, candidate, options, path).length;
    if (count < bestCount) {
      best = candidate;
      bestCount = count;
    }
    if (count === 0) break;
  }
  return best;
}

function unique(): (line: string) => boolean {
  const seen = new Set<string>();
  return (line) => !seen.has(line) && (seen.add(line), true);
}
