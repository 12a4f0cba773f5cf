import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { openDatabase } from '../../server/src/db/database';
import { createTestDatabase, DATABASE_KIND, silentLogger } from './harness';

/**
 * The database a service process uses: a fresh Postgres database, or (embedded) a data directory that the
 * process itself opens, exactly as `npm start` does; the test looks inside only while no process holds it.
 */
export async function processDatabase() {
  if (DATABASE_KIND === 'postgres') {
    const db = await createTestDatabase();
    return {
      env: { DATABASE_URL: db.url } as Record<string, string>,
      inspect: <T>(fn: (pool: pg.Pool) => Promise<T>) => fn(db.pool),
      close: () => db.close(),
    };
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dealbooks-crash-'));
  return {
    env: { DATA_DIR: dir } as Record<string, string>,
    inspect: async <T>(fn: (pool: pg.Pool) => Promise<T>) => {
      const db = await openDatabase({ dataDir: dir, logger: silentLogger });
      try {
        return await fn(db.pool);
      } finally {
        await db.close();
      }
    },
    close: () => fs.rm(dir, { recursive: true, force: true }),
  };
}


export type ProcessDatabase = Awaited<ReturnType<typeof processDatabase>>;

/** Runs a test with a fresh process database and always discards it afterwards. */
export async function withProcessDatabase<T>(test: (database: ProcessDatabase) => Promise<T>): Promise<T> {
  const database = await processDatabase();
  try {
    return await test(database);
  } finally {
    await database.close();
  }
}
