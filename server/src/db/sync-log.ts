import { z } from 'zod';
import { bigintColumn, jsonObjectColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * The per-account record of every attempt: what was tried, how it ended, QBO's intuit_tid and
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

export async function recordSync(db: Queryable, entry: SyncLogEntry, at: Date): Promise<number> {
  const { rows } = await db.query(
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
  return parseRow('sync_log', z.object({ id: bigintColumn }), rows[0]).id;
}

const logRow = z.object({
  id: bigintColumn,
  occurred_at: timestampColumn,
  level: z.enum(['info', 'warning', 'error']),
  action: z.string(),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'blocked', 'retrying']),
  message: z.string(),
  hubspot_object_type: z.string().nullable(),
  hubspot_object_id: z.string().nullable(),
  qbo_entity_type: z.string().nullable(),
  qbo_entity_id: z.string().nullable(),
  intuit_tid: z.string().nullable(),
  error_code: z.string().nullable(),
  deal_action_id: bigintColumn.nullable(),
  details: jsonObjectColumn.nullable(),
});

function toRow(row: unknown): SyncLogRow {
  const r = parseRow('sync_log', logRow, row);
  return {
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    level: r.level,
    action: r.action,
    outcome: r.outcome,
    message: r.message,
    dealId: r.hubspot_object_type === 'deal' ? r.hubspot_object_id : null,
    qboEntityType: r.qbo_entity_type,
    qboEntityId: r.qbo_entity_id,
    intuitTid: r.intuit_tid,
    errorCode: r.error_code,
    dealActionId: r.deal_action_id,
    details: r.details ?? {},
  };
}

/** Newest first, keyset-paged on id (stable while new rows arrive). */
export async function listSyncLog(
  db: Queryable,
  portalId: number,
  filter: { dealId?: string; outcome?: SyncOutcome; before?: number; limit: number },
): Promise<{ entries: SyncLogRow[]; nextBefore: number | null }> {
  const { rows } = await db.query(
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

export async function syncLogEntry(db: Queryable, portalId: number, id: number): Promise<SyncLogRow | null> {
  const { rows } = await db.query(`SELECT * FROM sync_log WHERE portal_id = $1 AND id = $2`, [portalId, id]);
  return rows[0] ? toRow(rows[0]) : null;
}
