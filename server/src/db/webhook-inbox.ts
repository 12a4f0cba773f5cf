import { z } from 'zod';
import { bigintColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * The webhook inbox: each delivery as received (raw bytes, kept headers, a hash of the body) and each event it held,
 * once per account, de-duplicated on the event's content. Events wait as 'pending' until a job settles them.
 */
export type WebhookSource = 'hubspot' | 'quickbooks';

export interface NewDelivery {
  source: WebhookSource;
  receivedAt: Date;
  headers: Record<string, string>;
  body: Buffer;
  bodySha256: Buffer;
}

export async function insertDelivery(db: Queryable, delivery: NewDelivery): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO webhook_deliveries (source, received_at, headers, body, body_sha256) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [delivery.source, delivery.receivedAt, JSON.stringify(delivery.headers), delivery.body, delivery.bodySha256],
  );
  return parseRow('webhook_deliveries', z.object({ id: bigintColumn }), rows[0]).id;
}

/** A delivery that could not be understood: kept, with the reason a person reads. */
export async function markDeliveryFailed(db: Queryable, deliveryId: number, reason: string, at: Date): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET status = 'failed', error = $2, processed_at = $3 WHERE id = $1`, [deliveryId, reason, at]);
}

export async function markDeliveryProcessed(db: Queryable, deliveryId: number, input: { portalIds: number[]; note: string | null }, at: Date): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET status = 'processed', portal_ids = $2::bigint[], error = $3, processed_at = $4 WHERE id = $1`, [
    deliveryId,
    input.portalIds,
    input.note,
    at,
  ]);
}

/** Which of these HubSpot accounts DealBooks knows (events for any other account are ignored). */
export async function knownPortals(db: Queryable, portalIds: number[]): Promise<Set<number>> {
  if (portalIds.length === 0) return new Set();
  const { rows } = await db.query('SELECT portal_id FROM portals WHERE portal_id = ANY($1::bigint[])', [portalIds]);
  return new Set(rows.map((row) => parseRow('portals', z.object({ portal_id: bigintColumn }), row).portal_id));
}

/** The accounts connected to each QBO company (a realm may be connected to more than one account). */
export async function portalsOfRealms(db: Queryable, realmIds: string[]): Promise<Map<string, number[]>> {
  const byRealm = new Map<string, number[]>();
  if (realmIds.length === 0) return byRealm;
  const { rows } = await db.query(`SELECT realm_id, portal_id FROM qbo_connections WHERE realm_id = ANY($1::text[]) AND status <> 'disconnected'`, [realmIds]);
  for (const row of rows) {
    const r = parseRow('qbo_connections', z.object({ realm_id: z.string(), portal_id: bigintColumn }), row);
    byRealm.set(r.realm_id, [...(byRealm.get(r.realm_id) ?? []), r.portal_id]);
  }
  return byRealm;
}

export interface NewEvent {
  portalId: number;
  dedupeKey: string;
  eventType: string;
  objectType: string | null;
  objectId: string | null;
  occurredAt: Date | null;
  payload: unknown;
  /** Set when the event cannot be used: it is stored as 'failed' with this reason, settled at once. */
  failure: string | null;
}

export interface StoredEventRef {
  portalId: number;
  eventType: string;
  objectType: string | null;
  objectId: string | null;
  /** QuickBooks events: the company (realm) they come from. */
  realmId: string | null;
  failed: boolean;
}

/** Where a QuickBooks event names its company: CloudEvents `intuitaccountid`, legacy `realmId` (quickbooks-payload.ts). */
const REALM_OF_PAYLOAD = `COALESCE(payload->>'intuitaccountid', payload->>'realmId')`;

const storedEventRow = z.object({
  portal_id: bigintColumn,
  event_type: z.string(),
  object_type: z.string().nullable(),
  object_id: z.string().nullable(),
  realm_id: z.string().nullable(),
  status: z.string(),
});

/**
 * Stores the events not seen before (same account, source and content) in one statement; returns the new ones.
 * Every value must already be storable (lib/postgres-text.ts): one refused value would refuse the whole statement.
 */
export async function insertEvents(db: Queryable, input: { deliveryId: number; source: WebhookSource; receivedAt: Date; events: NewEvent[] }): Promise<StoredEventRef[]> {
  if (input.events.length === 0) return [];
  const rows = input.events.map((e) => ({
    portal_id: e.portalId,
    dedupe_key: e.dedupeKey,
    event_type: e.eventType,
    object_type: e.objectType,
    object_id: e.objectId,
    occurred_at: e.occurredAt?.toISOString() ?? null,
    payload: e.payload,
    status: e.failure === null ? 'pending' : 'failed',
    error: e.failure,
  }));
  const inserted = await db.query(
    `INSERT INTO webhook_events (portal_id, delivery_id, source, dedupe_key, event_type, object_type, object_id, occurred_at, payload, received_at, status, error, processed_at)
     SELECT r.portal_id, $1, $2, r.dedupe_key, r.event_type, r.object_type, r.object_id, r.occurred_at, r.payload, $3, r.status, r.error,
            CASE WHEN r.status = 'failed' THEN $3::timestamptz END
       FROM jsonb_to_recordset($4::jsonb)
         AS r(portal_id bigint, dedupe_key text, event_type text, object_type text, object_id text, occurred_at timestamptz, payload jsonb, status text, error text)
     ON CONFLICT (portal_id, source, dedupe_key) DO NOTHING
     RETURNING portal_id, event_type, object_type, object_id, CASE WHEN source = 'quickbooks' THEN ${REALM_OF_PAYLOAD} END AS realm_id, status`,
    [input.deliveryId, input.source, input.receivedAt, JSON.stringify(rows)],
  );
  return inserted.rows.map((row) => {
    const r = parseRow('webhook_events', storedEventRow, row);
    return { portalId: r.portal_id, eventType: r.event_type, objectType: r.object_type, objectId: r.object_id, realmId: r.realm_id, failed: r.status === 'failed' };
  });
}

