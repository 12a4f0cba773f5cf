import type pg from 'pg';

/**
 * What every function in db/ takes first: the pool, or a client inside a transaction. A writer that takes a
 * Queryable can join its caller's transaction; with the pool it commits on its own.
 */
export type Queryable = pg.Pool | pg.PoolClient;

export interface TransactionOptions {
  /**
   * Bounds how long a statement waits for a lock inside this transaction (Postgres `lock_timeout`), so a row held
   * by another process's slow work is an error to retry rather than an endless wait.
   */
  lockTimeoutMs?: number;
}

/**
 * Runs `work` in one transaction on a client of its own: COMMIT when it resolves, ROLLBACK when it throws (the error
 * is rethrown). This is the only place in DealBooks that writes BEGIN, COMMIT or ROLLBACK.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (options.lockTimeoutMs !== undefined) {
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
    }
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
