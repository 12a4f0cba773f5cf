import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { migrate } from '../db/migrate';
import { JobQueue } from '../jobs/queue';
import { createLogger } from '../logger';
import { canonicalId } from '../sync/ids';

const USAGE = `Usage:
  npm run jobs -- failed [queue]        list dead-lettered jobs (failed for good), newest first
  npm run jobs -- retry <job-id>        put a dead-lettered job back to run once more
  npm run jobs -- overdue <account-id>  run the overdue follow-up of a HubSpot account now (tasks for overdue invoices)
`;

/** The operator's view of dead letters (what failed for good, why, and a way to run it again) and runs on demand. */
async function main(): Promise<void> {
  const [command, arg] = process.argv.slice(2);
  if (command !== 'failed' && command !== 'retry' && command !== 'overdue') {
    process.stdout.write(USAGE);
    process.exitCode = command ? 2 : 0;
    return;
  }
  if (command === 'overdue') return overdue(arg);
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

/**
 * The overdue follow-up of one account, now, serial with the daily run (jobs/overdue-jobs.ts). It needs what the
 * service needs (the same environment). In the sandbox, HubSpot and QuickBooks live inside `npm start`, so only its
 * workers can run the sweep: this queues it and waits for them.
 */
async function overdue(account: string | undefined): Promise<void> {
  const portalId = canonicalId.safeParse(account ?? '');
  if (!portalId.success) {
    process.stdout.write(`overdue needs a HubSpot account id, e.g. npm run jobs -- overdue 62515001\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const logger = createLogger({ level: 'warn' });
  // Loaded here, not at the top: the whole service is a lot to compile, and `failed` and `retry` need none of it.
  const { createService } = await import('../service');
  const { describeOverdueRun, runOverdueSweepNow } = await import('../jobs/overdue-jobs');
  const service = await createService({ config, logger, workers: false });
  try {
    await service.start();
    const result = await runOverdueSweepNow(service.context, Number(portalId.data), config.sandbox ? { runHere: false, timeoutMs: 60_000 } : {});
    process.stdout.write(`${describeOverdueRun(Number(portalId.data), result)}\n`);
    if (result.status !== 'completed') process.exitCode = 1;
  } finally {
    await service.stop();
  }
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
});
