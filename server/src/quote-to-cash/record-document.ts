import type { DealAction } from '../db/deal-actions';
import { markLinked, mergeDetails, type EntityLink } from '../db/entity-links';
import type { StoredDocument } from '../db/qbo-documents';
import { recordSync } from '../db/sync-log';
import type { Logger } from '../logger';
import { QuickbooksApiError } from '../quickbooks/api';
import type { ConnectionView } from '../connections/quickbooks-connections';
import { formatMoney } from '../sync/format';
import type { Problem, QboDocument, QboDocumentKind } from '../sync/model';
import type { ActionOutcome } from './action-outcome';
import type { QuoteToCashDeps } from './deps';
import { recordDocumentDeleted, storeDocumentIfNewer, type DocumentChange } from './document-copies';
import { safeWriteBack } from './write-back';

/**
 * Recording a document DealBooks made (or found) in QuickBooks: the deal's link points at it, DealBooks keeps a copy
 * for the card, the sync log and the deal's timeline say what happened, and the deal's properties are written back.
 * Every way a document comes to exist (created, found after a lost answer, converted from an estimate) ends here.
 */
export const kindLabel = (kind: QboDocumentKind) => (kind === 'invoice' ? 'Invoice' : 'Estimate');
export const qboType = (kind: QboDocumentKind) => (kind === 'invoice' ? ('Invoice' as const) : ('Estimate' as const));

/** The marker DealBooks writes into a document's private note, to find it again after an answer was lost. */
export const markerFor = (link: EntityLink) => `DealBooks ref ${link.requestId}`;

/**
 * Keeps DealBooks' copy of a document it made or read, through the one newer-only rule every version of a document
 * passes (document-copies.ts): a version older than the copy (a notification got there first) changes nothing.
 */
export async function keepCopy(deps: QuoteToCashDeps, connection: ConnectionView, dealId: string, document: QboDocument): Promise<DocumentChange | null> {
  return storeDocumentIfNewer(deps, connection, { document, dealId, create: true });
}

/** After an attempt whose answer never came, the document may exist: find it by its marker before writing again. */
export async function lookForLostDocument(deps: QuoteToCashDeps, portalId: number, kind: QboDocumentKind, link: EntityLink): Promise<QboDocument | null> {
  const customerId = typeof link.details.customerId === 'string' ? link.details.customerId : null;
  if (!customerId) return null;
  return deps.sales.findDocumentByMarker(portalId, kind, { customerId, marker: markerFor(link) });
}

/**
 * The deal's document already exists: refresh DealBooks' copy, create nothing, say so. Null when QuickBooks says
 * the document was voided or deleted meanwhile: it no longer counts as the deal's (its link is now unlinked), and
 * the caller goes on to make a new one.
 */
export async function alreadyThere(deps: QuoteToCashDeps, action: DealAction, connection: ConnectionView, kind: QboDocumentKind, link: EntityLink): Promise<ActionOutcome | null> {
  const qboId = link.qboEntityId!;
  const fresh = await deps.sales.readDocument(action.portalId, kind, qboId);
  const change = fresh ? await keepCopy(deps, connection, action.dealId, fresh.document) : await recordDocumentDeleted(deps, connection, kind, qboId);
  if (!fresh || (change && change.after.qboState !== 'active')) return null;
  const number = fresh.document.docNumber ?? qboId;
  await recordSync(
    deps.pool,
    { portalId: action.portalId, action: kind, outcome: 'skipped', message: `The deal already has ${kind} ${number} in QuickBooks; nothing was created.`, dealId: action.dealId, qboEntityType: qboType(kind), qboEntityId: qboId, dealActionId: action.id },
    deps.clock.now(),
  );
  await safeWriteBack(deps, action.portalId, action.dealId, '');
  return { status: 'succeeded', problems: [], result: { existing: true, documentId: qboId, docNumber: fresh.document.docNumber ?? null } };
}

export interface AdoptOptions {
  /** QBO emails the new invoice now. */
  sendTo?: { email: string | null };
  intuitTid?: string;
  customerName?: string;
  convertedFrom?: StoredDocument;
}

/** Links the deal to a document now in QuickBooks, and records it everywhere a person looks. */
export async function adoptDocument(
  deps: QuoteToCashDeps,
  action: DealAction,
  connection: ConnectionView,
  kind: QboDocumentKind,
  link: EntityLink,
  document: QboDocument,
  log: Logger,
  options: AdoptOptions = {},
): Promise<ActionOutcome> {
  const { pool, clock, sales } = deps;
  await markLinked(pool, link.id, { qboEntityId: document.id, method: 'created', syncToken: document.syncToken }, clock.now());
  await keepCopy(deps, connection, action.dealId, document);
  const amount = formatMoney(document.totalCents, document.currency ?? connection.homeCurrency);
  const number = document.docNumber ?? document.id;
  const what = options.convertedFrom
    ? `Estimate ${options.convertedFrom.docNumber ?? options.convertedFrom.id} converted to invoice ${number} for ${amount} in QuickBooks.`
    : `${kindLabel(kind)} ${number} for ${amount} created in QuickBooks${options.customerName ? ` for ${options.customerName}` : ''}.`;
  const logged = { portalId: action.portalId, dealId: action.dealId, dealActionId: action.id };
  await recordSync(pool, { ...logged, action: action.kind, outcome: 'succeeded', message: what, qboEntityType: qboType(kind), qboEntityId: document.id, intuitTid: options.intuitTid ?? null }, clock.now());

  let sent: QboDocument | null = null;
  const problems: Problem[] = [];
  if (kind === 'invoice' && options.sendTo) {
    try {
      sent = await sales.sendInvoice(action.portalId, document.id, options.sendTo.email);
      await keepCopy(deps, connection, action.dealId, sent);
      await recordSync(pool, { ...logged, action: 'send', outcome: 'succeeded', message: `Invoice ${number} emailed by QuickBooks.`, qboEntityType: 'Invoice', qboEntityId: document.id }, clock.now());
    } catch (err) {
      // The invoice exists; only the email failed. Say so, and leave sending to a person (the card's Send button).
      const message = `Invoice ${number} was created but QuickBooks did not email it: ${err instanceof Error ? err.message : String(err)}. Press Send on the card to try again.`;
      problems.push({ code: 'qbo_rejected', message });
      const intuitTid = err instanceof QuickbooksApiError ? (err.intuitTid ?? null) : null;
      await recordSync(pool, { ...logged, action: 'send', outcome: 'failed', message, qboEntityType: 'Invoice', qboEntityId: document.id, intuitTid }, clock.now());
    }
  }
  // HubSpot has no idempotency key for notes: the note's id on the link keeps a retry from adding it twice.
  if (!link.details.noteId) {
    try {
      const note = await deps.deals.addDealNote(action.portalId, action.dealId, { body: what, timestamp: clock.now() });
      await mergeDetails(pool, link.id, { noteId: note.id }, clock.now());
    } catch (err) {
      log.warn({ err }, 'the timeline note could not be added');
    }
  }
  await safeWriteBack(deps, action.portalId, action.dealId, problems[0]?.message ?? '');
  return { status: 'succeeded', problems, result: { documentId: document.id, docNumber: document.docNumber, totalCents: document.totalCents, currency: document.currency, sent: sent !== null } };
}