export interface PendingObjectEvent {
  id: number;
  eventType: string;
  occurredAt: Date | null;
  payload: Record<string, unknown>;
}
export type PendingDealEvent = PendingObjectEvent;

/** A HubSpot record's events still waiting to be handled, with what they say, oldest first. */
export async function pendingObjectEvents(db: Queryable, portalId: number, objectType: 'deal' | 'company' | 'contact', objectId: string): Promise<PendingObjectEvent[]> {
  const { rows } = await db.query(
    `SELECT id, event_type, occurred_at, payload FROM webhook_events
      WHERE portal_id = $1 AND source = 'hubspot' AND object_type = $2 AND object_id = $3 AND status = 'pending'
        -- A privacy deletion is carried out (and settled) by the privacy path, never here.
        AND event_type <> 'contact.privacyDeletion'
      ORDER BY id`,
    [portalId, objectType, objectId],
  );
  return rows.map((row) => {
    const r = parseRow('webhook_events', z.object({ id: bigintColumn, event_type: z.string(), occurred_at: timestampColumn.nullable(), payload: z.unknown() }), row);
    const payload = typeof r.payload === 'object' && r.payload !== null && !Array.isArray(r.payload) ? (r.payload as Record<string, unknown>) : {};
    return { id: r.id, eventType: r.event_type, occurredAt: r.occurred_at, payload };
  });
}

/** A deal's HubSpot events still waiting to be handled, oldest first. */
export function pendingDealEvents(db: Queryable, portalId: number, dealId: string): Promise<PendingDealEvent[]> {
  return pendingObjectEvents(db, portalId, 'deal', dealId);
}

/** Marks pending events handled ('processed') or deliberately not acted on ('ignored'), with a note saying why. */
export async function settleEvents(db: Queryable, eventIds: number[], status: 'processed' | 'ignored', note: string | null, at: Date): Promise<void> {
  await db.query(`UPDATE webhook_events SET status = $2, error = $3, processed_at = $4 WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [eventIds, status, note, at]);
}

/** HubSpot records (deals, companies, contacts) whose events have been pending since before `receivedBefore` (their job was lost), at most `limit`. */
export async function staleHubSpotObjects(db: Queryable, receivedBefore: Date, limit: number): Promise<Array<{ portalId: number; objectType: 'deal' | 'company' | 'contact'; objectId: string }>> {
  const { rows } = await db.query(
    `SELECT DISTINCT portal_id, object_type, object_id FROM webhook_events
      WHERE source = 'hubspot' AND object_type IN ('deal', 'company', 'contact') AND status = 'pending' AND received_at < $1 AND object_id IS NOT NULL
        AND event_type <> 'contact.privacyDeletion'
      LIMIT $2`,
    [receivedBefore, limit],
  );
  return rows.map((row) => {
    const r = parseRow('webhook_events', z.object({ portal_id: bigintColumn, object_type: z.enum(['deal', 'company', 'contact']), object_id: z.string() }), row);
    return { portalId: r.portal_id, objectType: r.object_type, objectId: r.object_id };
  });
}

/** One QBO object of one company, as QuickBooks events name it. */
export interface QboObjectRef {
  portalId: number;
  realmId: string;
  /** The event's object type: the QBO entity in lower case (`invoice`, `payment`, `creditmemo`...). */
  objectType: string;
  objectId: string;
}

export interface PendingQboEvent {
  id: number;
  eventType: string;
  receivedAt: Date;
}

/** The QuickBooks events about one object of one company still waiting to be handled, oldest first. */
export async function pendingQboEvents(db: Queryable, ref: QboObjectRef): Promise<PendingQboEvent[]> {
  const { rows } = await db.query(
    `SELECT id, event_type, received_at FROM webhook_events
      WHERE portal_id = $1 AND source = 'quickbooks' AND object_type = $2 AND object_id = $3 AND status = 'pending' AND ${REALM_OF_PAYLOAD} = $4
      ORDER BY id`,
    [ref.portalId, ref.objectType, ref.objectId, ref.realmId],
  );
  return rows.map((row) => {
    const r = parseRow('webhook_events', z.object({ id: bigintColumn, event_type: z.string(), received_at: timestampColumn }), row);
    return { id: r.id, eventType: r.event_type, receivedAt: r.received_at };
  });
}

/** QuickBooks objects whose events have been pending since before `receivedBefore` (their job was lost), at most `limit`. */
export async function staleQboObjects(db: Queryable, receivedBefore: Date, limit: number): Promise<QboObjectRef[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT portal_id, ${REALM_OF_PAYLOAD} AS realm_id, object_type, object_id FROM webhook_events
      WHERE source = 'quickbooks' AND status = 'pending' AND received_at < $1 AND object_type IS NOT NULL AND object_id IS NOT NULL
      LIMIT $2`,
    [receivedBefore, limit],
  );
  return rows.flatMap((row) => {
    const r = parseRow('webhook_events', z.object({ portal_id: bigintColumn, realm_id: z.string().nullable(), object_type: z.string(), object_id: z.string() }), row);
    return r.realm_id === null ? [] : [{ portalId: r.portal_id, realmId: r.realm_id, objectType: r.object_type, objectId: r.object_id }];
  });
}
