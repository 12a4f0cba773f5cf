import { noteHeard } from '../db/qbo-change-checkpoints';
import { objectsLinkedTo } from '../db/entity-links';
import { documentsByIds } from '../db/qbo-documents';
import { pendingQboEvents, settleEvents, staleQboObjects, type PendingQboEvent, type QboObjectRef } from '../db/webhook-inbox';
import type { ConnectionView } from '../connections/quickbooks-connections';
import type { ChangedEntity } from '../quickbooks/change-feed';
import { applyQboDeletion, applyQboObject, type AppliedChange } from './apply-qbo-change';
import type { QuoteToCashDeps } from './deps';
import { dealsChanged, type DocumentChange } from './document-copies';
import { followDocumentChanges } from './follow-changes';

export type { QboObjectRef };

/**
 * What QuickBooks' webhook notifications lead to. A notification names an object only (its payload carries ids),
 * so the object is read as QBO has it now and applied through the newer-only path (apply-qbo-change.ts), or its
 * deletion recorded on a Deleted notification or a 610 answer. The work runs per object of one connection, serially
 * (jobs/qbo-change-jobs.ts), and every pending notification of the object is then settled with a note saying what
 * was done: 'processed' when DealBooks looked at its own copies, 'ignored' (with the reason) when the object is
 * nothing of DealBooks'. Deals whose documents changed get their properties written again, and the connection
 * remembers what it last heard from QuickBooks and when (for the card).
 *
 * Notifications of a company no account has connected never get here: the intake keeps them on the delivery, as
 * ignored, and stores no event (webhooks/receive-delivery.ts).
 */
export interface QboChangeWork {
  portalId: number;
  connectionId: number;
  realmId: string;
  /** The event's object type: the QBO entity in lower case. */
  entity: string;
  id: string;
}

export type NotificationDecision = 'nothing pending' | 'connection gone' | 'not followed' | AppliedChange['result'];

export interface NotificationOutcome {
  decision: NotificationDecision;
  note?: string;
  events?: number;
  deals?: string[];
}

/** The entities whose changes reach DealBooks' copies. */
const FOLLOWED: Readonly<Record<string, ChangedEntity>> = { invoice: 'Invoice', estimate: 'Estimate', payment: 'Payment', creditmemo: 'CreditMemo' };

/** Entities DealBooks hears about and does nothing with, and why (the note on the settled notification). */
const NOT_FOLLOWED: Readonly<Record<string, string>> = {
  refundreceipt:
    'A refund receipt records money paid back to a customer; it changes no invoice’s balance in QuickBooks, so DealBooks keeps nothing of it.',
};

const isDeletion = (event: PendingQboEvent) => /\.deleted\.v\d+$/.test(event.eventType);
const verbOf = (event: PendingQboEvent) => /^qbo\.[^.]+\.([^.]+)\.v\d+$/.exec(event.eventType)?.[1] ?? 'changed';

/**
 * The work for objects whose notifications were just stored (or waited too long): one item per object of the
 * account's live connection to that company. Events of a company the account is no longer connected to are settled
 * as ignored here, since no work can ever take them.
 */
export async function qboChangeWorkOf(deps: QuoteToCashDeps, objects: readonly QboObjectRef[], options: { connectedOnly?: boolean } = {}): Promise<QboChangeWork[]> {
  const work = new Map<string, QboChangeWork>();
  const connections = new Map<number, ConnectionView | undefined>();
  for (const ref of objects) {
    if (!connections.has(ref.portalId)) connections.set(ref.portalId, await deps.connections.live(ref.portalId));
    const connection = connections.get(ref.portalId);
    if (!connection || connection.realmId !== ref.realmId) {
      const events = await pendingQboEvents(deps.pool, ref);
      await settleEvents(deps.pool, events.map((e) => e.id), 'ignored', `QuickBooks company ${ref.realmId} is not connected to this account any more.`, deps.clock.now());
      continue;
    }
    // Work for a connection that waits for a reconnect is parked until then; the sweep adds no more of it.
    if (options.connectedOnly && connection.status !== 'connected') continue;
    const key = `${connection.id}:${ref.objectType}:${ref.objectId}`;
    if (!work.has(key)) work.set(key, { portalId: ref.portalId, connectionId: connection.id, realmId: ref.realmId, entity: ref.objectType, id: ref.objectId });
  }
  return [...work.values()];
}

/**
 * The objects whose notifications have waited longer than `staleMs` (their job was lost): queued again, harmlessly.
 * Not those of a connection waiting for a reconnect: their work is parked, and a reconnect wakes it (and checks CDC).
 */
export async function staleQboWork(deps: QuoteToCashDeps, staleMs: number, limit = 1000): Promise<QboChangeWork[]> {
  return qboChangeWorkOf(deps, await staleQboObjects(deps.pool, new Date(deps.clock.now().getTime() - staleMs), limit), { connectedOnly: true });
}

