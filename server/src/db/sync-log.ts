import type pg from 'pg';

/**
 * The per-account record of every attempt (issue 5, point 10): what was tried, how it ended, QBO's intuit_tid and
 * error code, and the words a person needs. Rows are never updated; a retry is a new row.
 */
export type SyncOutcome = 'succeeded' | 'failed' | 'skipped' | 'blocked' | 'retrying';

export interface SyncLogEntry {
  portalId: number;
  action: string;
  outcome: SyncOutcome;
  message: string;
  dealId?: string | null;
  qboEntityType?: string | null;
  qboEntityId?: string | null;
  intuitTid?: string | null;
  errorCode?: string | null;
  dealActionId?: number | null;
  jobId?: string | null;
  details?: Record<string, unknown>;
}

export interface SyncLogRow {
  id: number;
  occurredAt: string;
  level: 'info' | 'warning' | 'error';
  action: string;
  outcome: SyncOutcome;
  message: string;
  dealId: string | null;
  qboEntityType: string | null;
  qboEntityId: string | null;
  intuitTid: string | null;
  errorCode: string | null;
  dealActionId: number | null;
  details: Record<string, unknown>;
}

const LEVEL: Record<SyncOutcome, 'info' | 'warning' | 'error'> = {
  succeeded: 'info',
  skipped: 'info',
  retrying: 'warning',
  blocked: 'warning',
  failed: 'error',
};

export async function recordSync(db: pg.Pool | pg.PoolClient, entry: SyncLogEntry, at: Date): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO sync_log (portal_id, occurred_at, level, action, outcome, message, hubspot_object_type, hubspot_object_id,
                           qbo_entity_type, qbo_entity_id, intuit_tid, error_code, deal_action_id, job_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
    [
      entry.portalId,
      at,
      LEVEL[entry.outcome],
      entry.action,
      entry.outcome,
      entry.message,
      entry.dealId ? 'deal' : null,
      entry.dealId ?? null,
      entry.qboEntityType ?? null,
      entry.qboEntityId ?? null,
      entry.intuitTid ?? null,
      entry.errorCode ?? null,
      entry.dealActionId ?? null,
      entry.jobId ?? null,
      JSON.stringify(entry.details ?? {}),
    ],
  );
  return Number(rows[0]!.id);
}

function toRow(r: Record<string, any>): SyncLogRow {
  return {
    id: Number(r.id),
    occurredAt: new Date(r.occurred_at).toISOString(),
    level: r.level,
    action: r.action,
    outcome: r.outcome,
    message: r.message,
    dealId: r.hubspot_object_type === 'deal' ? r.hubspot_object_id : null,
    qboEntityType: r.qbo_entity_type,
    qboEntityId: r.qbo_entity_id,
    intuitTid: r.intuit_tid,
    errorCode: r.error_code,
    dealActionId: r.deal_action_id === null ? null : Number(r.deal_action_id),
    details: r.details ?? {},
  };
}

/** Newest first, keyset-paged on id (stable while new rows arrive). */
export async function listSyncLog(
  pool: pg.Pool,
  portalId: number,
  filter: { dealId?: string; outcome?: SyncOutcome; before?: number; limit: number },
): Promise<{ entries: SyncLogRow[]; nextBefore: number | null }> {
  const { rows } = await pool.query(
    `SELECT * FROM sync_log
      WHERE portal_id = $1
        AND ($2::text IS NULL OR (hubspot_object_type = 'deal' AND hubspot_object_id = $2))
        AND ($3::text IS NULL OR outcome = $3)
        AND ($4::bigint IS NULL OR id < $4)
      ORDER BY id DESC LIMIT $5`,
    [portalId, filter.dealId ?? null, filter.outcome ?? null, filter.before ?? null, filter.limit + 1],
  );
  const entries = rows.slice(0, filter.limit).map(toRow);
  return { entries, nextBefore: rows.length > filter.limit ? entries[entries.length - 1]!.id : null };
}

export async function syncLogEntry(pool: pg.Pool, portalId: number, id: number): Promise<SyncLogRow | null> {
  const { rows } = await pool.query(`SELECT * FROM sync_log WHERE portal_id = $1 AND id = $2`, [portalId, id]);
  return rows[0] ? toRow(rows[0]) : null;
}
