import type pg from 'pg';
import type { Problem } from '../sync/model';

/** What was asked of a deal (issue 5, point 8): the card polls these; HubSpot's retried fetch finds the same one. */
export type DealActionKind = 'invoice' | 'estimate' | 'convert' | 'send' | 'customer';
export type DealActionStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked';
export type DealActionTrigger = 'card' | 'auto' | 'retry';

export interface DealAction {
  id: number;
  portalId: number;
  dealId: string;
  kind: DealActionKind;
  targetId: string;
  trigger: DealActionTrigger;
  status: DealActionStatus;
  requestedByUserId: number | null;
  options: Record<string, unknown>;
  problems: Problem[];
  result: Record<string, unknown> | null;
  createdAt: string;
  finishedAt: string | null;
}

function toAction(r: Record<string, any>): DealAction {
  return {
    id: Number(r.id),
    portalId: Number(r.portal_id),
    dealId: r.deal_id,
    kind: r.kind,
    targetId: r.target_id,
    trigger: r.trigger,
    status: r.status,
    requestedByUserId: r.requested_by_user_id === null ? null : Number(r.requested_by_user_id),
    options: r.options ?? {},
    problems: r.problems ?? [],
    result: r.result ?? null,
    createdAt: new Date(r.created_at).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  };
}

/**
 * Queues an action unless the same one (deal, kind, target) is already queued or running: then that one is returned
 * with `created: false`. The partial unique index decides, so two requests racing in two processes agree.
 */
export async function openAction(
  pool: pg.Pool,
  input: { portalId: number; dealId: string; kind: DealActionKind; targetId?: string; trigger: DealActionTrigger; userId: number | null; options?: Record<string, unknown> },
  now: Date,
): Promise<{ action: DealAction; created: boolean }> {
  const targetId = input.targetId ?? '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await pool.query(
      `INSERT INTO deal_actions (portal_id, deal_id, kind, target_id, trigger, requested_by_user_id, options, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (portal_id, deal_id, kind, target_id) WHERE status IN ('queued', 'running') DO NOTHING
       RETURNING *`,
      [input.portalId, input.dealId, input.kind, targetId, input.trigger, input.userId, JSON.stringify(input.options ?? {}), now],
    );
    if (inserted.rows[0]) return { action: toAction(inserted.rows[0]), created: true };
    const open = await pool.query(
      `SELECT * FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 AND kind = $3 AND target_id = $4 AND status IN ('queued', 'running')`,
      [input.portalId, input.dealId, input.kind, targetId],
    );
    if (open.rows[0]) return { action: toAction(open.rows[0]), created: false };
    // The open one finished between the two statements: try again.
  }
  throw new Error('could not queue the deal action (it kept finishing concurrently)');
}

export async function getAction(db: pg.Pool | pg.PoolClient, portalId: number, id: number): Promise<DealAction | null> {
  const { rows } = await db.query(`SELECT * FROM deal_actions WHERE portal_id = $1 AND id = $2`, [portalId, id]);
  return rows[0] ? toAction(rows[0]) : null;
}

export async function markRunning(pool: pg.Pool, id: number, now: Date): Promise<void> {
  await pool.query(`UPDATE deal_actions SET status = 'running', updated_at = $2 WHERE id = $1 AND status IN ('queued', 'running')`, [id, now]);
}

export async function finishAction(
  pool: pg.Pool,
  id: number,
  outcome: { status: 'succeeded' | 'failed' | 'blocked'; problems?: Problem[]; result?: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await pool.query(
    `UPDATE deal_actions SET status = $2, problems = $3, result = $4, updated_at = $5, finished_at = $5 WHERE id = $1`,
    [id, outcome.status, JSON.stringify(outcome.problems ?? []), outcome.result ? JSON.stringify(outcome.result) : null, now],
  );
}

/** The deal's most recent actions, newest first. */
export async function recentActions(pool: pg.Pool, portalId: number, dealId: string, limit = 10): Promise<DealAction[]> {
  const { rows } = await pool.query(`SELECT * FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 ORDER BY id DESC LIMIT $3`, [portalId, dealId, limit]);
  return rows.map(toAction);
}

/** The newest action that ended blocked, if it is still the deal's newest finished action of its kind. */
export async function latestBlocked(pool: pg.Pool, portalId: number, dealId: string): Promise<DealAction | null> {
  const { rows } = await pool.query(
    `SELECT DISTINCT ON (kind) * FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 AND finished_at IS NOT NULL ORDER BY kind, id DESC`,
    [portalId, dealId],
  );
  const blocked = rows.map(toAction).filter((a) => a.status === 'blocked');
  return blocked.sort((a, b) => b.id - a.id)[0] ?? null;
}
