import type pg from 'pg';
import type { Clock } from '../clock';
import { withTransaction } from '../db/transaction';
import { insertDelivery, insertEvents, knownPortals, markDeliveryFailed, markDeliveryProcessed, portalsOfRealms, type QboObjectRef, type WebhookSource } from '../db/webhook-inbox';
import { storableText } from '../lib/postgres-text';
import type { Logger } from '../logger';
import { parseHubSpotDelivery } from './hubspot-payload';
import { MalformedDelivery, sha256, type InboxEvent, type ParsedDelivery } from './inbox-event';
import { parseQuickbooksDelivery } from './quickbooks-payload';

/**
 * Taking in a verified webhook delivery. It is stored as received before anything else, then taken apart into one
 * event row per event and account, de-duplicated on the event's content (both services re-deliver). A delivery that
 * cannot be understood is kept as 'failed' with the reason and still answered 200: the sender's retry would bring
 * the same bytes, so only a person can help. The same holds for each event: one that cannot be understood or
 * stored is kept as failed with its reason (in the delivery's note, or as a failed event), and the rest of the batch
 * is stored. Nothing here calls HubSpot or QuickBooks, so the answer comes well
 * inside the senders' patience (HubSpot waits 5 s, Intuit 3 s). What the events lead to is queued by the caller's
 * hooks after the events are committed.
 */
export interface ReceiveDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  /** A HubSpot contact was deleted for a privacy request: delete what DealBooks holds about it. Must be idempotent. */
  onPrivacyDeletion: (portalId: number, contactId: string) => Promise<void>;
  /** New deal events are stored: queue the work on each deal (must not throw; stored events are swept up anyway). */
  onDealEvents?: (events: Array<{ portalId: number; dealId: string }>) => Promise<void>;
  /** New company or contact events are stored: queue the work on each record (must not throw, as onDealEvents). */
  onPartyEvents?: (events: Array<{ portalId: number; objectType: 'company' | 'contact'; objectId: string }>) => Promise<void>;
  /** New QuickBooks events are stored: queue the work on each object they name (must not throw, as onDealEvents). */
  onQuickbooksEvents?: (objects: QboObjectRef[]) => Promise<void>;
}

export type ReceiveOutcome =
  | { kind: 'failed'; reason: string }
  | { kind: 'stored'; received: number; stored: number; duplicates: number; ignored: number; failed: number };

/** Headers worth keeping with a delivery (diagnosis, ordering). Signature headers are never stored. */
const KEPT_HEADERS = new Set(['content-type', 'content-length', 'user-agent', 'x-hubspot-request-timestamp', 'x-hubspot-signature-version', 'intuit-created-time', 'intuit-t-id']);
const SIGNATURE_HEADERS = new Set(['x-hubspot-signature', 'x-hubspot-signature-v3', 'intuit-signature']);

function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (SIGNATURE_HEADERS.has(name) || typeof value !== 'string') continue;
    if (KEPT_HEADERS.has(name) || name.startsWith('ce-')) kept[name] = value;
  }
  return kept;
}

const PARSERS: Record<WebhookSource, (body: Buffer) => ParsedDelivery> = { hubspot: parseHubSpotDelivery, quickbooks: parseQuickbooksDelivery };

interface StoredOutcome {
  received: number;
  stored: number;
  duplicates: number;
  ignored: number;
  failed: number;
  portalIds: number[];
  /** Privacy deletions to carry out, new or re-delivered alike (see receiveDelivery). */
  privacyDeletions: Array<{ portalId: number; contactId: string }>;
  /** Deals with newly stored events. */
  dealEvents: Array<{ portalId: number; dealId: string }>;
  /** Companies and contacts with newly stored events (a privacy deletion is carried out on its own). */
  partyEvents: Array<{ portalId: number; objectType: 'company' | 'contact'; objectId: string }>;
  /** QBO objects with newly stored events. */
  qboObjects: QboObjectRef[];
}

/** The accounts each event belongs to: the HubSpot account it names if DealBooks knows it, the accounts of its realm. */
async function ownersOf(db: pg.PoolClient, events: InboxEvent[]): Promise<number[][]> {
  const portals = await knownPortals(db, [...new Set(events.flatMap((e) => ('portalId' in e.account ? [e.account.portalId] : [])))]);
  const realms = await portalsOfRealms(db, [...new Set(events.flatMap((e) => ('realmId' in e.account ? [e.account.realmId] : [])))]);
  return events.map((e) => ('portalId' in e.account ? (portals.has(e.account.portalId) ? [e.account.portalId] : []) : (realms.get(e.account.realmId) ?? [])));
}

function unknownAccountsNote(source: WebhookSource, events: InboxEvent[], owners: number[][]): string | null {
  const unknown = new Set<string>();
  events.forEach((e, i) => {
    if (owners[i]!.length === 0) unknown.add('portalId' in e.account ? String(e.account.portalId) : e.account.realmId);
  });
  if (unknown.size === 0) return null;
  const count = owners.filter((o) => o.length === 0).length;
  const what = source === 'hubspot' ? 'HubSpot accounts where DealBooks is not installed' : 'QuickBooks companies no account has connected';
  return `${count} event(s) ignored: they belong to ${what} (${[...unknown].join(', ')}).`;
}

function failedEventsNote(events: InboxEvent[], rejected: string[]): string | null {
  const reasons = [...rejected, ...events.flatMap((e) => (e.failure ? [e.failure] : []))];
  if (reasons.length === 0) return null;
  const more = reasons.length > 5 ? `; and ${reasons.length - 5} more` : '';
  return `${reasons.length} event(s) failed: ${reasons.slice(0, 5).join('; ')}${more}.`;
}

