/**
 * At most one run of `work` per key at a time inside this process: concurrent callers share one promise. Across
 * processes the grant's row lock does the same job (see token-store.ts).
 */
export class SingleFlight<K> {
  private readonly inFlight = new Map<K, Promise<unknown>>();

  run<T>(key: K, work: () => Promise<T>): Promise<T> {
    const existing = this.inFlight.get(key);
    if (existing) return existing as Promise<T>;
    const promise = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}
