import fs from 'node:fs/promises';
import { ConfigError, loadConfig } from '../config';
import { embeddedDatabaseDir, openDatabase } from '../db/database';
import { dropEverything } from '../db/sandbox-world';
import { createLogger } from '../logger';
import { worldFilePath } from '../sandbox/world-file';

/**
 * `npm run sandbox:reset`: wipes the sandbox's simulated world (DATA_DIR/sandbox-world.json) and DealBooks' data
 * together, so the next `npm start` begins both from the demo data. Run it with DealBooks stopped. Refused outside
 * sandbox mode: there the database holds real accounts.
 */
async function main(): Promise<number> {
  const config = loadConfig();
  if (!config.sandbox) {
    process.stderr.write('sandbox:reset only resets the sandbox; with HubSpot and QuickBooks credentials configured it would delete real data. Nothing was changed.\n');
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  const file = worldFilePath(config.dataDir);
  await fs.rm(file, { force: true });
  process.stdout.write(`Removed the simulated HubSpot and QuickBooks world (${file}).\n`);
  if (config.databaseUrl) {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, logger });
    try {
      const tables = await dropEverything(db.pool);
      process.stdout.write(`Dropped DealBooks' tables in the DATABASE_URL database (${tables.length}) and its job queue.\n`);
    } finally {
      await db.close();
    }
  } else {
    // The embedded database is a directory of its own under DATA_DIR; the token key beside it stays.
    const embedded = embeddedDatabaseDir(config.dataDir);
    await fs.rm(embedded, { recursive: true, force: true });
    process.stdout.write(`Removed the embedded database (${embedded}).\n`);
  }
  process.stdout.write('The next `npm start` begins again from the demo data.\n');
  return 0;
}

main()
  .then((code) => process.exit(code))
  .catch((err) => {
    process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `sandbox:reset failed: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  });
