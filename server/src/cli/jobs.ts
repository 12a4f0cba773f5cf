import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { migrate } from '../db/migrate';
import { JobQueue } from '../jobs/queue';
import { createLogger } from '../logger';

const USAGE = `Usage:
  npm run jobs -- failed [queue]   list dead-lettered jobs (failed for good), newest first
  npm run jobs -- retry <job-id>   put a dead-lettered job back to run once more
`;

/** The operator's view of dead letters: what failed for good, why, and a way to run it again. */
async function main(): Promise<void> {
  const [command, arg] = process.argv.slice(2);
  if (command !== 'failed' && command !== 'retry') {
    process.stdout.write(USAGE);
    process.exitCode = command ? 2 : 0;
    return;
  }
  const config = loadConfig();
  const logger = createLogger({ level: 'warn' });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  const jobs = new JobQueue({ pool: db.pool, logger });
  try {
    await migrate(db.pool, logger);
    await jobs.start();
    if (command === 'failed') {
      const failed = await jobs.deadLetters({ queue: arg });
      if (failed.length === 0) process.stdout.write('No failed jobs.\n');
      for (const job of failed) {
        process.stdout.write(
          `${job.id}  ${job.queue}  failed ${job.failedAt?.toISOString() ?? '?'} after ${job.attempts} attempt(s): ${job.error ?? '(no message)'}\n`,
        );
      }
    } else {
      if (!arg) throw new Error('retry needs a job id (see: npm run jobs -- failed)');
      const ok = await jobs.retry(arg);
      process.stdout.write(ok ? `Job ${arg} will run again.\n` : `No failed job with id ${arg}.\n`);
      if (!ok) process.exitCode = 1;
    }
  } finally {
    await jobs.stop(1000);
    await db.close();
  }
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
});
