import type { NextFunction, Request, Response } from 'express';

/**
 * A simulator's state as JSON and back, so the sandbox can keep its simulated world across restarts. The stores keep
 * Maps and Sets; JSON has neither, so they are tagged (`{"$map": [[key, value], ...]}`, `{"$set": [...]}`) and
 * rebuilt on the way back. Everything else a store holds is plain JSON data already.
 */
export type Snapshot = unknown;

export function encodeSnapshot(value: unknown): Snapshot {
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [encodeSnapshot(k), encodeSnapshot(v)]) };
  if (value instanceof Set) return { $set: [...value].map(encodeSnapshot) };
  if (Array.isArray(value)) return value.map(encodeSnapshot);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeSnapshot(v);
    return out;
  }
  return value;
}

export function decodeSnapshot<T = any>(value: Snapshot): T {
  if (Array.isArray(value)) return value.map((v) => decodeSnapshot(v)) as T;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.$map)) return new Map((record.$map as Array<[unknown, unknown]>).map(([k, v]) => [decodeSnapshot(k), decodeSnapshot(v)])) as T;
    if (Array.isArray(record.$set)) return new Set((record.$set as unknown[]).map((v) => decodeSnapshot(v))) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      const decoded = decodeSnapshot(v);
      if (k === '__proto__') Object.defineProperty(out, k, { value: decoded, enumerable: true, writable: true, configurable: true });
      else out[k] = decoded;
    }
    return out as T;
  }
  return value as T;
}

/** Replaces a Map's contents in place (stores hold their Maps as readonly fields). */
export function refill<K, V>(target: Map<K, V>, source: Map<K, V>): void {
  target.clear();
  for (const [k, v] of source) target.set(k, v);
}

/** Middleware: calls `listener` once a request that may have changed state (not GET or HEAD) has been answered. */
export function afterWrites(listener: () => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.once('finish', listener);
    next();
  };
}
