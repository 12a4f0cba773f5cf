import { readChangeCheckpoint, saveChangeCheck } from '../db/qbo-change-checkpoints';
import { liveDocumentIds } from '../db/qbo-documents';
import { livePaymentIds } from '../db/qbo-payments';
import { recordSync } from '../db/sync-log';
import { CDC_MAX_LOOKBACK_MS, CDC_MAX_OBJECTS, type CdcAnswer, type ChangedEntity } from '../quickbooks/change-feed';
import type { RawObject } from '../quickbooks/query';
import type { ConnectionView } from '../connections/quickbooks-connections';
import { applyQboDeletion, applyQboObject, type AppliedChange } from './apply-qbo-change';
import { usableConnection } from './card-actions';
import type { QuoteToCashDeps } from './deps';
import { followDocumentChanges } from './follow-changes';

/**
 * The backstop for QuickBooks notifications that were lost, late or reordered (Intuit recommends change data capture
 * from the last point processed, https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/best-practices).
 * Per connection, on a schedule, after every (re)connect and on demand (jobs/qbo-change-jobs.ts), DealBooks asks QBO
 * what changed since its checkpoint and applies every object through the same newer-only path as a notification
 * (apply-qbo-change.ts); CDC hands over whole objects, so nothing is read again, except the invoices of a payment
 * that CDC did not list. What was behind and is now repaired goes to the sync log, with the documents it changed.
 *
 * - Change data capture looks back at most 30 days and answers at most 1000 objects. An answer that full may have
 *   been cut: the run goes on from the newest change it saw.
 * - The first run of a connection, or one whose checkpoint lies beyond CDC's reach, reads DealBooks' own documents
 *   and payments by id instead (one missing from the answer was deleted), plus the payments changed since the
 *   checkpoint (or the connection): deletions beyond 30 days show nowhere else.
 * - Each run starts a little before the checkpoint (CHANGE_CHECK_OVERLAP_MS): QBO's clock is not DealBooks', and a
 *   change applied twice is harmless.
 */
export const CHANGE_CHECK_ENTITIES: readonly ChangedEntity[] = ['Invoice', 'Estimate', 'Payment', 'CreditMemo'];
export const CHANGE_CHECK_OVERLAP_MS = 5 * 60_000;
/** Kept under CDC's 30 days, so a run near the limit is not refused. */
const CDC_REACH_MS = CDC_MAX_LOOKBACK_MS - 3600_000;
const MAX_CDC_ROUNDS = 10;
/** Documents named one by one in the sync log; the rest are counted. */
const NAMED_IN_LOG = 10;

export type ChangeCheckReason = 'schedule' | 'connected' | 'on demand';

export interface RepairedDocument {
  kind: 'invoice' | 'estimate';
  id: string;
  docNumber: string | null;
  dealId: string | null;
  qboState: string;
}

export interface ChangeCheckOutcome {
  decision: 'not connected' | 'checked';
  /** 'cdc': change data capture since the checkpoint; 'full': DealBooks' own objects read by id. */
  mode?: 'cdc' | 'full';
  from?: string | null;
  until?: string;
  /** Objects QBO listed, and the changes among them that DealBooks was behind on. */
  seen: number;
  repaired: number;
  documents: RepairedDocument[];
}

const ORDER: Record<ChangedEntity, number> = { Invoice: 0, Estimate: 1, Payment: 2, CreditMemo: 3 };

function lastUpdated(raw: RawObject): number | null {
  const at = (raw.MetaData as { LastUpdatedTime?: unknown } | undefined)?.LastUpdatedTime;
  const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}

/** Applies one CDC answer: documents first, then payments (with the invoices in hand), then credit memos. */
async function applyAnswer(deps: QuoteToCashDeps, connection: ConnectionView, answer: CdcAnswer): Promise<AppliedChange[]> {
  const knownInvoices = new Map<string, RawObject | null>();
  for (const { entity, raw } of answer.objects) if (entity === 'Invoice') knownInvoices.set(String(raw.Id), raw);
  for (const { entity, id } of answer.deleted) if (entity === 'Invoice') knownInvoices.set(id, null);
  const steps = [
    ...answer.objects.map((o) => ({ entity: o.entity, run: () => applyQboObject(deps, connection, o.entity, o.raw, { knownInvoices }) })),
    ...answer.deleted.map((d) => ({ entity: d.entity, run: () => applyQboDeletion(deps, connection, d.entity, d.id, d.at ? new Date(d.at) : null, { knownInvoices }) })),
  ].sort((a, b) => ORDER[a.entity] - ORDER[b.entity]);
  const applied: AppliedChange[] = [];
  for (const step of steps) applied.push(await step.run());
  return applied;
}

async function viaCdc(deps: QuoteToCashDeps, connection: ConnectionView, since: Date, until: Date): Promise<{ changes: AppliedChange[]; seen: number; through: Date }> {
  const changes: AppliedChange[] = [];
  let seen = 0;
  let from = since;
  for (let round = 0; round < MAX_CDC_ROUNDS; round++) {
    const answer = await deps.changes.changeDataCapture(connection.portalId, CHANGE_CHECK_ENTITIES, from);
    seen += answer.count;
    changes.push(...(await applyAnswer(deps, connection, answer)));
    if (answer.count < CDC_MAX_OBJECTS) return { changes, seen, through: until };
    // A full answer may have been cut short: ask again from the newest change it held.
    const newest = Math.max(...answer.objects.map((o) => lastUpdated(o.raw) ?? 0));
    if (newest <= from.getTime()) break;
    from = new Date(newest);
  }
  deps.logger.warn({ component: 'quickbooks-changes', portalId: connection.portalId, through: from.toISOString() }, 'QuickBooks reported more changes than one check takes; the next check goes on from here');
  return { changes, seen, through: from };
}

