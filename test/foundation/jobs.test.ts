import { z } from 'zod';
import { HOUSEKEEPING_QUEUE } from '../../server/src/jobs/housekeeping';
import { PermanentJobError } from '../../server/src/errors';
import { JobQueue } from '../../server/src/jobs/queue';
import { DATABASE_KIND, eventually, silentLogger, startTestService, type TestService } from '../support/harness';

interface JobRow {
  state: string;
  retry_count: number;
  delay_seconds: number;
  output: { message?: string } | null;
}

async function jobRow(service: TestService, id: string): Promise<JobRow> {
  const { rows } = await service.db.pool.query(
    `SELECT state, retry_count, EXTRACT(epoch FROM start_after - now())::float AS delay_seconds, output
       FROM pgboss.job WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** A promise with its resolve exposed, to hold a job handler until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe(`durable jobs (${DATABASE_KIND})`, () => {
  let service: TestService;
  let flakyFailuresLeft = 0;
  const flakyRuns: number[] = [];
  const permanentRuns: string[] = [];

  beforeAll(async () => {
    service = await startTestService({
      defineJobs: (jobs) => {
        jobs.define({
          name: 'test.flaky',
          schema: z.object({ n: z.number() }),
          retryLimit: 2,
          retryDelaySeconds: 30,
          retryBackoff: true,
          handler: async (data, ctx) => {
            flakyRuns.push(ctx.attempt);
            if (flakyFailuresLeft > 0) {
              flakyFailuresLeft -= 1;
              throw new Error(`QuickBooks answered 503 (n=${data.n})`);
            }
            return { ok: true };
          },
        });
        jobs.define({
          name: 'test.permanent',
          schema: z.object({ dealId: z.string() }),
          retryLimit: 5,
          handler: async (data) => {
            permanentRuns.push(data.dealId);
            throw new PermanentJobError('Map product "Widget" to a QuickBooks item first.');
          },
        });
      },
    });
  });
  afterAll(() => service?.close());

  it('When a job keeps failing, then it is retried with growing delays and then dead-lettered with its reason', async () => {
    flakyFailuresLeft = 99;
    flakyRuns.length = 0;
    const id = (await service.jobs.send('test.flaky', { n: 1 }))!;

    expect(await service.jobs.runNext('test.flaky')).toBe('failed');
    const first = await jobRow(service, id);
    expect(first).toMatchObject({ state: 'retry', retry_count: 0 });
    // Backoff with jitter: the first retry waits between 1x and 2x the 30 s base.
    expect(first.delay_seconds).toBeGreaterThan(29);
    expect(first.delay_seconds).toBeLessThanOrEqual(60);

    // The retry is not due yet: a normal fetch finds nothing.
    expect(await service.jobs.runNext('test.flaky')).toBe('idle');

    // Move past the delay (instead of waiting for it) and fail again: the delay doubles.
    expect(await service.jobs.runNext('test.flaky', { ignoreStartAfter: true })).toBe('failed');
    const second = await jobRow(service, id);
    expect(second).toMatchObject({ state: 'retry', retry_count: 1 });
    expect(second.delay_seconds).toBeGreaterThan(59);
    expect(second.delay_seconds).toBeLessThanOrEqual(120);

    expect(await service.jobs.runNext('test.flaky', { ignoreStartAfter: true })).toBe('failed');
    expect((await jobRow(service, id)).state).toBe('failed');
    expect(flakyRuns).toEqual([1, 2, 3]);

    // Nothing more runs on its own.
    expect(await service.jobs.runNext('test.flaky', { ignoreStartAfter: true })).toBe('idle');

    const dead = await service.jobs.deadLetters({ queue: 'test.flaky' });
    expect(dead).toEqual([
      expect.objectContaining({ id, queue: 'test.flaky', data: { n: 1 }, attempts: 3, error: 'QuickBooks answered 503 (n=1)' }),
    ]);
  });

  it('When a person retries a dead-lettered job, then it runs again and can complete', async () => {
    const [dead] = await service.jobs.deadLetters({ queue: 'test.flaky' });
    flakyFailuresLeft = 0;
    expect(await service.jobs.retry(dead!.id)).toBe(true);
    expect(await service.jobs.runNext('test.flaky', { ignoreStartAfter: true })).toBe('completed');
    expect((await jobRow(service, dead!.id)).state).toBe('completed');
    expect(await service.jobs.deadLetters({ queue: 'test.flaky' })).toEqual([]);
    expect(await service.jobs.retry(dead!.id)).toBe(false);
    expect(await service.jobs.retry('not-a-job-id')).toBe(false);
  });

  it('When a job fails in a way no retry can fix, then it is dead-lettered at once', async () => {
    const id = (await service.jobs.send('test.permanent', { dealId: '42' }))!;
    expect(await service.jobs.runNext('test.permanent')).toBe('failed');
    expect(permanentRuns).toEqual(['42']);
    expect(await jobRow(service, id)).toMatchObject({ state: 'failed', output: expect.objectContaining({ message: 'Map product "Widget" to a QuickBooks item first.' }) });
  });

  it('When a stored payload does not match the schema, then it is dead-lettered without running the handler', async () => {
    // Written behind the queue's back, as an old release or a hand edit might have.
    const id = await service.jobs.boss.send('test.flaky', { n: 'one' });
    flakyRuns.length = 0;
    expect(await service.jobs.runNext('test.flaky')).toBe('failed');
    expect(flakyRuns).toEqual([]);
    const row = await jobRow(service, id!);
    expect(row.state).toBe('failed');
    expect(row.output?.message).toMatch(/invalid job payload/);
  });

  it('When a job is sent with a payload that does not match, then send refuses it', async () => {
    await expect(service.jobs.send('test.flaky', { n: 'two' })).rejects.toThrow(z.ZodError);
  });

  it('When the housekeeping schedule is registered, then it is a cron job in UTC', async () => {
    const schedules = await service.jobs.boss.getSchedules();
    expect(schedules).toEqual(expect.arrayContaining([expect.objectContaining({ name: HOUSEKEEPING_QUEUE, cron: '17 * * * *', options: expect.objectContaining({ tz: 'UTC' }) })]));
  });

  it('When housekeeping runs, then what has expired is removed and what is live or unresolved stays', async () => {
    const pool = service.db.pool;
    await pool.query(
      `INSERT INTO oauth_states (state_hash, provider, redirect_uri, expires_at) VALUES
         ('\\x01', 'hubspot', 'http://x', now() - interval '2 days'),
         ('\\x02', 'hubspot', 'http://x', now() + interval '5 minutes')`,
    );
    await pool.query(
      `INSERT INTO job_key_leases (queue, lease_key, job_id, leased_until) VALUES
         ('q', 'stale', gen_random_uuid(), now() - interval '2 hours'),
         ('q', 'live', gen_random_uuid(), now() + interval '5 minutes')`,
    );
    await pool.query(
      `INSERT INTO webhook_deliveries (source, body, body_sha256, status, received_at) VALUES
         ('hubspot', '\\x5b5d', '\\x00', 'processed', now() - interval '31 days'),
         ('hubspot', '\\x5b5d', '\\x01', 'failed',    now() - interval '31 days'),
         ('hubspot', '\\x5b5d', '\\x02', 'processed', now() - interval '1 day')`,
    );
    await service.jobs.send(HOUSEKEEPING_QUEUE, {});
    expect(await service.jobs.runNext(HOUSEKEEPING_QUEUE)).toBe('completed');
    expect((await pool.query(`SELECT encode(state_hash, 'hex') AS h FROM oauth_states`)).rows).toEqual([{ h: '02' }]);
    expect((await pool.query(`SELECT lease_key FROM job_key_leases`)).rows).toEqual([{ lease_key: 'live' }]);
    const kept = await pool.query(`SELECT encode(body_sha256, 'hex') AS h FROM webhook_deliveries ORDER BY h`);
    expect(kept.rows).toEqual([{ h: '01' }, { h: '02' }]);
  });
});

describe(`serial execution per key (${DATABASE_KIND})`, () => {
  let service: TestService;
  const events: string[] = [];
  const gates = new Map<string, ReturnType<typeof gate>>();

  beforeAll(async () => {
    service = await startTestService({
      workers: true,
      defineJobs: (jobs) =>
        jobs.define({
          name: 'test.deal',
          schema: z.object({ dealId: z.string(), step: z.string() }),
          serialKey: (data) => `deal:${data.dealId}`,
          concurrency: 3,
          handler: async (data) => {
            events.push(`start ${data.dealId}/${data.step}`);
            await gates.get(`${data.dealId}/${data.step}`)?.opened;
            events.push(`end ${data.dealId}/${data.step}`);
          },
        }),
    });
  });
  afterAll(() => service?.close());

  it('When two jobs share a key, then the second waits for the first while other keys run meanwhile', async () => {
    gates.set('A/1', gate());
    await service.jobs.send('test.deal', { dealId: 'A', step: '1' });
    await eventually(async () => events.includes('start A/1'), { what: 'A/1 to start' });
    await service.jobs.send('test.deal', { dealId: 'A', step: '2' });
    await service.jobs.send('test.deal', { dealId: 'B', step: '1' });

    // B runs to its end while A/1 is still held; A/2 must not have started.
    await eventually(async () => events.includes('end B/1'), { what: 'B/1 to finish' });
    expect(events).not.toContain('start A/2');

    gates.get('A/1')!.open();
    await eventually(async () => events.includes('end A/2'), { what: 'A/2 to finish' });
    expect(events.indexOf('start A/2')).toBeGreaterThan(events.indexOf('end A/1'));
    expect(events.filter((e) => e === 'start A/2')).toHaveLength(1);
    // Deferring a busy job spends none of its attempts and leaves no failures behind.
    expect(await service.jobs.deadLetters()).toEqual([]);
  });
});

describe(`cron schedules (${DATABASE_KIND})`, () => {
  it('When a queue has a cron schedule that is due, then its job is enqueued and run by the workers', async () => {
    const ticks: string[] = [];
    const service = await startTestService({
      workers: true,
      jobQueueOptions: { cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1 },
      defineJobs: (jobs) =>
        jobs.define({
          name: 'test.every-minute',
          schema: z.object({ source: z.string() }),
          cron: '* * * * *',
          cronData: { source: 'cron' },
          handler: async (data, ctx) => void ticks.push(`${data.source}:${ctx.id}`),
        }),
    });
    try {
      await eventually(async () => ticks.length > 0, { what: 'the cron job to run' });
      expect(ticks[0]).toMatch(/^cron:/);
    } finally {
      await service.close();
    }
  });

  it('When a definition drops its cron, then the stale schedule is removed at the next start', async () => {
    const service = await startTestService({
      defineJobs: (jobs) => jobs.define({ name: HOUSEKEEPING_QUEUE + '-old', schema: z.object({}), cron: '0 3 * * *', handler: async () => undefined }),
    });
    try {
      const again = new JobQueue({ pool: service.db.pool, logger: silentLogger });
      again.define({ name: HOUSEKEEPING_QUEUE + '-old', schema: z.object({}), handler: async () => undefined });
      await again.start();
      await again.stop(1000);
      const names = (await service.jobs.boss.getSchedules()).map((s) => s.name);
      expect(names).toContain(HOUSEKEEPING_QUEUE);
      expect(names).not.toContain(HOUSEKEEPING_QUEUE + '-old');
    } finally {
      await service.close();
    }
  });
});

describe(`concurrent workers (${DATABASE_KIND})`, () => {
  it('When two worker processes drain one queue, then every job is handled exactly once', async () => {
    const seen: string[] = [];
    const define = (jobs: JobQueue) =>
      jobs.define({
        name: 'test.once',
        schema: z.object({ i: z.number() }),
        concurrency: 3,
        handler: async (data, ctx) => {
          seen.push(`${data.i}:${ctx.id}`);
        },
      });
    const service = await startTestService({ workers: true, defineJobs: define });
    // A second queue instance on the same database: what another worker process would be.
    const second = new JobQueue({ pool: service.db.pool, logger: silentLogger, pollIntervalMs: 20 });
    define(second);
    try {
      await second.start();
      second.startWorkers();
      for (let i = 0; i < 30; i++) await service.jobs.send('test.once', { i });
      await eventually(async () => seen.length >= 30, { what: 'all jobs' });
      await second.stop(5000);
      expect(new Set(seen).size).toBe(30);
      expect(seen).toHaveLength(30);
    } finally {
      await second.stop(1000);
      await service.close();
    }
  });
});
