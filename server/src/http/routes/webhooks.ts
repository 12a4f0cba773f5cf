import { createHash } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../../clock';
import type { Config } from '../../config';
import { AppError, ServiceUnavailableError, UnauthorizedError } from '../../errors';
import type { Logger } from '../../logger';
import { verifyIntuitSignature } from '../../security/intuit-signature';
import { verifyHubSpotRequest } from '../hubspot-auth';

/**
 * The webhook inbox. A delivery is verified on its raw bytes (forged or stale: 401, nothing stored), stored as
 * received, then taken apart into one `webhook_events` row per event and account, de-duplicated on the event's
 * content (both services re-deliver, and HubSpot's eventId is not unique). Events stay 'pending' for the sync
 * engine. A delivery that cannot be understood is kept as 'failed' with the reason and answered 200: the sender's
 * retry would bring the same bytes, so only a person can help. The answer comes quickly (HubSpot waits 5 s,
 * Intuit 3 s) because nothing here calls out.
 */

export interface WebhookRoutesDeps {
  config: Config;
  clock: Clock;
  pool: pg.Pool;
  logger: Logger;
  /** A HubSpot contact was deleted for a privacy request: delete what DealBooks holds about it. Must be idempotent. */
  onPrivacyDeletion: (portalId: number, contactId: string) => Promise<void>;
  /** New deal events are stored: queue the work on each deal (must not throw; stored events are swept up anyway). */
  onDealEvents?: (events: Array<{ portalId: number; dealId: string }>) => Promise<void>;
}

type Source = 'hubspot' | 'quickbooks';

/** One event of a delivery, before its account is known. */
interface InboxEvent {
  /** HubSpot: the portal id it names. QuickBooks: the realm id, resolved through qbo_connections. */
  account: { portalId: number } | { realmId: string };
  dedupeKey: string;
  eventType: string;
  objectType: string | null;
  objectId: string | null;
  occurredAt: Date | null;
  payload: unknown;
  privacyDeletion: boolean;
}

/** Headers worth keeping with a delivery (diagnosis, ordering). Signature headers are never stored. */
const KEPT_HEADERS = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'x-hubspot-request-timestamp',
  'x-hubspot-signature-version',
  'intuit-created-time',
  'intuit-t-id',
]);
const SIGNATURE_HEADERS = new Set(['x-hubspot-signature', 'x-hubspot-signature-v3', 'intuit-signature']);

function keptHeaders(req: Request): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (SIGNATURE_HEADERS.has(name) || typeof value !== 'string') continue;
    if (KEPT_HEADERS.has(name) || name.startsWith('ce-')) kept[name] = value;
  }
  return kept;
}

function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function dedupeKey(content: unknown): string {
  return sha256(canonicalJson(content)).toString('hex');
}