/** Reads DealBooks' own documents and payments by id, and the payments changed since `since`. */
async function fullRead(deps: QuoteToCashDeps, connection: ConnectionView, since: Date): Promise<{ changes: AppliedChange[]; seen: number }> {
  const { portalId } = connection;
  const changes: AppliedChange[] = [];
  let seen = 0;
  const knownInvoices = new Map<string, RawObject | null>();
  for (const [kind, entity] of [['invoice', 'Invoice'], ['estimate', 'Estimate']] as const) {
    const ids = await liveDocumentIds(deps.pool, connection.id, kind);
    const found = new Map((await deps.changes.byIds(portalId, entity, ids)).map((raw) => [String(raw.Id), raw]));
    seen += found.size;
    for (const id of ids) {
      const raw = found.get(id) ?? null;
      if (entity === 'Invoice') knownInvoices.set(id, raw);
      changes.push(raw ? await applyQboObject(deps, connection, entity, raw) : await applyQboDeletion(deps, connection, entity, id));
    }
  }
  const stored = await livePaymentIds(deps.pool, connection.id);
  const payments = new Map<string, RawObject>();
  for (const raw of await deps.changes.changedSince(portalId, 'Payment', since)) payments.set(String(raw.Id), raw);
  for (const raw of await deps.changes.byIds(portalId, 'Payment', stored)) payments.set(String(raw.Id), raw);
  seen += payments.size;
  for (const raw of payments.values()) changes.push(await applyQboObject(deps, connection, 'Payment', raw, { knownInvoices }));
  for (const id of stored) if (!payments.has(id)) changes.push(await applyQboDeletion(deps, connection, 'Payment', id, null, { knownInvoices }));
  return { changes, seen };
}

function repairedDocuments(changes: AppliedChange[]): RepairedDocument[] {
  const byKey = new Map<string, RepairedDocument>();
  for (const change of changes) {
    for (const d of change.documents) {
      if (d.order !== 'newer') continue;
      byKey.set(`${d.kind}:${d.id}`, { kind: d.kind, id: d.id, docNumber: d.after.docNumber, dealId: d.after.dealId, qboState: d.after.qboState });
    }
  }
  return [...byKey.values()];
}

/** One backstop run for the account's connection. */
export async function checkQuickbooksChanges(deps: QuoteToCashDeps, portalId: number, reason: ChangeCheckReason): Promise<ChangeCheckOutcome> {
  const connection = await deps.connections.live(portalId);
  if (!connection || connection.status !== 'connected') return { decision: 'not connected', seen: 0, repaired: 0, documents: [] };
  const now = deps.clock.now();
  const checkpoint = await readChangeCheckpoint(deps.pool, connection.id);
  const since = checkpoint?.checkedThrough ? new Date(checkpoint.checkedThrough.getTime() - CHANGE_CHECK_OVERLAP_MS) : null;
  const mode = since !== null && now.getTime() - since.getTime() <= CDC_REACH_MS ? 'cdc' : 'full';
  let run: { changes: AppliedChange[]; seen: number; through: Date };
  if (mode === 'cdc') run = await viaCdc(deps, connection, since!, now);
  else run = { ...(await fullRead(deps, connection, since ?? new Date(connection.connectedAt.getTime() - CHANGE_CHECK_OVERLAP_MS))), through: now };

  const repaired = run.changes.filter((c) => c.result === 'applied');
  const documents = repairedDocuments(repaired);
  // What the changes lead to is queued before the checkpoint moves: if that fails, the retry looks at the same window
  // and follows the same versions again (they are followed whether or not this run was the one that applied them).
  await followDocumentChanges(deps, connection, run.changes.filter((c) => !c.payment).flatMap((c) => c.documents));
  await followDocumentChanges(deps, connection, run.changes.filter((c) => c.payment?.order === 'newer').flatMap((c) => c.documents), true);
  await saveChangeCheck(deps.pool, { connectionId: connection.id, portalId, checkedThrough: run.through, runAt: now, repaired: repaired.length });
  const window = { from: since?.toISOString() ?? null, until: run.through.toISOString() };
  if (repaired.length > 0) {
    const named = repaired.slice(0, NAMED_IN_LOG).map((c) => c.note.replace(/\.$/, ''));
    const more = repaired.length > NAMED_IN_LOG ? `; and ${repaired.length - NAMED_IN_LOG} more` : '';
    await recordSync(
      deps.pool,
      {
        portalId,
        action: 'quickbooks-check',
        outcome: 'succeeded',
        message: `The QuickBooks change check applied ${repaired.length} change(s) DealBooks had not heard of: ${named.join('; ')}${more}.`,
        details: { reason, mode, ...window, seen: run.seen, repaired: repaired.length, documents, changes: repaired.map((c) => ({ entity: c.entity, id: c.id, note: c.note })) },
      },
      now,
    );
    deps.logger.warn({ component: 'quickbooks-changes', portalId, reason, mode, ...window, repaired: repaired.length }, 'the QuickBooks change check repaired copies that notifications had not');
  }
  return { decision: 'checked', mode, ...window, seen: run.seen, repaired: repaired.length, documents };
}

/**
 * A person asks DealBooks to look at QuickBooks' changes now (the settings page): the check is queued, serial with
 * the scheduled ones. Refused in words when QuickBooks is not connected or needs a reconnect.
 */
export async function requestChangeCheck(deps: QuoteToCashDeps, queueCheck: (portalId: number) => Promise<void>, portalId: number): Promise<{ queued: true }> {
  await usableConnection(deps, portalId);
  await queueCheck(portalId);
  return { queued: true };
}
