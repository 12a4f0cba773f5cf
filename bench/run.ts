/**
 * `npm run bench`: numbers for the foundation, on whichever database is configured (BENCH_DATABASE_URL, else an
 * embedded PGlite): database start, job throughput through the real worker loop, per-key serialised throughput,
 * HTTP round trips, memory, and the HubSpot and QuickBooks simulators' own costs. Prints a table; targets are judged by people reading it, not by a timed test.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { loadConfig } from '../server/src/config';
import { openDatabase } from '../server/src/db/database';
import { createLogger } from '../server/src/logger';
import { createService } from '../server/src/service';
import { benchConnections } from './connections';
import { benchQuoteToCash } from './quote-to-cash';
import { benchSimulators } from './simulators';

const JOBS = Number(process.env.BENCH_JOBS ?? 500);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const logger = createLogger({ level: 'silent' });
const results: Array<[string, string]> = [];

function record(name: string, value: string): void {
  results.push([name, value]);
  process.stdout.write(`${name.padEnd(48)} ${value}\n`);
}

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dealbooks-bench-'));
  process.stdout.write(`DealBooks bench on ${databaseUrl ? 'Postgres (BENCH_DATABASE_URL)' : 'embedded PGlite'}, node ${process.version}, ${os.cpus().length} cores\n\n`);
  // BENCH_ONLY=quote-to-cash measures that part alone (won deals, payments back, QBO notifications), a few minutes.
  if (process.env.BENCH_ONLY === 'quote-to-cash') {
    await benchQuoteToCash(record, databaseUrl);
    await fs.rm(dir, { recursive: true, force: true });
    return;
  }

  if (!databaseUrl) {
    let t = performance.now();
    const cold = await openDatabase({ dataDir: dir, logger });
    record('embedded database start, new data dir', `${Math.round(performance.now() - t)} ms`);
    await cold.close();
    t = performance.now();
    const warm = await openDatabase({ dataDir: dir, logger });
    record('embedded database start, existing data dir', `${Math.round(performance.now() - t)} ms`);
    await warm.close();
  }

  let done = 0;
  let serialDone = 0;
  const config = loadConfig({ LOG_LEVEL: 'silent', SANDBOX: '1', DATA_DIR: dir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const service = await createService({
    config,
    logger,
    jobQueueOptions: { pollIntervalMs: 20, busyKeyDelayMs: 20, schema: `bench_${process.pid}` },
    defineJobs: (jobs) => {
      jobs.define({ name: 'bench.noop', schema: z.object({ i: z.number() }), concurrency: 4, handler: async () => void done++ });
      jobs.define({
        name: 'bench.keyed',
        schema: z.object({ key: z.string() }),
        concurrency: 4,
        serialKey: (d) => d.key,
        handler: async () => void serialDone++,
      });
    },
  });
  let t = performance.now();
  await service.start();
  record('service start (migrate, queue)', `${Math.round(performance.now() - t)} ms`);

  t = performance.now();
  for (let i = 0; i < JOBS; i++) await service.jobs.send('bench.noop', { i });
  const sendMs = performance.now() - t;
  record(`enqueue ${JOBS} jobs (one by one)`, `${Math.round((JOBS / sendMs) * 1000)} jobs/s`);
  while (done < JOBS) await new Promise((r) => setTimeout(r, 10));
  const totalMs = performance.now() - t;
  record(`enqueue + run ${JOBS} jobs, 4 at a time`, `${Math.round((JOBS / totalMs) * 1000)} jobs/s end to end`);

  t = performance.now();
  const keyed = Math.min(JOBS, 200);
  for (let i = 0; i < keyed; i++) await service.jobs.send('bench.keyed', { key: `deal-${i % 10}` });
  while (serialDone < keyed) await new Promise((r) => setTimeout(r, 10));
  record(`${keyed} jobs over 10 serial keys`, `${Math.round((keyed / (performance.now() - t)) * 1000)} jobs/s`);

  const address = await service.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${address.port}`;
  for (const route of ['/healthz', '/readyz']) {
    const latencies: number[] = [];
    t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < REQUESTS) {
          next++;
          const s = performance.now();
          const res = await fetch(`${base}${route}`);
          await res.arrayBuffer();
          latencies.push(performance.now() - s);
        }
      }),
    );
    const elapsed = performance.now() - t;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    record(`GET ${route} x${REQUESTS}, 10 concurrent`, `${Math.round((REQUESTS / elapsed) * 1000)} req/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
  }
  const mem = process.memoryUsage();
  record('process memory after run', `rss ${Math.round(mem.rss / 1048576)} MiB, heap ${Math.round(mem.heapUsed / 1048576)} MiB`);

  await service.db.pool.query(`DROP SCHEMA IF EXISTS bench_${process.pid} CASCADE`);
  await service.stop();
  await fs.rm(dir, { recursive: true, force: true });

  process.stdout.write('\nConnections (sandbox simulators)\n');
  await benchConnections(record, databaseUrl);

  process.stdout.write('\nQuote to cash (sandbox simulators, QBO per-company limit lifted)\n');
  await benchQuoteToCash(record, databaseUrl);

  process.stdout.write('\nSimulators (rate limits lifted)\n');
  await benchSimulators(record);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