/** Customers and items: nothing to copy; what DealBooks keeps of their lists for a minute is dropped. */
async function listChange(deps: QuoteToCashDeps, connection: ConnectionView, entity: 'customer' | 'item', id: string): Promise<{ status: 'processed' | 'ignored'; note: string }> {
  if (entity === 'item') {
    deps.cache.forgetList(connection.portalId, 'items');
    return { status: 'processed', note: `Item ${id} changed in QuickBooks; DealBooks reads the item list fresh for the next document.` };
  }
  deps.cache.forgetList(connection.portalId, 'customers');
  const linked = await objectsLinkedTo(deps.pool, connection.id, 'Customer', id);
  if (linked.length === 0) return { status: 'ignored', note: `Customer ${id} is not linked to anything in HubSpot; DealBooks reads customers fresh when it matches one.` };
  const names = linked.map((l) => `${l.type} ${l.id}`).join(', ');
  return { status: 'processed', note: `Customer ${id} (linked to ${names}) changed in QuickBooks; DealBooks reads it fresh when it next needs it.` };
}

/** Reads the object now (a 610 answer means deleted) and applies it; a Deleted notification is applied without reading. */
async function applyNotified(deps: QuoteToCashDeps, connection: ConnectionView, entity: ChangedEntity, id: string, deleted: boolean): Promise<AppliedChange> {
  // An invoice or estimate DealBooks has no copy of is not one it made: nothing to read.
  if (entity === 'Invoice' || entity === 'Estimate') {
    const [copy] = await documentsByIds(deps.pool, connection.id, entity === 'Invoice' ? 'invoice' : 'estimate', [id]);
    if (!copy) return { entity, id, result: 'not ours', note: `${entity} ${id} is not a document DealBooks made; nothing was read.`, documents: [] };
  }
  if (deleted) return applyQboDeletion(deps, connection, entity, id);
  const raw = await deps.changes.read(connection.portalId, entity, id);
  return raw ? applyQboObject(deps, connection, entity, raw) : applyQboDeletion(deps, connection, entity, id);
}

/** Handles every pending notification of one object of one connection (the job of jobs/qbo-change-jobs.ts). */
export async function processQboNotifications(deps: QuoteToCashDeps, work: QboChangeWork): Promise<NotificationOutcome> {
  const ref: QboObjectRef = { portalId: work.portalId, realmId: work.realmId, objectType: work.entity, objectId: work.id };
  const events = await pendingQboEvents(deps.pool, ref);
  if (events.length === 0) return { decision: 'nothing pending' };
  const ids = events.map((e) => e.id);
  const connection = await deps.connections.live(work.portalId);
  if (!connection || connection.id !== work.connectionId) {
    const note = `QuickBooks company ${work.realmId} is not connected to this account any more.`;
    await settleEvents(deps.pool, ids, 'ignored', note, deps.clock.now());
    return { decision: 'connection gone', note, events: ids.length };
  }
  const log = deps.logger.child({ component: 'quickbooks-changes', portalId: work.portalId, realmId: work.realmId, entity: work.entity, qboId: work.id });

  let decision: NotificationDecision;
  let status: 'processed' | 'ignored';
  let note: string;
  let deals: string[] = [];
  let documents: DocumentChange[] = [];
  let paymentChanged = false;
  const followed = FOLLOWED[work.entity];
  if (followed) {
    // Reading needs the connection: one that waits for a reconnect parks this work (its notifications stay pending).
    const applied = await applyNotified(deps, connection, followed, work.id, events.some(isDeletion));
    decision = applied.result;
    status = applied.result === 'not ours' ? 'ignored' : 'processed';
    note = applied.note;
    deals = dealsChanged(applied.documents);
    documents = applied.documents;
    paymentChanged = applied.result === 'applied' && applied.payment?.order === 'newer';
  } else if (work.entity === 'customer' || work.entity === 'item') {
    ({ status, note } = await listChange(deps, connection, work.entity, work.id));
    decision = status === 'processed' ? 'applied' : 'not ours';
  } else {
    decision = 'not followed';
    status = 'ignored';
    note = NOT_FOLLOWED[work.entity] ?? `DealBooks does not follow QuickBooks ${work.entity} changes.`;
  }

  // What the change leads to is queued before its notifications are settled: if that fails, the job is retried with
  // the notifications still pending, and the version (now the same as the copy) is followed again.
  await followDocumentChanges(deps, connection, documents, paymentChanged);
  const now = deps.clock.now();
  await settleEvents(deps.pool, ids, status, note, now);
  const last = events[events.length - 1]!;
  await noteHeard(deps.pool, { connectionId: connection.id, portalId: connection.portalId, at: last.receivedAt, what: `${FOLLOWED[work.entity] ?? work.entity} ${work.id} ${verbOf(last)}` });
  log.info({ decision, events: ids.length, deals }, note);
  return { decision, note, events: ids.length, deals };
}
