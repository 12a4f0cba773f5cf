import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../logger';
import * as bossTables from './boss-tables';
import type { DeadLetter } from './boss-tables';
import { withTransaction, type Queryable } from '../db/transaction';
import { JobMustWaitError, PermanentJobError } from '../errors';

/**
 * Durable background jobs on Postgres, with pg-boss 10 as the store (retries with exponential backoff and
 * jitter, expiry of jobs whose worker died, cron schedules, archiving). We run our own small fetch loop on top
 * of it, for three things pg-boss 10 does not give us:
 *
 * - Serial execution per key (one deal, one QBO company) without head-of-line blocking. pg-boss's "singleton"
 *   policy enforces one active job per key with a unique index, but its fetch then fails as a whole whenever the
 *   oldest waiting job's key is busy, stalling every other key behind it. Instead a job takes a lease on its key
 *   (table job_key_leases); a job whose key is busy is re-queued a moment later, unharmed (no attempt spent).
 * - Failures that must not be retried (invalid payload, PermanentJobError) go straight to the dead-letter state.
 * - A bounded graceful stop that we control, and `runNext()`, the same code path the loop uses, so tests can
 *   drive jobs one at a time (and past their backoff) without waiting on the wall clock.
 *
 * Dead letters are jobs in pg-boss's `failed` state: listed by deadLetters(), put back by retry().
 *
 * Longer than most files on purpose: the fetch loop, key leases, parking, deferral and shutdown all work on the same
 * bookkeeping of running jobs, and splitting them would only pass that state around. pg-boss's own tables are read in
 * boss-tables.ts.
 */

export const WAITING_RECHECK_MS = 6 * 3600_000;

export interface JobContext {
  id: string;
  name: string;
  /** 1 on the first run, 2 on the first retry, ... */
  attempt: number;
  /** Retries allowed after the first run. */
  retryLimit: number;
  logger: Logger;
  /** Aborted when the job outlives its expiry or a shutdown gives up waiting for it. */
  signal: AbortSignal;
}

export interface QueueDefinition<T> {
  name: string;
  schema: z.ZodType<T>;
  handler: (data: T, context: JobContext) => Promise<unknown>;
  /** Jobs whose key is equal never run at the same time (across every worker process). */
  serialKey?: (data: T) => string;
  /** Retries after the first failure (default 5). */
  retryLimit?: number;
  /** First retry delay in seconds; with backoff each next one doubles, with jitter (default 15). */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** A run longer than this is considered dead and retried (default 300: QBO's 120 s timeout, twice, and some). */
  expireInSeconds?: number;
  /** Jobs of this queue run at once in one process (default 2). */
  concurrency?: number;
  /** Cron expression (UTC) that enqueues this job with `cronData`. */
  cron?: string;
  cronData?: T;
}

export interface SendOptions {
  /** Delay in seconds, or a moment. */
  startAfter?: number | Date;
  priority?: number;
}

export type RunOutcome = 'idle' | 'completed' | 'failed' | 'deferred' | 'waiting';

export interface JobQueueOptions {
  pool: pg.Pool;
  logger: Logger;
  /** Schema for pg-boss's tables (default pgboss). */
  schema?: string;
  /** Idle wait between fetches when a queue is empty. */
  pollIntervalMs?: number;
  /** How soon a job whose key is busy is tried again. */
  busyKeyDelayMs?: number;
  /** How often expired jobs are swept and schedules checked (seconds). */
  maintenanceIntervalSeconds?: number;
  /** How long failed jobs stay retryable before being archived. */
  keepFailedDays?: number;
  /** How often cron schedules are evaluated, and how soon a due one is enqueued (seconds; pg-boss: 30 and 5). */
  cronMonitorIntervalSeconds?: number;
  cronWorkerIntervalSeconds?: number;
  /**
   * Told how each run ended: completed; retried (failed, runs again); failed (for good). `seconds` is the handler's
   * run time, absent when no handler ran (invalid payload). Runs that were deferred (key busy) or parked for a person
   * are neither. Must not throw.
   */
  onSettled?: (settled: { queue: string; outcome: 'completed' | 'failed' | 'retried'; seconds?: number }) => void;
}

interface FetchedJob {
  id: string;
  name: string;
  data: unknown;
  retryCount: number;
  retryLimit: number;
  expireInSeconds: number;
  priority: number;
}

type AnyDefinition = QueueDefinition<any>;

export class JobQueue {
  readonly boss: PgBoss;
  private readonly definitions = new Map<string, AnyDefinition>();
  private readonly running = new Set<{ promise: Promise<unknown>; abort: AbortController; job: FetchedJob }>();
  private loops: Promise<void>[] = [];
  private stopLoops = new AbortController();
  private started = false;
  private workersRunning = false;
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly busyKeyDelayMs: number;
  readonly schema: string;