async function storeEvents(pool: pg.Pool, source: WebhookSource, deliveryId: number, { events, rejected }: ParsedDelivery, now: Date): Promise<StoredOutcome> {
  return withTransaction(pool, async (client) => {
    const owners = await ownersOf(client, events);
    const rows = events.flatMap((e, i) => owners[i]!.map((portalId) => ({ ...e, portalId })));
    const inserted = await insertEvents(client, { deliveryId, source, receivedAt: now, events: rows });
    const usable = inserted.filter((r) => !r.failed);
    const dealEvents = source === 'hubspot' ? usable.flatMap((r) => (r.objectType === 'deal' && r.objectId ? [{ portalId: r.portalId, dealId: r.objectId }] : [])) : [];
    const partyEvents =
      source === 'hubspot'
        ? usable.flatMap((r) =>
            (r.objectType === 'company' || r.objectType === 'contact') && r.objectId && r.eventType !== 'contact.privacyDeletion'
              ? [{ portalId: r.portalId, objectType: r.objectType as 'company' | 'contact', objectId: r.objectId }]
              : [],
          )
        : [];
    const qboObjects =
      source === 'quickbooks'
        ? usable.flatMap((r) => (r.objectType && r.objectId && r.realmId ? [{ portalId: r.portalId, realmId: r.realmId, objectType: r.objectType, objectId: r.objectId }] : []))
        : [];
    const portalIds = [...new Set(owners.flat())].sort((a, b) => a - b);
    const note = [unknownAccountsNote(source, events, owners), failedEventsNote(events, rejected)].filter((n) => n !== null).join(' ') || null;
    await markDeliveryProcessed(client, deliveryId, { portalIds, note }, now);
    const usableRows = rows.filter((r) => r.failure === null).length;
    return {
      received: events.length + rejected.length,
      stored: usable.length,
      duplicates: usableRows - usable.length,
      ignored: owners.filter((o) => o.length === 0).length,
      failed: rejected.length + events.filter((e) => e.failure !== null).length,
      portalIds,
      privacyDeletions: events.flatMap((e, i) => (e.privacyDeletion && e.objectId ? owners[i]!.map((portalId) => ({ portalId, contactId: e.objectId! })) : [])),
      dealEvents,
      partyEvents,
      qboObjects,
    };
  });
}

/** Stores a delivery whose signature was verified, and what it holds; queues what follows from it. */
export async function receiveDelivery(
  deps: ReceiveDeps,
  source: WebhookSource,
  delivery: { headers: Record<string, string | string[] | undefined>; body: Buffer },
): Promise<ReceiveOutcome> {
  const logger = deps.logger.child({ component: 'webhooks' });
  const now = deps.clock.now();
  const deliveryId = await insertDelivery(deps.pool, { source, receivedAt: now, headers: keptHeaders(delivery.headers), body: delivery.body, bodySha256: sha256(delivery.body) });
  let parsed: ParsedDelivery;
  try {
    parsed = PARSERS[source](delivery.body);
    if (parsed.events.length === 0 && parsed.rejected.length > 0) throw new MalformedDelivery(`No event of the delivery can be understood: ${parsed.rejected.slice(0, 5).join('; ')}.`);
  } catch (err) {
    if (!(err instanceof MalformedDelivery)) throw err;
    const reason = storableText(err.message);
    await markDeliveryFailed(deps.pool, deliveryId, reason, now);
    logger.warn({ source, deliveryId, reason }, 'webhook delivery kept as failed: it cannot be understood');
    return { kind: 'failed', reason };
  }
  let outcome: StoredOutcome;
  try {
    outcome = await storeEvents(deps.pool, source, deliveryId, parsed, now);
  } catch (err) {
    // Answered 5xx so the sender retries; the delivery says why this attempt was not stored.
    const reason = storableText(`Its events could not be stored: ${err instanceof Error ? err.message : String(err)}`);
    await markDeliveryFailed(deps.pool, deliveryId, reason, now).catch(() => undefined);
    throw err;
  }
  const counts = { received: outcome.received, stored: outcome.stored, duplicates: outcome.duplicates, ignored: outcome.ignored, failed: outcome.failed };
  if (outcome.failed > 0) logger.warn({ source, deliveryId, portalIds: outcome.portalIds, ...counts }, 'webhook delivery stored, with events kept as failed');
  else logger.info({ source, deliveryId, portalIds: outcome.portalIds, ...counts }, 'webhook delivery stored');
  // Carried out for re-delivered events too: if an earlier attempt stored the event but the deletion failed (and the
  // sender retried because of our 5xx), the retry must still delete. The deletion itself is idempotent.
  for (const { portalId, contactId } of outcome.privacyDeletions) {
    logger.info({ source, deliveryId, portalId }, 'contact privacy deletion requested');
    await deps.onPrivacyDeletion(portalId, contactId);
  }
  if (outcome.dealEvents.length > 0 && deps.onDealEvents) await deps.onDealEvents(outcome.dealEvents);
  if (outcome.partyEvents.length > 0 && deps.onPartyEvents) await deps.onPartyEvents(outcome.partyEvents);
  if (outcome.qboObjects.length > 0 && deps.onQuickbooksEvents) await deps.onQuickbooksEvents(outcome.qboObjects);
  return { kind: 'stored', ...counts };
}
