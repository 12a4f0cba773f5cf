import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { loadConfig, type Config } from '../../server/src/config';
import { openDatabase, type Database } from '../../server/src/db/database';
import { createLogger, type Logger } from '../../server/src/logger';
import { createService, type Service, type ServiceOptions } from '../../server/src/service';
import { Teardown } from './teardown';

/**
 * Integration tests run on real Postgres when TEST_DATABASE_URL (or DATABASE_URL) is set, each test file in a
 * database of its own; otherwise each file gets its own in-memory embedded PGlite.
 */
export const SERVER_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
export const DATABASE_KIND: 'postgres' | 'embedded' = SERVER_URL ? 'postgres' : 'embedded';

/** One key per test process: tokens sealed in a test open in the same test, never with a key checked into the repo. */
export const TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', SANDBOX: '1', SHUTDOWN_TIMEOUT_MS: '5000', TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...env });
}

export interface CapturedLogger {
  logger: Logger;
  /** Every line written so far, as text (exactly what would reach stdout). */
  text(): string;
  entries(): Array<Record<string, unknown>>;
}

export function captureLogger(level = 'trace'): CapturedLogger {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    text: () => chunks.join(''),
    entries: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });

export interface TestDatabase extends Database {
  /** Drops the database (real server) or discards it (embedded). */
  close(): Promise<void>;
}

function databaseUrlFor(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty database of its own for one test file. */
export async function createTestDatabase(logger: Logger = silentLogger): Promise<TestDatabase> {
  if (!SERVER_URL) return openDatabase({ dataDir: 'memory://', logger });
  const name = `dealbooks_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase({ databaseUrl: databaseUrlFor(SERVER_URL, name), logger, poolSize: 5 });
  return {
    ...db,
    async close() {
      await db.close();
      const dropper = new pg.Client({ connectionString: SERVER_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

export interface TestService extends Service {
  /** Stops the service and discards its database. */
  close(): Promise<void>;
}

/** A service on a fresh database, migrated and started; workers are off unless asked for. */
export async function startTestService(
  options: Partial<Omit<ServiceOptions, 'database'>> & { env?: Record<string, string> } = {},
): Promise<TestService> {
  const logger = options.logger ?? silentLogger;
  const teardown = new Teardown();
  try {
    const database = await createTestDatabase(logger);
    teardown.add(() => database.close());
    const service = await createService({
      config: options.config ?? testConfig(options.env),
      logger,
      database,
      workers: options.workers ?? false,
      defineJobs: options.defineJobs,
      clock: options.clock,
      vault: options.vault,
      routers: options.routers,
      jobQueueOptions: { pollIntervalMs: 50, busyKeyDelayMs: 50, ...options.jobQueueOptions },
    });
    teardown.add(() => service.stop());
    await service.start();
    return { ...service, close: () => teardown.run() };
  } catch (err) {
    return teardown.afterFailure(err);
  }
}

/** Polls until `check` returns a value other than undefined/false (bounded), for conditions another process sets. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
