import { z } from 'zod';
import { bigintColumn, integerColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * Per QBO connection (qbo_change_checkpoints): how far the change-data-capture backstop has looked, how much its last
 * run repaired, and what DealBooks last heard from QuickBooks and when (a notification processed), for the card.
 */
export interface ChangeCheckpoint {
  connectionId: number;
  portalId: number;
  checkedThrough: Date | null;
  lastRunAt: Date | null;
  lastRepaired: number;
  lastHeardAt: Date | null;
  lastHeardWhat: string | null;
}

const checkpointRow = z.object({
  connection_id: bigintColumn,
  portal_id: bigintColumn,
  checked_through: timestampColumn.nullable(),
  last_run_at: timestampColumn.nullable(),
  last_repaired: integerColumn,
  last_heard_at: timestampColumn.nullable(),
  last_heard_what: z.string().nullable(),
});

export async function readChangeCheckpoint(db: Queryable, connectionId: number): Promise<ChangeCheckpoint | null> {
  const { rows } = await db.query('SELECT * FROM qbo_change_checkpoints WHERE connection_id = $1', [connectionId]);
  if (!rows[0]) return null;
  const r = parseRow('qbo_change_checkpoints', checkpointRow, rows[0]);
  return {
    connectionId: r.connection_id,
    portalId: r.portal_id,
    checkedThrough: r.checked_through,
    lastRunAt: r.last_run_at,
    lastRepaired: r.last_repaired,
    lastHeardAt: r.last_heard_at,
    lastHeardWhat: r.last_heard_what,
  };
}

/** A backstop run ended: the checkpoint moves on (never back: a slow run ending after a newer one keeps its progress). */
export async function saveChangeCheck(db: Queryable, input: { connectionId: number; portalId: number; checkedThrough: Date; runAt: Date; repaired: number }): Promise<void> {
  await db.query(
    `INSERT INTO qbo_change_checkpoints (connection_id, portal_id, checked_through, last_run_at, last_repaired) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (connection_id) DO UPDATE SET checked_through = GREATEST(qbo_change_checkpoints.checked_through, EXCLUDED.checked_through),
            last_run_at = EXCLUDED.last_run_at, last_repaired = EXCLUDED.last_repaired`,
    [input.connectionId, input.portalId, input.checkedThrough, input.runAt, input.repaired],
  );
}

/** DealBooks heard from QuickBooks: kept only when it is the latest thing heard. */
export async function noteHeard(db: Queryable, input: { connectionId: number; portalId: number; at: Date; what: string }): Promise<void> {
  await db.query(
    `INSERT INTO qbo_change_checkpoints (connection_id, portal_id, last_heard_at, last_heard_what) VALUES ($1, $2, $3, $4)
     ON CONFLICT (connection_id) DO UPDATE SET last_heard_at = EXCLUDED.last_heard_at, last_heard_what = EXCLUDED.last_heard_what
      WHERE qbo_change_checkpoints.last_heard_at IS NULL OR qbo_change_checkpoints.last_heard_at <= EXCLUDED.last_heard_at`,
    [input.connectionId, input.portalId, input.at, input.what],
  );
}

/** Connected QBO connections whose backstop has not run since `ranBefore` (or never), oldest first, at most `limit`. */
export async function connectionsDueForCheck(db: Queryable, ranBefore: Date, limit: number): Promise<Array<{ portalId: number; connectionId: number }>> {
  const { rows } = await db.query(
    `SELECT c.portal_id, c.id FROM qbo_connections c LEFT JOIN qbo_change_checkpoints k ON k.connection_id = c.id
      WHERE c.status = 'connected' AND (k.last_run_at IS NULL OR k.last_run_at < $1)
      ORDER BY k.last_run_at NULLS FIRST, c.id LIMIT $2`,
    [ranBefore, limit],
  );
  return rows.map((row) => {
    const r = parseRow('qbo_connections', z.object({ portal_id: bigintColumn, id: bigintColumn }), row);
    return { portalId: r.portal_id, connectionId: r.id };
  });
}
