import fs from 'node:fs/promises';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import type { Logger } from '../logger';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../../migrations');
export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * A fixed advisory-lock key for "schema changes". node-pg-migrate's own lock is a *try* lock (a second process
 * starting at the same moment would fail); we take a blocking one first, so several processes starting together
 * simply wait their turn and then find nothing left to apply.
 */
const MIGRATION_LOCK_KEY = 4_711_000_001;

export interface MigrationResult {
  applied: string[];
}

export async function migrate(pool: pg.Pool, logger: Logger): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const ran = await runner({
        dbClient: client,
        dir: MIGRATIONS_DIR,
        migrationsTable: MIGRATIONS_TABLE,
        direction: 'up',
        count: Infinity,
        checkOrder: true,
        // We hold our own blocking lock on this same session.
        noLock: true,
        singleTransaction: true,
        log: (message: string) => logger.debug({ component: 'migrate' }, message),
        verbose: false,
      });
      const applied = ran.map((m) => m.name);
      if (applied.length > 0) logger.info({ applied }, 'database migrations applied');
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** Migrations on disk that the database has not recorded as applied (readiness: none may be pending). */
let migrationsOnDisk: Promise<string[]> | undefined;

/** The migration names shipped with this build (read once: they cannot change while the process runs). */
function shippedMigrations(): Promise<string[]> {
  migrationsOnDisk ??= fs.readdir(MIGRATIONS_DIR).then((files) =>
    files
      .filter((f) => /\.(sql|js|ts)$/.test(f))
      .map((f) => f.replace(/\.(sql|js|ts)$/, ''))
      .sort(),
  );
  return migrationsOnDisk;
}

export async function pendingMigrations(pool: pg.Pool): Promise<string[]> {
  const onDisk = await shippedMigrations();
  const exists = await pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [MIGRATIONS_TABLE]);
  if (!exists.rows[0]?.present) return onDisk;
  const { rows } = await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
  const done = new Set(rows.map((r) => r.name));
  return onDisk.filter((name) => !done.has(name));
}
