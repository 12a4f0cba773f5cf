/**
 * Storage pieces of a QboCompany: one entity's rows kept in Id order, and key indexes over them. They exist so a
 * write costs O(1) in the size of the books (plus the objects it relates to) and a read never sorts or copies
 * rows it does not return; the company (company.ts) keeps them in step with every insert, replace and remove.
 */
import type { QboObject } from './entity-names';

/** A stored object. Never changed in place: a write stores a new object, so a reference is a stable snapshot. */
export interface Row {
  readonly object: QboObject;
  readonly updatedMs: number;
}

/**
 * A deep copy of a stored object (or of anything read from the store) that its receiver may change freely. Stored
 * objects are JSON data, which a plain recursive copy handles several times faster than structuredClone (copies
 * are made on every read and write); anything else (a Date, a Map) still goes through structuredClone.
 */
export function copyOf<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyOf) as T;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = copyOf((value as Record<string, unknown>)[key]);
    // A JSON body may carry an own "__proto__" key; assigning it would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: field, enumerable: true, writable: true, configurable: true });
    else copy[key] = field;
  }
  return copy as T;
}

/** Numeric Ids in numeric order, then the pseudo ones (TAX, NON) by name. */
export function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rows by Id, iterated in Id order. New Ids almost always come last (Ids are allocated upwards), so the Map's
 * insertion order is the Id order; an Id inserted out of order (seeds, the control API) marks the table for one
 * re-sort before the next scan.
 */
export class Table {
  private rows = new Map<string, Row>();
  private greatest: string | undefined;
  private ordered = true;

  get(id: string): Row | undefined {
    return this.rows.get(id);
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  set(id: string, row: Row): void {
    if (!this.rows.has(id)) {
      if (this.greatest === undefined || compareIds(id, this.greatest) > 0) this.greatest = id;
      else this.ordered = false;
    }
    this.rows.set(id, row);
  }

  delete(id: string): void {
    this.rows.delete(id);
  }

  /** Every row in Id order (a fresh array: the caller may write while walking it). */
  scan(): Row[] {
    if (!this.ordered) {
      this.rows = new Map([...this.rows].sort(([a], [b]) => compareIds(a, b)));
      this.ordered = true;
    }
    return [...this.rows.values()];
  }
}

const NUMERIC_KEY = /^\d{1,15}$/;

/**
 * Which Ids hold each key (one object may hold several keys). Ids whose keys could not be computed (a malformed
 * object stored through the control API) are candidates for every key, so callers that re-check their own
 * condition on the candidates see exactly what a full scan would have shown them.
 */
export class KeyIndex {
  private readonly holders = new Map<string, Set<string>>();
  private readonly unkeyed = new Set<string>();
  /** Greatest numeric key (DocNumber sequences); `stale` after the holder of the greatest one went away. */
  private greatest: number | undefined;
  private stale = false;

  constructor(private readonly keysOf: (object: QboObject) => readonly string[]) {}

  /** A new version of a stored object: re-indexed only if its keys changed (so holder sets keep their order). */
  update(id: string, before: QboObject, after: QboObject): void {
    const old = this.keys(before);
    const next = this.keys(after);
    if (old !== undefined && next !== undefined && old.length === next.length && old.every((key, i) => key === next[i])) return;
    this.remove(id, before);
    this.add(id, after);
  }

  add(id: string, object: QboObject): void {
    const keys = this.keys(object);
    if (keys === undefined) {
      this.unkeyed.add(id);
      return;
    }
    for (const key of keys) {
      let ids = this.holders.get(key);
      if (!ids) this.holders.set(key, (ids = new Set()));
      ids.add(id);
      if (!this.stale && NUMERIC_KEY.test(key)) this.greatest = Math.max(this.greatest ?? -Infinity, Number(key));
    }
  }

  remove(id: string, object: QboObject): void {
    if (this.unkeyed.delete(id)) return;
    for (const key of this.keys(object) ?? []) {
      const ids = this.holders.get(key);
      if (!ids) continue;
      ids.delete(id);
      if (ids.size > 0) continue;
      this.holders.delete(key);
      if (NUMERIC_KEY.test(key) && Number(key) === this.greatest) this.stale = true;
    }
  }

  /** Ids that may hold `key`: those that do, plus the unkeyed ones. Unordered. */
  candidates(key: string): string[] {
    const ids = this.holders.get(key);
    if (this.unkeyed.size === 0) return ids ? [...ids] : [];
    return [...(ids ?? []), ...this.unkeyed];
  }

  /** The greatest key made of 1 to 15 digits, as a number. */
  greatestNumericKey(): number | undefined {
    if (this.stale) {
      this.greatest = undefined;
      for (const key of this.holders.keys()) if (NUMERIC_KEY.test(key)) this.greatest = Math.max(this.greatest ?? -Infinity, Number(key));
      this.stale = false;
    }
    return this.greatest;
  }

  private keys(object: QboObject): readonly string[] | undefined {
    try {
      return this.keysOf(object);
    } catch {
      return undefined;
    }
  }
}
