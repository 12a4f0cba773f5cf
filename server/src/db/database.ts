import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger';

/**
 * One code path for both databases: the service always talks to Postgres through `pg`. With DATABASE_URL it is a
 * real server; without it, an embedded PGlite (WASM Postgres) persisted under DATA_DIR and served on a loopback
 * socket by @electric-sql/pglite-socket, so migrations, pg-boss and every repository run unchanged on it.
 *
 * PGlite is a single session: queries from several connections would interleave inside one another's
 * transactions, so the embedded pool holds exactly one connection.
 */
export interface Database {
  readonly pool: pg.Pool;
  readonly kind: 'postgres' | 'embedded';
  /** A connection string for this database (embedded: the loopback socket; valid while this process runs). */
  readonly url: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Unset: embedded PGlite. */
  databaseUrl?: string;
  /** Where the embedded database keeps its files; `memory://` keeps it in memory (tests). */
  dataDir?: string;
  logger: Logger;
  /** Pool size for a real server (the embedded pool is always 1). */
  poolSize?: number;
  applicationName?: string;
}

/** Answers when the database does (readiness). */
export async function ping(db: pg.Pool): Promise<void> {
  await db.query('SELECT 1');
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openEmbedded(options);
}

function watchPool(pool: pg.Pool, logger: Logger): void {
  // An idle client can lose its connection (server restart, network); pg emits 'error' on the pool, and an
  // unhandled 'error' event would crash the process. The pool replaces the client on the next checkout.
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection failed; it will be replaced'));
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'dealbooks',
    connectionTimeoutMillis: 10_000,
  });
  watchPool(pool, options.logger);
  return {
    pool,
    kind: 'postgres',
    url,
    close: () => pool.end(),
  };
}

/** Where the embedded database keeps its files under DATA_DIR. */
export function embeddedDatabaseDir(dataDir: string): string {
  return path.join(dataDir, 'pglite');
}

async function openEmbedded(options: OpenDatabaseOptions): Promise<Database> {
  // Loaded lazily: a deployment on a real server never pays for the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');

  const dataDir = options.dataDir ?? 'memory://';
  let pgliteDir: string | undefined;
  if (!dataDir.startsWith('memory://')) {
    pgliteDir = embeddedDatabaseDir(dataDir);
    await fs.mkdir(pgliteDir, { recursive: true });
  }
  const db = await PGlite.create(pgliteDir ? { dataDir: pgliteDir } : {});
  // The pool below never holds more than one connection. The server still accepts a few: pg's pool discards a
  // client after any query error and reconnects at once, and the new connection must not be refused while the
  // old one is still closing (seen: "Connection terminated unexpectedly" on the query after a unique violation).
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;

  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    application_name: options.applicationName ?? 'dealbooks',
    // Keep the one connection open: reconnecting would only queue behind ourselves.
    idleTimeoutMillis: 0,
  });
  watchPool(pool, options.logger);
  options.logger.debug({ dataDir: pgliteDir ?? 'memory' }, 'embedded database (PGlite) started');

  let closed = false;
  return {
    pool,
    kind: 'embedded',
    url,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      await server.stop();
      await db.close();
    },
  };
}