function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`);
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '';
  return `${shown.join('; ')}${more}`;
}

/** A delivery that cannot be taken apart; the message says why, in words, for the person who looks at it. */
class MalformedDelivery extends Error {}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new MalformedDelivery(`The body is not valid JSON (${(err as Error).message}).`);
  }
}

function toDate(value: number | string | undefined): Date | null {
  if (value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

// ---------------------------------------------------------------- HubSpot

const numericId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'expected a numeric id')]);

const hubspotEventSchema = z
  .looseObject({
    eventId: numericId.optional(),
    subscriptionId: numericId.optional(),
    portalId: z
      .union([z.number().int().positive(), z.string().regex(/^[1-9]\d*$/, 'expected a numeric id').transform(Number)])
      .refine(Number.isSafeInteger, 'expected a HubSpot account id'),
    appId: numericId.optional(),
    occurredAt: z.number().optional(),
    subscriptionType: z.string().min(1),
    attemptNumber: z.number().int().optional(),
    objectId: numericId.optional(),
    objectTypeId: z.string().optional(),
  })
  .refine((e) => e.subscriptionType !== 'contact.privacyDeletion' || e.objectId !== undefined, {
    message: 'a contact.privacyDeletion event must name the contact (objectId)',
    path: ['objectId'],
  });
const hubspotBodySchema = z.array(hubspotEventSchema, { message: 'expected a JSON array of HubSpot events' });

/** HubSpot's object type ids (reference "CRM API v3") as DealBooks names the objects. */
const HUBSPOT_OBJECT_TYPES: Readonly<Record<string, string>> = {
  '0-1': 'contact',
  '0-2': 'company',
  '0-3': 'deal',
  '0-7': 'product',
  '0-8': 'line_item',
};

function hubspotObjectType(event: z.infer<typeof hubspotEventSchema>): string | null {
  if (event.objectTypeId) return HUBSPOT_OBJECT_TYPES[event.objectTypeId] ?? event.objectTypeId;
  // Legacy and hub events name the object in the subscription type: contact.privacyDeletion, deal.propertyChange.
  const prefix = event.subscriptionType.split('.')[0];
  return prefix && prefix !== 'object' && event.subscriptionType.includes('.') ? prefix : null;
}

function parseHubSpotDelivery(body: Buffer): InboxEvent[] {
  const json = parseJson(body);
  const parsed = hubspotBodySchema.safeParse(json);
  if (!parsed.success) throw new MalformedDelivery(`The body is not a HubSpot webhook batch: ${describeIssues(parsed.error)}.`);
  const raw = json as Array<Record<string, unknown>>;
  return parsed.data.map((event, i) => {
    // attemptNumber changes with every retry of the same event; everything else (eventId included) is content.
    const { attemptNumber: _attempt, ...content } = raw[i]!;
    return {
      account: { portalId: event.portalId },
      dedupeKey: dedupeKey(content),
      eventType: event.subscriptionType,
      objectType: hubspotObjectType(event),
      objectId: event.objectId === undefined ? null : String(event.objectId),
      occurredAt: toDate(event.occurredAt),
      payload: raw[i],
      privacyDeletion: event.subscriptionType === 'contact.privacyDeletion',
    };
  });
}

// ---------------------------------------------------------------- QuickBooks

const qboId = z.union([z.string().min(1), z.number()]).transform(String);

/** `qbo.<entity>.<verb>.v<n>`; only `created` is attested, the other verbs follow the pattern (reference). */
const CLOUDEVENT_TYPE = /^qbo\.([A-Za-z0-9_]+)\.([A-Za-z_]+)\.v\d+$/;

const cloudEventSchema = z.looseObject({
  specversion: z.string().optional(),
  id: z.string().min(1),
  type: z.string().regex(CLOUDEVENT_TYPE, 'expected a type like qbo.invoice.created.v1'),
  time: z.string().optional(),
  intuitentityid: qboId,
  intuitaccountid: qboId,
});
const cloudEventsBodySchema = z.array(cloudEventSchema);

const legacyBodySchema = z.looseObject({
  eventNotifications: z.array(
    z.looseObject({
      realmId: qboId,
      dataChangeEvent: z.looseObject({
        entities: z.array(
          z.looseObject({
            name: z.string().min(1),
            id: qboId,
            operation: z.string().min(1),
            lastUpdated: z.string().optional(),
          }),
        ),
      }),
    }),
  ),
});

/**
 * Legacy operations in the CloudEvents vocabulary, so the sync engine reads one kind of event type. Void, Emailed
 * and Merge have no attested CloudEvents verb (reference "Not confirmed"); these follow the pattern.
 */
const LEGACY_VERBS: Readonly<Record<string, string>> = {
  Create: 'created',
  Update: 'updated',
  Delete: 'deleted',
  Void: 'voided',
  Emailed: 'emailed',
  Merge: 'merged',
};

function parseQuickbooksDelivery(body: Buffer): InboxEvent[] {
  const json = parseJson(body);
  if (Array.isArray(json)) {
    const parsed = cloudEventsBodySchema.safeParse(json);
    if (!parsed.success) throw new MalformedDelivery(`The body is not a QuickBooks CloudEvents batch: ${describeIssues(parsed.error)}.`);
    return parsed.data.map((event, i) => {
      const [, entity = '', verb = ''] = CLOUDEVENT_TYPE.exec(event.type) ?? [];
      return {
        account: { realmId: event.intuitaccountid },
        // `id` identifies the event; a redelivery repeats it, and the rest pins it down should an id ever repeat.
        dedupeKey: dedupeKey({ realm: event.intuitaccountid, type: event.type, entity: event.intuitentityid, time: event.time ?? null, id: event.id }),
        eventType: `qbo.${entity.toLowerCase()}.${verb.toLowerCase()}.v1`,
        objectType: entity.toLowerCase(),
        objectId: event.intuitentityid,
        occurredAt: toDate(event.time),
        payload: json[i],
        privacyDeletion: false,
      };
    });
  }
  if (json !== null && typeof json === 'object' && 'eventNotifications' in json) {
    const parsed = legacyBodySchema.safeParse(json);
    if (!parsed.success) throw new MalformedDelivery(`The body is not a QuickBooks eventNotifications payload: ${describeIssues(parsed.error)}.`);
    return parsed.data.eventNotifications.flatMap((notification) =>
      notification.dataChangeEvent.entities.map((entity): InboxEvent => {
        const verb = LEGACY_VERBS[entity.operation] ?? entity.operation.toLowerCase();
        return {
          account: { realmId: notification.realmId },
          dedupeKey: dedupeKey({ realm: notification.realmId, name: entity.name, id: entity.id, operation: entity.operation, lastUpdated: entity.lastUpdated ?? null }),
          eventType: `qbo.${entity.name.toLowerCase()}.${verb}.v1`,
          objectType: entity.name.toLowerCase(),
          objectId: entity.id,
          occurredAt: toDate(entity.lastUpdated),
          payload: { realmId: notification.realmId, ...entity },
          privacyDeletion: false,
        };
      }),
    );
  }
  throw new MalformedDelivery('The body is neither a QuickBooks CloudEvents array nor an {"eventNotifications": [...]} payload.');
}

// ---------------------------------------------------------------- storage

async function storeDelivery(pool: pg.Pool, source: Source, req: Request, body: Buffer, receivedAt: Date): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (source, received_at, headers, body, body_sha256) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [source, receivedAt, JSON.stringify(keptHeaders(req)), body, sha256(body)],
  );
  return Number(rows[0]!.id);
}

async function markFailed(pool: pg.Pool, deliveryId: number, reason: string, at: Date): Promise<void> {
  await pool.query(`UPDATE webhook_deliveries SET status = 'failed', error = $2, processed_at = $3 WHERE id = $1`, [deliveryId, reason, at]);
}

/** The portal ids each event belongs to (a QBO realm may be connected to more than one account). */
async function resolveAccounts(client: pg.PoolClient, events: InboxEvent[]): Promise<Array<number[]>> {
  const portalIds = [...new Set(events.flatMap((e) => ('portalId' in e.account ? [e.account.portalId] : [])))];
  const realmIds = [...new Set(events.flatMap((e) => ('realmId' in e.account ? [e.account.realmId] : [])))];
  const knownPortals = new Set<number>();
  const portalsOfRealm = new Map<string, number[]>();
  if (portalIds.length > 0) {
    const { rows } = await client.query<{ portal_id: string }>('SELECT portal_id FROM portals WHERE portal_id = ANY($1::bigint[])', [portalIds]);
    for (const row of rows) knownPortals.add(Number(row.portal_id));
  }
  if (realmIds.length > 0) {
    const { rows } = await client.query<{ realm_id: string; portal_id: string }>(
      `SELECT realm_id, portal_id FROM qbo_connections WHERE realm_id = ANY($1::text[]) AND status <> 'disconnected'`,
      [realmIds],
    );
    for (const row of rows) portalsOfRealm.set(row.realm_id, [...(portalsOfRealm.get(row.realm_id) ?? []), Number(row.portal_id)]);
  }
  return events.map((e) =>
    'portalId' in e.account ? (knownPortals.has(e.account.portalId) ? [e.account.portalId] : []) : (portalsOfRealm.get(e.account.realmId) ?? []),
  );
}

interface Outcome {
  received: number;
  stored: number;
  duplicates: number;
  ignored: number;
  portalIds: number[];
  /** Privacy deletions to carry out, new or re-delivered alike (see below). */
  privacyDeletions: Array<{ portalId: number; contactId: string }>;
  /** Deals with newly stored events. */
  dealEvents: Array<{ portalId: number; dealId: string }>;
}

function unknownAccountsNote(source: Source, events: InboxEvent[], owners: number[][]): string | null {
  const unknown = new Set<string>();
  events.forEach((e, i) => {
    if (owners[i]!.length === 0) unknown.add('portalId' in e.account ? String(e.account.portalId) : e.account.realmId);
  });
  if (unknown.size === 0) return null;
  const count = owners.filter((o) => o.length === 0).length;
  const what = source === 'hubspot' ? 'HubSpot accounts where DealBooks is not installed' : 'QuickBooks companies no account has connected';
  return `${count} event(s) ignored: they belong to ${what} (${[...unknown].join(', ')}).`;
}

async function storeEvents(pool: pg.Pool, source: Source, deliveryId: number, events: InboxEvent[], now: Date): Promise<Outcome> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const owners = await resolveAccounts(client, events);
    const rows = events.flatMap((e, i) =>
      owners[i]!.map((portalId) => ({
        portal_id: portalId,
        dedupe_key: e.dedupeKey,
        event_type: e.eventType,
        object_type: e.objectType,
        object_id: e.objectId,
        occurred_at: e.occurredAt?.toISOString() ?? null,
        payload: e.payload,
      })),
    );
    let stored = 0;
    const dealEvents: Outcome['dealEvents'] = [];
    if (rows.length > 0) {
      const inserted = await client.query(
        `INSERT INTO webhook_events (portal_id, delivery_id, source, dedupe_key, event_type, object_type, object_id, occurred_at, payload, received_at)
         SELECT r.portal_id, $1, $2, r.dedupe_key, r.event_type, r.object_type, r.object_id, r.occurred_at, r.payload, $3
           FROM jsonb_to_recordset($4::jsonb)
             AS r(portal_id bigint, dedupe_key text, event_type text, object_type text, object_id text, occurred_at timestamptz, payload jsonb)
         ON CONFLICT (portal_id, source, dedupe_key) DO NOTHING
         RETURNING portal_id, object_type, object_id`,
        [deliveryId, source, now, JSON.stringify(rows)],
      );
      stored = inserted.rowCount ?? 0;
      if (source === 'hubspot') {
        for (const r of inserted.rows as Array<{ portal_id: string; object_type: string | null; object_id: string | null }>) {
          if (r.object_type === 'deal' && r.object_id) dealEvents.push({ portalId: Number(r.portal_id), dealId: r.object_id });
        }
      }
    }
    const portalIds = [...new Set(owners.flat())].sort((a, b) => a - b);
    await client.query(
      `UPDATE webhook_deliveries SET status = 'processed', portal_ids = $2::bigint[], error = $3, processed_at = $4 WHERE id = $1`,
      [deliveryId, portalIds, unknownAccountsNote(source, events, owners), now],
    );
    await client.query('COMMIT');
    return {
      received: events.length,
      stored,
      duplicates: rows.length - stored,
      ignored: owners.filter((o) => o.length === 0).length,
      portalIds,
      privacyDeletions: events.flatMap((e, i) => (e.privacyDeletion && e.objectId ? owners[i]!.map((portalId) => ({ portalId, contactId: e.objectId! })) : [])),
      dealEvents,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

// ---------------------------------------------------------------- routes

function rawBodyOf(req: Request): Buffer {
  if (Buffer.isBuffer(req.body)) return req.body;
  return req.rawBody ?? Buffer.alloc(0);
}

export function webhookRoutes(deps: WebhookRoutesDeps): express.Router {
  const router = express.Router();
  const logger = deps.logger.child({ component: 'webhooks' });
  // Raw bytes for these routes: signatures are over the exact body, and a malformed body must reach the handler.
  const raw = express.raw({ type: () => true, limit: '2mb' });

  async function receive(source: Source, req: Request, res: Response, verify: (body: Buffer) => void, parse: (body: Buffer) => InboxEvent[]) {
    const body = rawBodyOf(req);
    try {
      verify(body);
    } catch (err) {
      // The reason only: never the signature, the body or the secret.
      if (err instanceof AppError) logger.warn({ source, status: err.status, reason: err.message }, 'webhook delivery refused');
      throw err;
    }
    const now = deps.clock.now();
    const deliveryId = await storeDelivery(deps.pool, source, req, body, now);
    let events: InboxEvent[];
    try {
      events = parse(body);
    } catch (err) {
      if (!(err instanceof MalformedDelivery)) throw err;
      await markFailed(deps.pool, deliveryId, err.message, now);
      logger.warn({ source, deliveryId, reason: err.message }, 'webhook delivery kept as failed: it cannot be understood');
      res.status(200).json({ received: true, stored: 'failed', reason: err.message });
      return;
    }
    const outcome = await storeEvents(deps.pool, source, deliveryId, events, now);
    logger.info(
      { source, deliveryId, portalIds: outcome.portalIds, received: outcome.received, stored: outcome.stored, duplicates: outcome.duplicates, ignored: outcome.ignored },
      'webhook delivery stored',
    );
    // Called for re-delivered events too: if an earlier attempt stored the event but the deletion failed (and the
    // sender retried because of our 5xx), the retry must still delete. The deletion itself is idempotent.
    for (const { portalId, contactId } of outcome.privacyDeletions) {
      logger.info({ source, deliveryId, portalId }, 'contact privacy deletion requested');
      await deps.onPrivacyDeletion(portalId, contactId);
    }
    if (outcome.dealEvents.length > 0 && deps.onDealEvents) await deps.onDealEvents(outcome.dealEvents);
    res.status(200).json({ received: outcome.received, stored: outcome.stored, duplicates: outcome.duplicates, ignored: outcome.ignored });
  }

  router.post('/webhooks/hubspot', raw, (req, res) =>
    receive(
      'hubspot',
      req,
      res,
      (body) => {
        verifyHubSpotRequest(req, {
          clientSecret: deps.config.hubspot.clientSecret,
          publicBaseUrl: deps.config.publicBaseUrl,
          rawBody: body,
          nowMs: deps.clock.now().getTime(),
        });
      },
      parseHubSpotDelivery,
    ),
  );

  router.post('/webhooks/quickbooks', raw, (req, res) =>
    receive(
      'quickbooks',
      req,
      res,
      (body) => {
        const token = deps.config.quickbooks.webhookVerifierToken;
        if (!token) throw new ServiceUnavailableError('QuickBooks webhooks cannot be verified: QBO_WEBHOOK_VERIFIER_TOKEN is not configured.');
        const signature = req.headers['intuit-signature'];
        if (typeof signature !== 'string' || signature === '') throw new UnauthorizedError('missing intuit-signature');
        if (!verifyIntuitSignature(token, body, signature)) throw new UnauthorizedError('invalid intuit-signature');
      },
      parseQuickbooksDelivery,
    ),
  );

  return router;
}
