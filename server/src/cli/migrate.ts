import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { migrate } from '../db/migrate';
import { createLogger } from '../logger';

/** `npm run migrate`: applies pending migrations (the service also does this at start, under the same lock). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    const { applied } = await migrate(db.pool, logger);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Nothing to apply: the schema is up to date.\n');
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `Migration failed: ${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
});
