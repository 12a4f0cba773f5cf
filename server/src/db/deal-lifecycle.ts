import { z } from 'zod';
import type { Problem } from '../sync/model';
import { parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * Deals deleted, restored or merged in HubSpot (table deal_lifecycle). A deal without a row is live.
 */
export type DealState = 'live' | 'deleted' | 'merged';

export interface DealLifecycle {
  state: DealState;
  mergedInto: string | null;
  changedAt: Date;
}

const lifecycleRow = z.object({ state: z.enum(['live', 'deleted', 'merged']), merged_into: z.string().nullable(), changed_at: timestampColumn });

export async function readLifecycle(db: Queryable, portalId: number, dealId: string): Promise<DealLifecycle | null> {
  const { rows } = await db.query('SELECT state, merged_into, changed_at FROM deal_lifecycle WHERE portal_id = $1 AND deal_id = $2', [portalId, dealId]);
  if (!rows[0]) return null;
  const r = parseRow('deal_lifecycle', lifecycleRow, rows[0]);
  return { state: r.state, mergedInto: r.merged_into, changedAt: r.changed_at };
}

/** A merge of merges is followed this far; HubSpot's own chains are short, and a cycle must not loop forever. */
const MAX_MERGE_HOPS = 16;

/** The deal that now stands for this one: itself, or the deal it was merged into (following merges of merges). */
export async function survivorOf(db: Queryable, portalId: number, dealId: string): Promise<string> {
  const { rows } = await db.query(
    `WITH RECURSIVE chain (deal_id, hops) AS (
       SELECT $2::text, 0
       UNION ALL
       SELECT l.merged_into, c.hops + 1 FROM chain c
         JOIN deal_lifecycle l ON l.portal_id = $1 AND l.deal_id = c.deal_id AND l.state = 'merged'
        WHERE c.hops < $3
     )
     SELECT deal_id FROM chain ORDER BY hops DESC LIMIT 1`,
    [portalId, dealId, MAX_MERGE_HOPS],
  );
  return parseRow('deal_lifecycle', z.object({ deal_id: z.string() }), rows[0]).deal_id;
}

/** The deals merged into this one (directly), oldest merge first. */
export async function dealsMergedInto(db: Queryable, portalId: number, dealId: string): Promise<string[]> {
  const { rows } = await db.query(`SELECT deal_id FROM deal_lifecycle WHERE portal_id = $1 AND merged_into = $2 AND state = 'merged' ORDER BY changed_at, deal_id`, [
    portalId,
    dealId,
  ]);
  return rows.map((row) => parseRow('deal_lifecycle', z.object({ deal_id: z.string() }), row).deal_id);
}

/**
 * Records a deletion or a restore that happened at `at`, unless something that happened later is already recorded
 * (events arrive out of order and are redelivered; of two at the same instant, the one applied last wins) or the deal was merged away (a merge is final: HubSpot restores
 * no merged-away record). Returns true when the state changed.
 */
export async function recordDeletedOrLive(db: Queryable, portalId: number, dealId: string, state: 'deleted' | 'live', at: Date): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO deal_lifecycle (portal_id, deal_id, state, changed_at, recorded_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (portal_id, deal_id) DO UPDATE SET state = EXCLUDED.state, changed_at = EXCLUDED.changed_at, recorded_at = now()
      WHERE deal_lifecycle.state <> 'merged' AND deal_lifecycle.changed_at <= EXCLUDED.changed_at AND deal_lifecycle.state <> EXCLUDED.state
     RETURNING (xmax = 0) AS inserted`,
    [portalId, dealId, state, at],
  );
  // A first row saying "live" changes nothing a deal without a row was not already.
  if (!rows[0]) return false;
  return !(state === 'live' && parseRow('deal_lifecycle', z.object({ inserted: z.boolean() }), rows[0]).inserted);
}

/** Records that `dealId` was merged into `survivorId`; returns false when it already was (a redelivered merge). */
export async function recordMerged(db: Queryable, portalId: number, dealId: string, survivorId: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO deal_lifecycle (portal_id, deal_id, state, merged_into, changed_at, recorded_at) VALUES ($1, $2, 'merged', $3, $4, now())
     ON CONFLICT (portal_id, deal_id) DO UPDATE SET state = 'merged', merged_into = EXCLUDED.merged_into, changed_at = EXCLUDED.changed_at, recorded_at = now()
      WHERE deal_lifecycle.state <> 'merged'`,
    [portalId, dealId, survivorId, at],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Ends the deal's queued work (queued or running actions) as blocked on `problem`, so it is shown with its reason and
 * can be queued again if the cause goes (a restored deal). Returns the ids of the actions ended.
 */
export async function blockOpenActions(db: Queryable, portalId: number, dealId: string, problem: Problem, now: Date): Promise<number[]> {
  const { rows } = await db.query(
    `UPDATE deal_actions SET status = 'blocked', problems = $3::jsonb, updated_at = $4, finished_at = $4
      WHERE portal_id = $1 AND deal_id = $2 AND status IN ('queued', 'running') RETURNING id`,
    [portalId, dealId, JSON.stringify([problem]), now],
  );
  return rows.map((row) => Number(parseRow('deal_actions', z.object({ id: z.union([z.string(), z.number()]) }), row).id));
}

export interface MovedRecords {
  /** Links now under the survivor. */
  linksMoved: number;
  /** Links the survivor already had one of (kept under the merged deal as history, unlinked, naming the survivor). */
  linksSetAside: Array<{ qboEntityType: string; qboEntityId: string | null }>;
  /** The copies of QBO documents now filed under the survivor. */
  documentsMoved: Array<{ kind: 'invoice' | 'estimate'; qboId: string; docNumber: string | null }>;
  actionsMoved: number;
  /** Open work the survivor already has the same of: ended, with the reason. */
  actionsCancelled: number[];
}

/**
 * Moves what DealBooks holds for `fromDealId` to `toDealId`, inside the caller's transaction: the QBO links (the
 * survivor keeps a link it already has; the merged deal's one of the same kind stays behind, unlinked, saying where
 * it went), the copies of QBO documents, the actions (open work the survivor already has the same of is ended with
 * `duplicateWork`), the sync log, timeline notes and overdue tasks. Idempotent: run twice, the second run moves
 * nothing. The properties DealBooks last wrote on the merged deal are forgotten: it no longer exists to write to.
 */
export async function moveDealRecords(db: Queryable, portalId: number, fromDealId: string, toDealId: string, duplicateWork: Problem, now: Date): Promise<MovedRecords> {
  const setAside = await db.query(
    `UPDATE entity_links old SET status = 'unlinked', details = old.details || jsonb_build_object('mergedInto', $3::text), updated_at = $4
      WHERE old.portal_id = $1 AND old.hubspot_object_type = 'deal' AND old.hubspot_object_id = $2 AND old.status <> 'unlinked'
        AND EXISTS (SELECT 1 FROM entity_links s WHERE s.connection_id = old.connection_id AND s.hubspot_object_type = 'deal'
                     AND s.hubspot_object_id = $3 AND s.qbo_entity_type = old.qbo_entity_type AND s.status <> 'unlinked')
      RETURNING old.qbo_entity_type, old.qbo_entity_id`,
    [portalId, fromDealId, toDealId, now],
  );
  // A history row (unlinked) pointing at a QBO entity the survivor is linked to stays behind: moving it would
  // duplicate the survivor's link in the unique index of QBO entities.
  const moved = await db.query(
    `UPDATE entity_links old SET hubspot_object_id = $3, details = old.details || jsonb_build_object('mergedFrom', $2::text), updated_at = $4
      WHERE old.portal_id = $1 AND old.hubspot_object_type = 'deal' AND old.hubspot_object_id = $2
        AND NOT EXISTS (SELECT 1 FROM entity_links s WHERE s.connection_id = old.connection_id AND s.hubspot_object_type = 'deal'
                         AND s.hubspot_object_id = $3 AND s.qbo_entity_type = old.qbo_entity_type
                         AND (s.status <> 'unlinked' AND old.status <> 'unlinked' OR s.qbo_entity_id = old.qbo_entity_id))
        AND NOT (old.status = 'unlinked' AND old.details ? 'mergedInto')`,
    [portalId, fromDealId, toDealId, now],
  );
  const documents = await db.query(`UPDATE qbo_documents SET deal_id = $3 WHERE portal_id = $1 AND deal_id = $2 RETURNING kind, qbo_id, doc_number`, [
    portalId,
    fromDealId,
    toDealId,
  ]);
  const cancelled = await db.query(
    `UPDATE deal_actions old SET status = 'failed', problems = $4::jsonb, updated_at = $5, finished_at = $5
      WHERE old.portal_id = $1 AND old.deal_id = $2 AND old.status IN ('queued', 'running')
        AND EXISTS (SELECT 1 FROM deal_actions s WHERE s.portal_id = $1 AND s.deal_id = $3 AND s.kind = old.kind AND s.target_id = old.target_id
                     AND s.status IN ('queued', 'running'))
      RETURNING old.id`,
    [portalId, fromDealId, toDealId, JSON.stringify([duplicateWork]), now],
  );
  const actions = await db.query(`UPDATE deal_actions SET deal_id = $3 WHERE portal_id = $1 AND deal_id = $2`, [portalId, fromDealId, toDealId]);
  // The sync log is otherwise never rewritten; a merge only re-files a row under the deal that now stands for it.
  await db.query(
    `UPDATE sync_log SET hubspot_object_id = $3, details = details || jsonb_build_object('mergedFrom', $2::text)
      WHERE portal_id = $1 AND hubspot_object_type = 'deal' AND hubspot_object_id = $2`,
    [portalId, fromDealId, toDealId],
  );
  await db.query(`UPDATE deal_notes SET deal_id = $3 WHERE portal_id = $1 AND deal_id = $2`, [portalId, fromDealId, toDealId]);
  await db.query(`UPDATE overdue_tasks SET deal_id = $3 WHERE portal_id = $1 AND deal_id = $2`, [portalId, fromDealId, toDealId]);
  await db.query(`DELETE FROM deal_written_properties WHERE portal_id = $1 AND deal_id = $2`, [portalId, fromDealId]);
  return {
    linksMoved: moved.rowCount ?? 0,
    linksSetAside: setAside.rows.map((row) => {
      const r = parseRow('entity_links', z.object({ qbo_entity_type: z.string(), qbo_entity_id: z.string().nullable() }), row);
      return { qboEntityType: r.qbo_entity_type, qboEntityId: r.qbo_entity_id };
    }),
    documentsMoved: documents.rows.map((row) => {
      const r = parseRow('qbo_documents', z.object({ kind: z.enum(['invoice', 'estimate']), qbo_id: z.string(), doc_number: z.string().nullable() }), row);
      return { kind: r.kind, qboId: r.qbo_id, docNumber: r.doc_number };
    }),
    actionsMoved: actions.rowCount ?? 0,
    actionsCancelled: cancelled.rows.map((row) => Number(parseRow('deal_actions', z.object({ id: z.union([z.string(), z.number()]) }), row).id)),
  };
}

export interface DocumentNumber {
  kind: 'invoice' | 'estimate';
  qboId: string;
  docNumber: string | null;
  /** False once voided or deleted in QuickBooks. */
  active: boolean;
}

/** The QBO documents DealBooks files under the deal, with their numbers. */
export async function documentNumbers(db: Queryable, portalId: number, dealId: string): Promise<DocumentNumber[]> {
  const { rows } = await db.query(`SELECT kind, qbo_id, doc_number, qbo_state FROM qbo_documents WHERE portal_id = $1 AND deal_id = $2 ORDER BY kind, txn_date, qbo_id`, [
    portalId,
    dealId,
  ]);
  return rows.map((row) => {
    const r = parseRow('qbo_documents', z.object({ kind: z.enum(['invoice', 'estimate']), qbo_id: z.string(), doc_number: z.string().nullable(), qbo_state: z.string() }), row);
    return { kind: r.kind, qboId: r.qbo_id, docNumber: r.doc_number, active: r.qbo_state === 'active' };
  });
}

/** Of these deals, the ones not recorded as merged (into any deal: a merge of merges is recorded hop by hop). */
export async function dealsNotMerged(db: Queryable, portalId: number, dealIds: readonly string[]): Promise<string[]> {
  if (dealIds.length === 0) return [];
  const { rows } = await db.query(`SELECT deal_id FROM deal_lifecycle WHERE portal_id = $1 AND deal_id = ANY($2::text[]) AND state = 'merged'`, [portalId, [...dealIds]]);
  const recorded = new Set(rows.map((row) => parseRow('deal_lifecycle', z.object({ deal_id: z.string() }), row).deal_id));
  return dealIds.filter((id) => !recorded.has(id));
}
