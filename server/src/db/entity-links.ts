import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { bigintColumn, integerColumn, jsonObjectColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * Links between a HubSpot object and a QBO entity, one per (connection, object, entity type) while not unlinked.
 * A link is created 'pending' with its QBO request id before anything is written to QBO, and every retry of that
 * write reuses the id (QuickBooks replays the first answer to a repeated `requestid` instead of writing twice): that,
 * and looking for the document before writing again, is what makes a write happen once.
 */
export type HubSpotObjectType = 'deal' | 'company' | 'contact' | 'product' | 'line_item';
export type QboEntityType = 'Customer' | 'Item' | 'Invoice' | 'Estimate';
export type LinkStatus = 'pending' | 'linked' | 'needs_review' | 'failed' | 'unlinked';
export type MatchMethod = 'existing' | 'email' | 'name' | 'fuzzy' | 'sku' | 'created' | 'manual';

export interface EntityLink {
  id: number;
  portalId: number;
  connectionId: number;
  hubspotObjectType: HubSpotObjectType;
  hubspotObjectId: string;
  qboEntityType: QboEntityType;
  qboEntityId: string | null;
  requestId: string;
  status: LinkStatus;
  matchMethod: MatchMethod | null;
  matchScore: number | null;
  attempts: number;
  /** What the link's attempts recorded (request facts, candidates, a person's decision); read with care. */
  details: Record<string, unknown>;
  updatedAt: string;
}

const linkRow = z.object({
  id: bigintColumn,
  portal_id: bigintColumn,
  connection_id: bigintColumn,
  hubspot_object_type: z.enum(['deal', 'company', 'contact', 'product', 'line_item']),
  hubspot_object_id: z.string(),
  qbo_entity_type: z.enum(['Customer', 'Item', 'Invoice', 'Estimate']),
  qbo_entity_id: z.string().nullable(),
  qbo_request_id: z.string(),
  status: z.enum(['pending', 'linked', 'needs_review', 'failed', 'unlinked']),
  match_method: z.enum(['existing', 'email', 'name', 'fuzzy', 'sku', 'created', 'manual']).nullable(),
  match_score: z.union([z.string(), z.number()]).nullable().transform((v) => (v === null ? null : Number(v))),
  attempts: integerColumn,
  details: jsonObjectColumn.nullable().transform((v) => v ?? {}),
  updated_at: timestampColumn,
});

function toLink(row: unknown): EntityLink {
  const r = parseRow('entity_links', linkRow, row);
  return {
    id: r.id,
    portalId: r.portal_id,
    connectionId: r.connection_id,
    hubspotObjectType: r.hubspot_object_type,
    hubspotObjectId: r.hubspot_object_id,
    qboEntityType: r.qbo_entity_type,
    qboEntityId: r.qbo_entity_id,
    requestId: r.qbo_request_id,
    status: r.status,
    matchMethod: r.match_method,
    matchScore: r.match_score,
    attempts: r.attempts,
    details: r.details as EntityLink['details'],
    updatedAt: r.updated_at.toISOString(),
  };
}

type Db = Queryable;

export async function findLink(db: Db, connectionId: number, type: HubSpotObjectType, id: string, qboType: QboEntityType): Promise<EntityLink | null> {
  const { rows } = await db.query(
    `SELECT * FROM entity_links WHERE connection_id = $1 AND hubspot_object_type = $2 AND hubspot_object_id = $3 AND qbo_entity_type = $4 AND status <> 'unlinked'`,
    [connectionId, type, id, qboType],
  );
  return rows[0] ? toLink(rows[0]) : null;
}

export async function linksOfObjects(db: Db, connectionId: number, type: HubSpotObjectType, ids: string[], qboType: QboEntityType): Promise<Map<string, EntityLink>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query(
    `SELECT * FROM entity_links WHERE connection_id = $1 AND hubspot_object_type = $2 AND hubspot_object_id = ANY($3::text[]) AND qbo_entity_type = $4 AND status <> 'unlinked'`,
    [connectionId, type, ids, qboType],
  );
  return new Map(rows.map((r) => { const link = toLink(r); return [link.hubspotObjectId, link] as const; }));
}

