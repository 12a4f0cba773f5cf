/**
 * A DealBooks service process (the real composition root, workers on) with one extra test queue, for tests that
 * need a process to kill or stop. It reports what happens as JSON lines on stdout.
 *
 * Env: DATABASE_URL (real Postgres) or DATA_DIR (embedded); ENQUEUE=<key>[,<key>...] sends jobs after start;
 * BEHAVIOUR=hang-first (attempt 1 never finishes) | slow (each run takes SLOW_MS); EXPIRE_SECONDS.
 */
import './network-guard';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { loadConfig } from '../../server/src/config';
import { createLogger } from '../../server/src/logger';
import { createService } from '../../server/src/service';

export const TEST_QUEUE = 'test.crashable';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.CHILD_LOG_LEVEL ?? 'silent', SANDBOX: '1' });
  const logger = createLogger({ level: config.logLevel, destination: process.stderr as never });
  const behaviour = process.env.BEHAVIOUR ?? 'normal';
  const slowMs = Number(process.env.SLOW_MS ?? 1000);
  const service = await createService({
    config,
    logger,
    jobQueueOptions: { pollIntervalMs: 50, maintenanceIntervalSeconds: 1 },
    defineJobs: (jobs) =>
      jobs.define({
        name: TEST_QUEUE,
        schema: z.object({ key: z.string() }),
        expireInSeconds: Number(process.env.EXPIRE_SECONDS ?? 2),
        retryLimit: 3,
        retryDelaySeconds: 0,
        retryBackoff: false,
        concurrency: 1,
        handler: async (data, ctx) => {
          emit({ event: 'started', jobId: ctx.id, attempt: ctx.attempt });
          if (behaviour === 'hang-first' && ctx.attempt === 1) await new Promise(() => undefined);
          if (behaviour === 'slow') await delay(slowMs);
          await service.db.pool.query('INSERT INTO test_effects (job_id, effect_key) VALUES ($1, $2)', [ctx.id, data.key]);
          emit({ event: 'effect', jobId: ctx.id, attempt: ctx.attempt });
        },
      }),
  });
  process.on('SIGTERM', () => {
    emit({ event: 'stopping' });
    service
      .stop()
      .then(() => {
        emit({ event: 'stopped' });
        process.exit(0);
      })
      .catch((err) => {
        emit({ event: 'stop-failed', message: String(err) });
        process.exit(1);
      });
  });
  await service.start();
  // No unique key on job_id: a job that ran its effect twice must show up as two rows, not as a failed insert.
  await service.db.pool.query('CREATE TABLE IF NOT EXISTS test_effects (id serial PRIMARY KEY, job_id uuid NOT NULL, effect_key text NOT NULL)');
  for (const key of (process.env.ENQUEUE ?? '').split(',').filter(Boolean)) {
    const id = await service.jobs.send(TEST_QUEUE, { key });
    emit({ event: 'enqueued', jobId: id, key });
  }
  emit({ event: 'ready' });
}

main().catch((err) => {
  emit({ event: 'crashed', message: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
