import { z } from 'zod';
import { bigintColumn, jsonObjectColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';
import { PROBLEM_CODES, type Problem } from '../sync/model';

/**
 * What was asked of a deal (create an invoice or estimate, convert, send, confirm a customer): the card polls these,
 * and HubSpot's retried fetch or a double click finds the same open one.
 */
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

const actionRow = z.object({
  id: bigintColumn,
  portal_id: bigintColumn,
  deal_id: z.string(),
  kind: z.enum(['invoice', 'estimate', 'convert', 'send', 'customer']),
  target_id: z.string(),
  trigger: z.enum(['card', 'auto', 'retry']),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'blocked']),
  requested_by_user_id: bigintColumn.nullable(),
  options: jsonObjectColumn.nullable(),
  problems: z.array(z.object({ code: z.enum(PROBLEM_CODES), message: z.string(), subject: z.record(z.string(), z.string()).optional() })).nullable(),
  result: jsonObjectColumn.nullable(),
  created_at: timestampColumn,
  finished_at: timestampColumn.nullable(),
});

function toAction(row: unknown): DealAction {
  const r = parseRow('deal_actions', actionRow, row);
  return {
    id: r.id,
    portalId: r.portal_id,
    dealId: r.deal_id,
    kind: r.kind,
    targetId: r.target_id,
    trigger: r.trigger,
    status: r.status,
    requestedByUserId: r.requested_by_user_id,
    options: r.options ?? {},
    problems: r.problems ?? [],
    result: r.result,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
  };
}

/**
 * Queues an action unless the same one (deal, kind, target) is already queued or running: then that one is returned
 * with `created: false`. The partial unique index decides, so two requests racing in two processes agree.
 */
export async function openAction(
  db: Queryable,
  input: { portalId: number; dealId: string; kind: DealActionKind; targetId?: string; trigger: DealActionTrigger; userId: number | null; options?: Record<string, unknown> },
  now: Date,
): Promise<{ action: DealAction; created: boolean }> {
  const targetId = input.targetId ?? '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db.query(
      `INSERT INTO deal_actions (portal_id, deal_id, kind, target_id, trigger, requested_by_user_id, options, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (portal_id, deal_id, kind, target_id) WHERE status IN ('queued', 'running') DO NOTHING
       RETURNING *`,
      [input.portalId, input.dealId, input.kind, targetId, input.trigger, input.userId, JSON.stringify(input.options ?? {}), now],
    );
    if (inserted.rows[0]) return { action: toAction(inserted.rows[0]), created: true };
    const open = await db.query(
      `SELECT * FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 AND kind = $3 AND target_id = $4 AND status IN ('queued', 'running')`,
      [input.portalId, input.dealId, input.kind, targetId],
    );
    if (open.rows[0]) return { action: toAction(open.rows[0]), created: false };
    // The open one finished between the two statements: try again.
  }
  throw new Error('could not queue the deal action (it kept finishing concurrently)');
}

export async function getAction(db: Queryable, portalId: number, id: number): Promise<DealAction | null> {
  const { rows } = await db.query(`SELECT * FROM deal_actions WHERE portal_id = $1 AND id = $2`, [portalId, id]);
  return rows[0] ? toAction(rows[0]) : null;
}

export async function markRunning(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query(`UPDATE deal_actions SET status = 'running', updated_at = $2 WHERE id = $1 AND status IN ('queued', 'running')`, [id, now]);
}

export async function finishAction(
  db: Queryable,
  id: number,
  outcome: { status: 'succeeded' | 'failed' | 'blocked'; problems?: Problem[]; result?: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE deal_actions SET status = $2, problems = $3, result = $4, updated_at = $5, finished_at = $5 WHERE id = $1`,
    [id, outcome.status, JSON.stringify(outcome.problems ?? []), outcome.result ? JSON.stringify(outcome.result) : null, now],
  );
}

/** Whether any action of this kind was ever asked for this target of the deal, whatever became of it. */
export async function anyActionFor(db: Queryable, input: { portalId: number; dealId: string; kind: DealActionKind; targetId: string }): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 AND kind = $3 AND target_id = $4 LIMIT 1`, [
    input.portalId,
    input.dealId,
    input.kind,
    input.targetId,
  ]);
  return rows.length > 0;
}

/** The deal's most recent actions, newest first. */
export async function recentActions(db: Queryable, portalId: number, dealId: string, limit = 10): Promise<DealAction[]> {
  const { rows } = await db.query(`SELECT * FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 ORDER BY id DESC LIMIT $3`, [portalId, dealId, limit]);
  return rows.map(toAction);
}

/** The newest action that ended blocked, if it is still the deal's newest finished action of its kind. */
export async function latestBlocked(db: Queryable, portalId: number, dealId: string): Promise<DealAction | null> {
  const { rows } = await db.query(
    `SELECT DISTINCT ON (kind) * FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 AND finished_at IS NOT NULL ORDER BY kind, id DESC`,
    [portalId, dealId],
  );
  const blocked = rows.map(toAction).filter((a) => a.status === 'blocked');
  return blocked.sort((a, b) => b.id - a.id)[0] ?? null;
}

/**
 * Actions whose latest attempt ended blocked: per deal, kind and target, the newest finished action, when it is
 * blocked (since `finishedSince`, when given) and nothing of the same kind is open. Oldest first, at most `limit`.
 */
export async function blockedActions(db: Queryable, portalId: number, options: { dealId?: string; finishedSince?: Date; limit: number }): Promise<DealAction[]> {
  const { rows } = await db.query(
    `SELECT * FROM (
       SELECT DISTINCT ON (deal_id, kind, target_id) * FROM deal_actions
        WHERE portal_id = $1 AND ($2::text IS NULL OR deal_id = $2) AND finished_at IS NOT NULL
        ORDER BY deal_id, kind, target_id, id DESC
     ) latest
     WHERE status = 'blocked' AND ($4::timestamptz IS NULL OR finished_at >= $4)
       AND NOT EXISTS (SELECT 1 FROM deal_actions o WHERE o.portal_id = latest.portal_id AND o.deal_id = latest.deal_id AND o.kind = latest.kind
                         AND o.target_id = latest.target_id AND o.status IN ('queued', 'running'))
     ORDER BY id
     LIMIT $3`,
    [portalId, options.dealId ?? null, options.limit, options.finishedSince ?? null],
  );
  return rows.map(toAction);
}

/**
 * The action cannot go on until a person repairs a connection: it reads 'queued' again, with the problem that says
 * what it waits for, while its job is parked. An action that already ended is left alone.
 */
export async function waitForPerson(db: Queryable, id: number, problem: Problem): Promise<void> {
  await db.query(`UPDATE deal_actions SET status = 'queued', problems = $2 WHERE id = $1 AND status IN ('queued', 'running')`, [id, JSON.stringify([problem])]);
}

/**
 * An attempt stopped on something that may pass (QuickBooks or HubSpot not answering): the action reads 'queued'
 * again, with the problem that says what it waits for, until the job queue's next attempt.
 */
export async function waitForRetry(db: Queryable, id: number, problem: Problem): Promise<void> {
  await db.query(`UPDATE deal_actions SET status = 'queued', problems = $2 WHERE id = $1 AND status IN ('queued', 'running')`, [id, JSON.stringify([problem])]);
}