/** The link, created 'pending' with a fresh request id if there is none yet (racing callers get the same row). */
export async function ensureLink(
  db: Db,
  input: { portalId: number; connectionId: number; type: HubSpotObjectType; id: string; qboType: QboEntityType },
  now: Date,
): Promise<EntityLink> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await findLink(db, input.connectionId, input.type, input.id, input.qboType);
    if (existing) return existing;
    await db.query(
      `INSERT INTO entity_links (portal_id, connection_id, hubspot_object_type, hubspot_object_id, qbo_entity_type, qbo_request_id, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)
       ON CONFLICT (connection_id, hubspot_object_type, hubspot_object_id, qbo_entity_type) WHERE status <> 'unlinked' DO NOTHING`,
      [input.portalId, input.connectionId, input.type, input.id, input.qboType, randomUUID(), now],
    );
  }
  throw new Error('could not create the link (it kept changing concurrently)');
}

/** Records one more write attempt (and facts needed to find its result again) before the QBO call. */
export async function noteAttempt(db: Db, linkId: number, details: Record<string, unknown>, now: Date): Promise<void> {
  await db.query(`UPDATE entity_links SET attempts = attempts + 1, details = details || $2::jsonb, updated_at = $3 WHERE id = $1`, [linkId, JSON.stringify(details), now]);
}

export async function markLinked(
  db: Db,
  linkId: number,
  input: { qboEntityId: string; method: MatchMethod; score?: number | null; syncToken?: string | null; details?: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE entity_links SET status = 'linked', qbo_entity_id = $2, match_method = $3, match_score = $4, qbo_sync_token = $5,
            details = details || $6::jsonb, last_synced_at = $7, updated_at = $7
      WHERE id = $1`,
    [linkId, input.qboEntityId, input.method, input.score ?? null, input.syncToken ?? null, JSON.stringify(input.details ?? {}), now],
  );
}

export async function markNeedsReview(db: Db, linkId: number, details: Record<string, unknown>, now: Date): Promise<void> {
  await db.query(`UPDATE entity_links SET status = 'needs_review', details = details || $2::jsonb, updated_at = $3 WHERE id = $1`, [linkId, JSON.stringify(details), now]);
}

export async function mergeDetails(db: Db, linkId: number, details: Record<string, unknown>, now: Date): Promise<void> {
  await db.query(`UPDATE entity_links SET details = details || $2::jsonb, updated_at = $3 WHERE id = $1`, [linkId, JSON.stringify(details), now]);
}

/**
 * QBO refused the write outright (a validation fault: nothing was created). The link takes a fresh request id, so the
 * next attempt is a new write rather than a replay of the refusal, and reads 'failed' until it succeeds.
 */
export async function markRejected(db: Db, linkId: number, reason: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE entity_links SET status = 'failed', qbo_request_id = $2, attempts = 0, details = details || $3::jsonb, updated_at = $4 WHERE id = $1 AND status <> 'linked'`,
    [linkId, randomUUID(), JSON.stringify({ rejected: reason }), now],
  );
}

/**
 * A person chose "none of these: create a new customer" for a deal whose customer awaited confirmation: the link
 * goes back to pending with that decision, and the next attempt creates the customer.
 */
export async function decideNewCustomer(db: Db, linkId: number, confirmedBy: number | null, now: Date): Promise<void> {
  await db.query(`UPDATE entity_links SET status = 'pending', details = details || $2::jsonb, updated_at = $3 WHERE id = $1`, [
    linkId,
    JSON.stringify({ decision: 'create', candidates: null, confirmedBy }),
    now,
  ]);
}

/** A person chose to reactivate an inactive QBO customer for the deal; the next attempt does it (a QBO write). */
export async function decideReactivateCustomer(db: Db, linkId: number, customerId: string, confirmedBy: number | null, now: Date): Promise<void> {
  await db.query(`UPDATE entity_links SET status = 'pending', details = details || $2::jsonb, updated_at = $3 WHERE id = $1`, [
    linkId,
    JSON.stringify({ decision: 'reactivate', reactivateId: customerId, candidates: null, confirmedBy }),
    now,
  ]);
}

/**
 * Sets a link to a chosen QBO entity (a person confirmed the customer, or mapped a product): replaces whatever the
 * object was linked to before.
 */
