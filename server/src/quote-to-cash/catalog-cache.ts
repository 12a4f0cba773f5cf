import type { Clock } from '../clock';

/**
 * A short-lived per-account copy of a QBO list (customers, items, terms...). Matching needs the whole customer and
 * item lists, and reading them for every deal would spend QBO's 500 requests a minute per company on reads. Entries
 * live `ttlMs`; DealBooks' own creations are added at once, and a decision that would create something (a new
 * customer) always reads the list fresh first, so the cache can never cause a duplicate.
 */
export class CatalogCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  async get<T>(portalId: number, list: string, load: () => Promise<T>, options: { fresh?: boolean } = {}): Promise<T> {
    const key = `${portalId}:${list}`;
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (!options.fresh && hit && now - hit.at < this.ttlMs && now >= hit.at) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { at: now, value });
    // A failed read is not cached.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** Adds or replaces one element of a cached list (after DealBooks created or changed it). */
  async upsert<T extends { id: string }>(portalId: number, list: string, item: T): Promise<void> {
    const hit = this.entries.get(`${portalId}:${list}`);
    if (!hit) return;
    const items = (await hit.value.catch(() => null)) as T[] | null;
    if (!items) return;
    const next = items.filter((i) => i.id !== item.id);
    next.push(item);
    hit.value = Promise.resolve(next);
  }

  /** Drops one cached list of an account (QuickBooks said it changed): the next use reads it fresh. */
  forgetList(portalId: number, list: string): void {
    this.entries.delete(`${portalId}:${list}`);
  }

  forget(portalId: number): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${portalId}:`)) this.entries.delete(key);
  }
}