  constructor(private readonly options: JobQueueOptions) {
    this.logger = options.logger.child({ component: 'jobs' });
    this.schema = options.schema ?? 'pgboss';
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.busyKeyDelayMs = options.busyKeyDelayMs ?? 1000;
    const keepFailedSeconds = (options.keepFailedDays ?? 30) * 24 * 3600;
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values?: unknown[]) => options.pool.query(text, values as unknown[]) },
      schema: this.schema,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      archiveFailedAfterSeconds: keepFailedSeconds,
      deleteAfterDays: 7,
      cronMonitorIntervalSeconds: options.cronMonitorIntervalSeconds ?? 30,
      cronWorkerIntervalSeconds: options.cronWorkerIntervalSeconds ?? 5,
    } as PgBoss.ConstructorOptions);
    this.boss.on('error', (err: Error) => this.logger.warn({ err }, 'job queue maintenance error'));
  }

  define<T>(definition: QueueDefinition<T>): void {
    if (this.started) throw new Error(`queue ${definition.name} must be defined before start()`);
    if (!/^[\w.-]+$/.test(definition.name)) throw new Error(`invalid queue name ${definition.name}`);
    this.definitions.set(definition.name, definition);
  }

  /** Creates pg-boss's schema and our queues, and registers cron schedules. Does not run jobs (startWorkers). */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    try {
      await this.createQueues();
    } catch (err) {
      // pg-boss is running its maintenance already: a failed start must not leave it behind.
      await this.boss.stop({ graceful: false, close: false, wait: true }).catch(() => undefined);
      throw err;
    }
    this.started = true;
  }

  /** Our queue definitions, written into pg-boss (created or updated) with their cron schedules. */
  private async createQueues(): Promise<void> {
    for (const def of this.definitions.values()) {
      const queueOptions = {
        name: def.name,
        policy: 'standard' as const,
        retryLimit: def.retryLimit ?? 5,
        retryDelay: def.retryDelaySeconds ?? 15,
        retryBackoff: def.retryBackoff ?? true,
        expireInSeconds: def.expireInSeconds ?? 300,
      };
      const existing = await this.boss.getQueue(def.name);
      if (existing) await this.boss.updateQueue(def.name, queueOptions);
      else await this.boss.createQueue(def.name, queueOptions);
      if (def.cron) {
        await this.boss.schedule(def.name, def.cron, (def.cronData ?? {}) as object, { tz: 'UTC' });
      } else {
        await this.boss.unschedule(def.name);
      }
    }
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isWorking(): boolean {
    return this.workersRunning;
  }

  async send<T>(name: string, data: T, options: SendOptions = {}): Promise<string | null> {
    const def = this.requireDefinition(name);
    const parsed = def.schema.parse(data);
    const sendOptions: PgBoss.SendOptions = {};
    if (options.startAfter !== undefined) sendOptions.startAfter = options.startAfter;
    if (options.priority !== undefined) sendOptions.priority = options.priority;
    const id = await this.boss.send(name, parsed as object, sendOptions);
    if (options.startAfter === undefined) this.nudge(name);
    return id;
  }

  /**
   * Many jobs of one queue in a single statement (pg-boss insert; the queue's retry and expiry policy applies), for
   * callers that queue work per item of a batch: a 100-event webhook delivery costs one round trip, not a hundred.
   */
  async sendMany<T>(name: string, items: T[]): Promise<void> {
    if (items.length === 0) return;
    const def = this.requireDefinition(name);
    const jobs = items.map((data) => ({ name, data: def.schema.parse(data) as object }));
    await this.boss.insert(jobs);
    this.nudge(name);
  }

  /**
   * Idle workers of a queue in this process sleep until their next poll; a job sent from this process wakes them at
   * once, so a won deal's work starts in milliseconds rather than at the next poll. Other processes still poll.
   */
  private readonly nudges = new Map<string, AbortController>();

  private nudgeSignal(name: string): AbortSignal {
    let controller = this.nudges.get(name);
    if (!controller) {
      controller = new AbortController();
      setMaxListeners(0, controller.signal);
      this.nudges.set(name, controller);
    }
    return controller.signal;
  }

  private nudge(name: string): void {
    const controller = this.nudges.get(name);
    this.nudges.delete(name);
    controller?.abort();
  }

  startWorkers(): void {
    if (!this.started) throw new Error('start() the job queue before its workers');
    if (this.workersRunning) return;
    this.workersRunning = true;
    this.stopLoops = new AbortController();
    // Every worker loop waits on this one signal; more than ten loops is normal, not a listener leak.
    setMaxListeners(0, this.stopLoops.signal);
    for (const def of this.definitions.values()) {
      for (let slot = 0; slot < (def.concurrency ?? 2); slot++) this.loops.push(this.loop(def.name));
    }
    this.logger.info({ queues: [...this.definitions.keys()] }, 'job workers started');
  }

  private async loop(name: string): Promise<void> {
    const signal = this.stopLoops.signal;
    let consecutiveErrors = 0;
    while (!signal.aborted) {
      let outcome: RunOutcome;
      try {
        outcome = await this.runNext(name);
        consecutiveErrors = 0;
      } catch (err) {
        // The database is away (restart, network): keep the worker alive, back off (up to 30 s), try again.
        consecutiveErrors += 1;
        if (consecutiveErrors === 1 || consecutiveErrors % 10 === 0) {
          this.logger.warn({ err, queue: name, consecutiveErrors }, 'job fetch failed; retrying');
        }
        outcome = 'idle';
      }
      if (outcome === 'idle' && !signal.aborted) {
        const wait = Math.min(30_000, this.pollIntervalMs * 2 ** Math.min(consecutiveErrors, 10));
        await delay(wait, undefined, { signal: AbortSignal.any([signal, this.nudgeSignal(name)]) }).catch(() => undefined);
      }
    }
  }

  /**
   * Fetches one job of the queue and runs it to its end (complete, fail, or defer when its key is busy).
   * `ignoreStartAfter` also takes jobs waiting out a retry delay: tests use it to move past backoff.
   */
  async runNext(name: string, options: { ignoreStartAfter?: boolean } = {}): Promise<RunOutcome> {
    const def = this.requireDefinition(name);
    const rows = (await this.boss.fetch(name, {
      batchSize: 1,
      includeMetadata: true,
      ignoreStartAfter: options.ignoreStartAfter ?? false,
    } as PgBoss.FetchOptions & { includeMetadata: true })) as unknown as Array<Record<string, unknown>>;
    const row = rows[0];
    if (!row) return 'idle';
    const job: FetchedJob = {
      id: String(row.id),
      name,
      data: row.data,
      retryCount: Number(row.retryCount ?? 0),
      retryLimit: Number(row.retryLimit ?? 0),
      expireInSeconds: Number(row.expireInSeconds ?? (def.expireInSeconds ?? 300)),
      priority: Number(row.priority ?? 0),
    };
    const abort = new AbortController();
    const promise = this.execute(def, job, abort);
    const entry = { promise, abort, job };
    this.running.add(entry);
    try {
      return await promise;
    } finally {
      this.running.delete(entry);
    }
  }

  private async execute(def: AnyDefinition, job: FetchedJob, abort: AbortController): Promise<RunOutcome> {
    const log = this.logger.child({ queue: def.name, jobId: job.id, attempt: job.retryCount + 1 });
    const parsed = def.schema.safeParse(job.data);
    if (!parsed.success) {
      const message = `invalid job payload: ${z.prettifyError(parsed.error)}`;
      log.error({ issues: parsed.error.issues }, 'job payload is invalid; dead-lettered without retry');
      await this.failPermanently(def.name, job.id, message);
      this.options.onSettled?.({ queue: def.name, outcome: 'failed' });
      return 'failed';
    }

    const key = def.serialKey?.(parsed.data);
    if (key !== undefined) {
      const acquired = await bossTables.acquireKeyLease(this.options.pool, def.name, key, job.id, job.expireInSeconds);
      if (!acquired) {
        await this.deferBusy(def, job);
        log.debug({ key }, 'key busy; job re-queued');
        return 'deferred';
      }
    }

    const expiry = setTimeout(() => abort.abort(new Error('job expired')), job.expireInSeconds * 1000);
    expiry.unref();
    // Wall time on purpose: a run's duration is real seconds of a worker, whatever DealBooks' clock says.
    const startedAt = performance.now();
    const settled = (outcome: 'completed' | 'failed' | 'retried') =>
      this.options.onSettled?.({ queue: def.name, outcome, seconds: (performance.now() - startedAt) / 1000 });
    try {
      const output = await untilAborted(
        def.handler(parsed.data, {
          id: job.id,
          name: def.name,
          attempt: job.retryCount + 1,
          retryLimit: job.retryLimit,
          logger: log,
          signal: abort.signal,
        }),
        abort.signal,
      );
      await this.boss.complete(def.name, job.id, toOutput(output));
      await bossTables.forgetWaiting(this.options.pool, job.id);
      log.info('job completed');
      settled('completed');
      return 'completed';
    } catch (err) {
      if (err instanceof JobMustWaitError) {
        const copyId = await this.park(def, job, err);
        log.warn({ portalId: err.portalId, waitingAs: copyId, reason: err.message }, 'job waits for a person to act');
        return 'waiting';
      }
      await bossTables.forgetWaiting(this.options.pool, job.id).catch(() => undefined);
      const permanent = err instanceof PermanentJobError || err instanceof z.ZodError;
      const message = err instanceof Error ? err.message : String(err);
      if (permanent) {
        await this.failPermanently(def.name, job.id, message);
        log.error({ err }, 'job failed permanently; dead-lettered');
        settled('failed');
      } else {
        await this.boss.fail(def.name, job.id, { message });
        const willRetry = job.retryCount < job.retryLimit;
        log[willRetry ? 'warn' : 'error']({ err, willRetry }, willRetry ? 'job failed; will retry' : 'job failed; dead-lettered');
        settled(willRetry ? 'retried' : 'failed');
      }
      return 'failed';
    } finally {
      clearTimeout(expiry);
      if (key !== undefined) await bossTables.releaseKeyLease(this.options.pool, def.name, key, job.id).catch(() => undefined);
    }
  }

  /** Puts a job whose key is busy back in line, as a fresh copy, without spending one of its attempts. */
  private async deferBusy(def: AnyDefinition, job: FetchedJob): Promise<void> {
    await this.requeueCopy(def, job, new Date(Date.now() + this.busyKeyDelayMs), { reason: 'key busy' });
  }

  /**
   * A job that must wait for a person: a copy waits (far in the future, re-checked now and then), recorded in
   * waiting_jobs under its account so that a reconnect wakes it at once. Same transaction, so it is never lost.
   */
  private async park(def: AnyDefinition, job: FetchedJob, reason: JobMustWaitError): Promise<string | null> {
    return this.requeueCopy(def, job, new Date(Date.now() + WAITING_RECHECK_MS), { reason: 'waiting', message: reason.message }, async (client, copyId) => {
      await bossTables.recordWaiting(client, { jobId: copyId, previousJobId: job.id, queue: def.name, portalId: reason.portalId, reason: reason.message });
    });
  }

  /** Wakes every job of the account that waits for a person (after a reconnect or reinstall). Returns how many. */
  async wake(portalId: number): Promise<number> {
    const woken = await bossTables.wakeWaiting(this.options.pool, this.schema, portalId);
    if (woken > 0) this.logger.info({ portalId, woken }, 'woke jobs that were waiting for a reconnect');
    return woken;
  }

  /** When the jobs of a queue whose `data[field]` is one of `values` are next due (see bossTables.nextStarts). */
  async nextStarts(queue: string, field: string, values: Array<string | number>): Promise<Map<string, Date>> {
    return bossTables.nextStarts(this.options.pool, this.schema, queue, field, values.map(String));
  }

  /** Per defined queue (0 when none waits), jobs due and not taken yet and the age of the oldest (boss-tables.ts). */
  async backlog(): Promise<Array<{ queue: string; waiting: number; oldestWaitingSeconds: number }>> {
    const rows = new Map((await bossTables.queueBacklog(this.options.pool, this.schema)).map((r) => [r.queue, r]));
    for (const name of this.definitions.keys()) if (!rows.has(name)) rows.set(name, { queue: name, waiting: 0, oldestWaitingSeconds: 0 });
    return [...rows.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  }

  /** How many jobs of an account wait for a person. */
  async waitingCount(portalId: number): Promise<number> {
    return bossTables.countWaiting(this.options.pool, this.schema, portalId);
  }

  private async requeueCopy(
    def: AnyDefinition,
    job: FetchedJob,
    startAfter: Date,
    output: object,
    alsoInTransaction?: (client: pg.PoolClient, copyId: string) => Promise<void>,
  ): Promise<string | null> {
    return withTransaction(this.options.pool, async (client) => {
      const db = { executeSql: (text: string, values?: unknown[]) => client.query(text, values as unknown[]) };
      const copyId = await this.boss.send(def.name, job.data as object, {
        startAfter,
        priority: job.priority,
        // the copy keeps what is left of the original's retry budget
        retryLimit: Math.max(0, job.retryLimit - job.retryCount),
        db,
      } as PgBoss.SendOptions);
      await this.boss.complete(def.name, job.id, { deferredTo: copyId, ...output }, { db } as PgBoss.ConnectionOptions);
      if (copyId && alsoInTransaction) await alsoInTransaction(client, copyId);
      return copyId;
    });
  }

  private async failPermanently(name: string, id: string, message: string): Promise<void> {
    await bossTables.exhaustRetries(this.options.pool, this.schema, id);
    await this.boss.fail(name, id, { message, permanent: true });
  }

  /** Deletes every job of an account (queued, retrying, failed, archived), inside the caller's transaction. */
  deleteAccountJobs(db: Queryable, portalId: number): Promise<number> {
    return bossTables.deleteAccountJobs(db, this.schema, portalId);
  }

  /** Forgets key leases left behind by workers that died (a live job renews its lease). */
  pruneStaleLeases(): Promise<number> {
    return bossTables.deleteStaleKeyLeases(this.options.pool);
  }

  /** Jobs that failed for good, newest first: what a person looks at and retries. */
  async deadLetters(options: { queue?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    return bossTables.listFailedJobs(this.options.pool, this.schema, options);
  }

  /** Puts a dead-lettered job back to run once more. Returns false when no such failed job exists. */
  async retry(id: string): Promise<boolean> {
    const queue = await bossTables.failedJobQueue(this.options.pool, this.schema, id);
    if (!queue) return false;
    await this.boss.retry(queue, id);
    return true;
  }

  async getJob(name: string, id: string) {
    return this.boss.getJobById(name, id, { includeArchive: true } as never);
  }

  /** Runs pg-boss maintenance now: expires jobs whose worker died (normally done every maintenance interval). */
  async sweepExpired(): Promise<void> {
    await this.boss.expire();
  }

  /**
   * Stops fetching, lets running jobs finish within `timeoutMs`, then aborts the rest and hands them back for a
   * retry (their leases are released), and stops pg-boss. The pool stays open: its owner closes it.
   */
  async stop(timeoutMs = 25_000): Promise<void> {
    this.stopLoops.abort();
    const timer = new AbortController();
    const deadline = delay(timeoutMs, 'timeout' as const, { signal: timer.signal }).catch(() => 'done' as const);
    const settled = Promise.allSettled([...this.running].map((r) => r.promise)).then(() => 'done' as const);
    const result = await Promise.race([settled, deadline]);
    timer.abort();
    if (result === 'timeout') {
      // Aborting makes each run fail now (see untilAborted), which hands the job back for a retry.
      const stuck = [...this.running];
      this.logger.warn({ jobs: stuck.map((r) => r.job.id) }, 'shutdown timeout: handing unfinished jobs back for retry');
      for (const r of stuck) r.abort.abort(new Error('interrupted by shutdown'));
      await Promise.allSettled(stuck.map((r) => r.promise));
    }
    await Promise.allSettled(this.loops);
    this.loops = [];
    this.workersRunning = false;
    if (this.started) await this.boss.stop({ graceful: false, close: false, wait: true });
    this.started = false;
  }

  private requireDefinition(name: string): AnyDefinition {
    const def = this.definitions.get(name);
    if (!def) throw new Error(`no job queue named ${name}`);
    return def;
  }
}

/** Settles with the work, or rejects as soon as the signal aborts (the work itself may still be running). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function toOutput(value: unknown): object | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as object;
  return { value };
}
