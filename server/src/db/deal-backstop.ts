import { z } from 'zod';
import { bigintColumn, integerColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * The backstop for missed HubSpot webhooks (quote-to-cash/backstop.ts): each account's checkpoint, the accounts to
 * look at, and which found deals DealBooks already knows about.
 */
export interface BackstopCheckpoint {
  portalId: number;
  checkedThrough: Date;
  lastRunAt: Date;
  lastFound: number;
  lastQueued: number;
}

const checkpointRow = z.object({
  portal_id: bigintColumn,
  checked_through: timestampColumn,
  last_run_at: timestampColumn,
  last_found: integerColumn,
  last_queued: integerColumn,
});

export async function readCheckpoint(db: Queryable, portalId: number): Promise<BackstopCheckpoint | null> {
  const { rows } = await db.query('SELECT * FROM deal_backstop_checkpoints WHERE portal_id = $1', [portalId]);
  if (!rows[0]) return null;
  const r = parseRow('deal_backstop_checkpoints', checkpointRow, rows[0]);
  return { portalId: r.portal_id, checkedThrough: r.checked_through, lastRunAt: r.last_run_at, lastFound: r.last_found, lastQueued: r.last_queued };
}

/** Moves the checkpoint on (never back: a slow run that ends after a newer one does not undo its progress). */
export async function saveCheckpoint(db: Queryable, input: { portalId: number; checkedThrough: Date; runAt: Date; found: number; queued: number }): Promise<void> {
  await db.query(
    `INSERT INTO deal_backstop_checkpoints (portal_id, checked_through, last_run_at, last_found, last_queued) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (portal_id) DO UPDATE SET checked_through = GREATEST(deal_backstop_checkpoints.checked_through, EXCLUDED.checked_through),
            last_run_at = EXCLUDED.last_run_at, last_found = EXCLUDED.last_found, last_queued = EXCLUDED.last_queued`,
    [input.portalId, input.checkedThrough, input.runAt, input.found, input.queued],
  );
}

/** The accounts where DealBooks is installed now, with their install date. */
export async function installedPortals(db: Queryable): Promise<Array<{ portalId: number; installedAt: Date }>> {
  const { rows } = await db.query(`SELECT portal_id, installed_at FROM portals WHERE status = 'installed' ORDER BY portal_id`);
  return rows.map((row) => {
    const r = parseRow('portals', z.object({ portal_id: bigintColumn, installed_at: timestampColumn }), row);
    return { portalId: r.portal_id, installedAt: r.installed_at };
  });
}

/**
 * Of these deals, the ones DealBooks has heard of: an invoice or estimate action was ever opened for it, it has a
 * linked invoice or estimate, or a HubSpot event of it waits to be handled. The backstop leaves those alone: their
 * work is done, refused for a reason a person sees on the card, or about to run.
 */
export async function dealsDealBooksKnows(db: Queryable, portalId: number, dealIds: string[]): Promise<Set<string>> {
  if (dealIds.length === 0) return new Set();
  const { rows } = await db.query(
    `SELECT deal_id FROM deal_actions WHERE portal_id = $1 AND deal_id = ANY($2::text[]) AND kind IN ('invoice', 'estimate')
     UNION
     SELECT hubspot_object_id FROM entity_links
      WHERE portal_id = $1 AND hubspot_object_type = 'deal' AND hubspot_object_id = ANY($2::text[]) AND qbo_entity_type IN ('Invoice', 'Estimate') AND status = 'linked'
     UNION
     SELECT object_id FROM webhook_events
      WHERE portal_id = $1 AND source = 'hubspot' AND object_type = 'deal' AND object_id = ANY($2::text[]) AND status = 'pending'`,
    [portalId, dealIds],
  );
  return new Set(rows.map((row) => parseRow('deal_actions', z.object({ deal_id: z.string() }), row).deal_id));
}
