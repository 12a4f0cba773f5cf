import type pg from 'pg';

/**
 * At most one refresh per connection at a time. Inside one process concurrent callers share one promise; across
 * processes the row lock (`SELECT ... FOR UPDATE`) makes the others wait, and each re-reads the row after taking
 * the lock so a refresh another process just finished is used instead of repeated (Nango's refresh pattern).
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

/**
 * Runs `work` in a transaction holding the row lock that `lockSql` takes; commits what it wrote before returning,
 * so a rotated refresh token is durable before its access token is handed to anyone. `lock_timeout` bounds the
 * wait behind another process's refresh (whose HTTP call has its own timeout).
 */
export async function withRowLock<T>(
  pool: pg.Pool,
  lockSql: string,
  params: unknown[],
  work: (client: pg.PoolClient, row: Record<string, any> | undefined) => Promise<T>,
  options: { lockTimeoutMs?: number } = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs ?? 60_000))}`);
    const { rows } = await client.query(lockSql, params);
    const result = await work(client, rows[0]);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
