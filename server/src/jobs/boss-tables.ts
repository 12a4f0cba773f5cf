import type pg from 'pg';
import type { Queryable } from '../db/transaction';

/**
 * The few statements that read or touch pg-boss 10's own tables (`<schema>.job`, `<schema>.archive`) and our
 * key-lease table. Kept in one place so an upgrade of pg-boss has one file to check.
 */

/** A job that failed for good: what a person looks at and retries (`npm run jobs`). */
export interface DeadLetter {
  id: string;
  queue: string;
  data: unknown;
  error: string | undefined;
  attempts: number;
  createdAt: Date;
  failedAt: Date | null;
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe schema name ${name}`);
  return `"${name}"`;
}

/** Takes the lease on a key for a job, unless another live job holds it. A job may re-take its own lease. */
export async function acquireKeyLease(pool: pg.Pool, queue: string, key: string, jobId: string, seconds: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO job_key_leases (queue, lease_key, job_id, leased_until)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))
     ON CONFLICT (queue, lease_key) DO UPDATE
       SET job_id = EXCLUDED.job_id, leased_until = EXCLUDED.leased_until, acquired_at = now()
       WHERE job_key_leases.leased_until < now() OR job_key_leases.job_id = EXCLUDED.job_id
     RETURNING job_id`,
    [queue, key, jobId, seconds],
  );
  return rowCount === 1;
}

/** Deletes leases that ran out more than an hour ago (left behind by workers that crashed). */
export async function deleteStaleKeyLeases(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM job_key_leases WHERE leased_until < now() - interval '1 hour'`);
  return rowCount ?? 0;
}

export async function releaseKeyLease(pool: pg.Pool, queue: string, key: string, jobId: string): Promise<void> {
  await pool.query('DELETE FROM job_key_leases WHERE queue = $1 AND lease_key = $2 AND job_id = $3', [queue, key, jobId]);
}

/** Makes the next failure of a job final: pg-boss retries while retry_count < retry_limit. */
export async function exhaustRetries(pool: pg.Pool, schema: string, jobId: string): Promise<void> {
  await pool.query(`UPDATE ${quoteIdent(schema)}.job SET retry_limit = retry_count WHERE id = $1`, [jobId]);
}

export async function listFailedJobs(
  pool: pg.Pool,
  schema: string,
  options: { queue?: string; limit?: number },
): Promise<DeadLetter[]> {
  const { rows } = await pool.query(
    `SELECT id, name, data, output, retry_count, created_on, completed_on
       FROM ${quoteIdent(schema)}.job
      WHERE state = 'failed' AND ($1::text IS NULL OR name = $1)
      ORDER BY completed_on DESC NULLS LAST, created_on DESC
      LIMIT $2`,
    [options.queue ?? null, options.limit ?? 100],
  );
  return rows.map((r) => ({
    id: r.id,
    queue: r.name,
    data: r.data,
    error: typeof r.output?.message === 'string' ? r.output.message : undefined,
    attempts: Number(r.retry_count) + 1,
    createdAt: r.created_on,
    failedAt: r.completed_on,
  }));
}

export async function failedJobQueue(pool: pg.Pool, schema: string, jobId: string): Promise<string | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(jobId)) return undefined;
  const { rows } = await pool.query(`SELECT name FROM ${quoteIdent(schema)}.job WHERE id = $1 AND state = 'failed'`, [jobId]);
  return rows[0]?.name;
}

/**
 * A job copy that waits for a person (see JobQueue.park). The original's waiting row, if it was itself a woken
 * copy that had to wait again, is replaced. Skipped when the account is gone (nothing to wait for).
 */
export async function recordWaiting(
  client: pg.PoolClient,
  row: { jobId: string; previousJobId: string; queue: string; portalId: number; reason: string },
): Promise<void> {
  await client.query('DELETE FROM waiting_jobs WHERE job_id = $1', [row.previousJobId]);
  await client.query(
    `INSERT INTO waiting_jobs (job_id, queue, portal_id, reason)
     SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM portals WHERE portal_id = $3)`,
    [row.jobId, row.queue, row.portalId, row.reason],
  );
}

export async function forgetWaiting(pool: pg.Pool, jobId: string): Promise<void> {
  await pool.query('DELETE FROM waiting_jobs WHERE job_id = $1', [jobId]);
}

/** Makes the account's waiting jobs due now. Their rows stay until each job completes or has to wait again. */
export async function wakeWaiting(pool: pg.Pool, schema: string, portalId: number): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE ${quoteIdent(schema)}.job j SET start_after = now()
       FROM waiting_jobs w
      WHERE w.portal_id = $1 AND j.id = w.job_id AND j.name = w.queue AND j.state = 'created' AND j.start_after > now()`,
    [portalId],
  );
  return rowCount ?? 0;
}

/**
 * When each of these jobs (by a data field's value, e.g. data.actionId) is next due: the earliest start_after of its
 * jobs that wait to run (new, or retrying after a failure with their backoff). A job running now has no entry.
 */
export async function nextStarts(pool: pg.Pool, schema: string, queue: string, field: string, values: string[]): Promise<Map<string, Date>> {
  if (values.length === 0) return new Map();
  const { rows } = await pool.query(
    `SELECT data->>$2 AS value, min(start_after) AS start_after FROM ${quoteIdent(schema)}.job
      WHERE name = $1 AND state IN ('created', 'retry') AND data->>$2 = ANY($3::text[])
      GROUP BY 1`,
    [queue, field, values],
  );
  return new Map(rows.map((r) => [String(r.value), new Date(r.start_after as string | Date)]));
}

export async function countWaiting(pool: pg.Pool, schema: string, portalId: number): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM waiting_jobs w JOIN ${quoteIdent(schema)}.job j ON j.id = w.job_id AND j.name = w.queue
      WHERE w.portal_id = $1 AND j.state IN ('created', 'retry', 'active')`,
    [portalId],
  );
  return rows[0].n as number;
}

/**
 * Deletes every job of an account, queued, retrying, failed or archived (leaving DealBooks). Every per-account job
 * carries the account as data.portalId. Takes a Queryable so it joins the caller's transaction. Returns how many
 * jobs (not archived ones) went.
 */
export async function deleteAccountJobs(db: Queryable, schema: string, portalId: number): Promise<number> {
  const jobs = await db.query(`DELETE FROM ${quoteIdent(schema)}.job WHERE data->>'portalId' = $1::text`, [String(portalId)]);
  await db.query(`DELETE FROM ${quoteIdent(schema)}.archive WHERE data->>'portalId' = $1::text`, [String(portalId)]);
  return jobs.rowCount ?? 0;
}

/**
 * Per queue, the jobs due to run that no worker has taken yet (new or retrying, start_after passed), and how long the
 * oldest of them has been due, in seconds of the database's time. A job waiting out its backoff or scheduled later
 * (parked for a person, deferred) is not due, so it neither counts nor ages: what grows here is work the workers are
 * not keeping up with. Queues with nothing due are absent.
 */
export async function queueBacklog(db: Queryable, schema: string): Promise<Array<{ queue: string; waiting: number; oldestWaitingSeconds: number }>> {
  const { rows } = await db.query(
    `SELECT name, count(*)::int AS waiting, extract(epoch FROM now() - min(start_after))::float8 AS oldest
       FROM ${quoteIdent(schema)}.job
      WHERE state IN ('created', 'retry') AND start_after <= now()
      GROUP BY name`,
  );
  return rows.map((r) => ({ queue: String(r.name), waiting: Number(r.waiting), oldestWaitingSeconds: Math.max(0, Number(r.oldest)) }));
}