export async function setManualLink(
  db: Db,
  input: { portalId: number; connectionId: number; type: HubSpotObjectType; id: string; qboType: QboEntityType; qboEntityId: string; details?: Record<string, unknown> },
  now: Date,
): Promise<EntityLink> {
  const link = await ensureLink(db, input, now);
  await markLinked(db, link.id, { qboEntityId: input.qboEntityId, method: 'manual', score: 1, details: { candidates: null, ...input.details } }, now);
  return (await findLink(db, input.connectionId, input.type, input.id, input.qboType))!;
}

/**
 * A person rejected one QBO customer proposed for the link's object: it leaves the candidates and joins
 * `rejectedCandidateIds`, in one statement, so two rejections at once both count. Only a link still awaiting review
 * changes; null when it no longer does (someone decided in the meantime).
 */
export async function rejectCandidate(db: Db, linkId: number, customerId: string, now: Date): Promise<EntityLink | null> {
  const { rows } = await db.query(
    `UPDATE entity_links
        SET details = details || jsonb_build_object(
              'candidates', COALESCE((SELECT jsonb_agg(c) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(details->'candidates') = 'array' THEN details->'candidates' ELSE '[]'::jsonb END) c WHERE c->>'id' IS DISTINCT FROM $2), '[]'::jsonb),
              'rejectedCandidateIds', (SELECT COALESCE(jsonb_agg(DISTINCT r), '[]'::jsonb) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(details->'rejectedCandidateIds') = 'array' THEN details->'rejectedCandidateIds' ELSE '[]'::jsonb END || to_jsonb($2::text)) r)),
            updated_at = $3
      WHERE id = $1 AND status = 'needs_review'
      RETURNING *`,
    [linkId, customerId, now],
  );
  return rows[0] ? toLink(rows[0]) : null;
}

/** Links awaiting a person's confirmation (the customer review list), newest first. */
export async function linksNeedingReview(db: Db, portalId: number, limit = 100): Promise<EntityLink[]> {
  const { rows } = await db.query(`SELECT * FROM entity_links WHERE portal_id = $1 AND status = 'needs_review' ORDER BY updated_at DESC LIMIT $2`, [portalId, limit]);
  return rows.map(toLink);
}

export async function linksOfType(db: Db, connectionId: number, type: HubSpotObjectType, qboType: QboEntityType): Promise<EntityLink[]> {
  const { rows } = await db.query(
    `SELECT * FROM entity_links WHERE connection_id = $1 AND hubspot_object_type = $2 AND qbo_entity_type = $3 AND status <> 'unlinked' ORDER BY id`,
    [connectionId, type, qboType],
  );
  return rows.map(toLink);
}

/**
 * The deal links that point at this QBO document are set 'unlinked' (kept as history, with why): the document was
 * voided or deleted in QuickBooks, so it no longer counts as the deal's, and the deal may get a new one with a fresh
 * request id. Only links to exactly this document change, so a late notice about an old document never unlinks the
 * newer one. Returns the deals that were unlinked.
 */
export async function unlinkDocument(db: Db, connectionId: number, qboType: 'Invoice' | 'Estimate', qboId: string, reason: string, now: Date): Promise<string[]> {
  const { rows } = await db.query(
    `UPDATE entity_links SET status = 'unlinked', details = details || $4::jsonb, updated_at = $5
      WHERE connection_id = $1 AND qbo_entity_type = $2 AND qbo_entity_id = $3 AND hubspot_object_type = 'deal' AND status <> 'unlinked'
      RETURNING hubspot_object_id`,
    [connectionId, qboType, qboId, JSON.stringify({ unlinked: reason }), now],
  );
  return rows.map((row) => parseRow('entity_links', z.object({ hubspot_object_id: z.string() }), row).hubspot_object_id);
}

/** The HubSpot objects (type and id) linked to this QBO entity now. */
export async function objectsLinkedTo(db: Db, connectionId: number, qboType: QboEntityType, qboId: string): Promise<Array<{ type: HubSpotObjectType; id: string }>> {
  const { rows } = await db.query(
    `SELECT hubspot_object_type, hubspot_object_id FROM entity_links WHERE connection_id = $1 AND qbo_entity_type = $2 AND qbo_entity_id = $3 AND status = 'linked' ORDER BY id`,
    [connectionId, qboType, qboId],
  );
  return rows.map((row) => {
    const r = parseRow('entity_links', z.object({ hubspot_object_type: linkRow.shape.hubspot_object_type, hubspot_object_id: z.string() }), row);
    return { type: r.hubspot_object_type, id: r.hubspot_object_id };
  });
}
