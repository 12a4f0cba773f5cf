import { documentsByIds, openInvoicesOfCustomer } from '../db/qbo-documents';
import { invoicesPaidWithCredit, lockPayment, lockPaymentKey, markPaymentDeleted, savePayment, type StoredPayment } from '../db/qbo-payments';
import { withTransaction } from '../db/transaction';
import type { ConnectionView } from '../connections/quickbooks-connections';
import { creditMemoTargets, toPayment, type ChangedEntity } from '../quickbooks/change-feed';
import type { RawObject } from '../quickbooks/query';
import { formatMoney } from '../sync/format';
import type { QboDocumentKind } from '../sync/model';
import { paymentApplications } from '../sync/payment-applications';
import { compareVersions, documentChangeWords, voidState, type VersionOrder } from '../sync/qbo-changes';
import type { QuoteToCashDeps } from './deps';
import { recordDocumentDeleted, storeDocumentIfNewer, type DocumentChange } from './document-copies';

/**
 * One change in QuickBooks applied to DealBooks' copies, whoever reported it (a webhook notification, for which the
 * object was read as QBO has it now; or change data capture, which hands over whole objects). Every version passes
 * the newer-only rule (sync/qbo-changes.ts), so a late, repeated or reordered change never rolls a copy back.
 *
 * - Invoice, Estimate: the copy of a document DealBooks made is updated (lines' totals, balance, due date, status,
 *   voided); a document DealBooks did not make is left alone, even when a payment DealBooks keeps also pays it
 *   (the payment's application to it is kept with the payment, the document itself is not copied).
 * - Payment: kept only when it touches an invoice DealBooks made (now, or before this change). It is stored as
 *   QBO has it with what it applies to which invoice (replaced as a whole), and every DealBooks invoice it applies
 *   to now or applied to before is read again, so balances are QBO's own, also after a void or a deletion.
 * - CreditMemo: its credit reaches invoices through payments; DealBooks' invoices it may have touched are read
 *   again (those it names, and the customer's open or credit-paid ones).
 * - A deletion (Deleted notification, CDC tombstone, or QBO answering 610 to a read) marks the copy deleted.
 */
export type ChangeResult = 'applied' | 'unchanged' | 'not ours';

export interface PaymentChange {
  order: VersionOrder;
  /** The payment as DealBooks kept it before and after (null when it kept none). */
  before: StoredPayment | null;
  after: StoredPayment | null;
}

export interface AppliedChange {
  entity: ChangedEntity;
  id: string;
  /** 'applied': a copy changed; 'unchanged': DealBooks had this version or a newer one; 'not ours': nothing of DealBooks' is touched. */
  result: ChangeResult;
  /** What happened, in words (the note on settled notifications, the sync log of the backstop). */
  note: string;
  /** Every copy of a DealBooks document the change reached, changed or not (see `order`). */
  documents: DocumentChange[];
  payment?: PaymentChange;
}

export interface ApplyOptions {
  /**
   * Fresh versions of invoices already in hand (change data capture lists them with the payment), by id; null for
   * one known deleted. Invoices not in it are read from QBO.
   */
  knownInvoices?: ReadonlyMap<string, RawObject | null>;
}

const KIND: Partial<Record<ChangedEntity, QboDocumentKind>> = { Invoice: 'invoice', Estimate: 'estimate' };
/** A credit memo may have touched at most this many credit-paid invoices worth reading again. */
const CREDIT_INVOICES_LIMIT = 100;

function documentNote(change: DocumentChange, currency: string | null): string {
  const label = change.kind === 'invoice' ? 'Invoice' : 'Estimate';
  const number = change.after.docNumber ?? change.id;
  if (change.order !== 'newer') return `${label} ${number}: DealBooks already had this version or a newer one.`;
  if (change.after.qboState !== 'active' && change.before?.qboState !== change.after.qboState) return `${label} ${number} was ${change.after.qboState} in QuickBooks.`;
  const words = documentChangeWords(change.before, change.after, (cents) => formatMoney(cents, change.after.currency ?? currency));
  return `${label} ${number} updated (${words.join(', ')}).`;
}

function documentResult(entity: ChangedEntity, id: string, change: DocumentChange | null, currency: string | null): AppliedChange {
  if (!change) return { entity, id, result: 'not ours', note: `${entity} ${id} is not a document DealBooks made; nothing was kept.`, documents: [] };
  return { entity, id, result: change.order === 'newer' ? 'applied' : 'unchanged', note: documentNote(change, currency), documents: [change] };
}

/** Reads DealBooks' invoices among `ids` again (or takes the versions in hand) and applies each. */
async function refreshInvoices(deps: QuoteToCashDeps, connection: ConnectionView, ids: Iterable<string>, options: ApplyOptions): Promise<DocumentChange[]> {
  const ours = await documentsByIds(deps.pool, connection.id, 'invoice', [...new Set(ids)]);
  const changes: DocumentChange[] = [];
  for (const invoice of ours) {
    if (invoice.qboState === 'deleted') continue;
    const known = options.knownInvoices?.has(invoice.id) ? options.knownInvoices.get(invoice.id)! : undefined;
    const raw = known !== undefined ? known : await deps.changes.read(connection.portalId, 'Invoice', invoice.id);
    const change = raw
      ? await storeDocumentIfNewer(deps, connection, { document: await deps.sales.documentFromRaw(connection.portalId, 'invoice', raw), dealId: null, create: false })
      : await recordDocumentDeleted(deps, connection, 'invoice', invoice.id);
    if (change) changes.push(change);
  }
  return changes;
}

function refreshedWords(changes: DocumentChange[], currency: string | null): string {
  const changed = changes.filter((c) => c.order === 'newer');
  if (changed.length === 0) return 'no invoice copy needed a change';
  return changed.map((c) => documentNote(c, currency).replace(/\.$/, '')).join('; ');
}

async function applyPayment(deps: QuoteToCashDeps, connection: ConnectionView, raw: RawObject, options: ApplyOptions): Promise<AppliedChange> {
  const payment = toPayment(raw);
  const state = voidState(payment);
  const applications = state === 'voided' ? [] : paymentApplications(payment);
  const ours = await documentsByIds(deps.pool, connection.id, 'invoice', applications.map((a) => a.invoiceId));
  const now = deps.clock.now();
  const stored = await withTransaction(deps.pool, async (client) => {
    // A payment not stored yet has no row to lock: a notification's job and the change check could both find none
    // and the older version could win. The key lock makes them decide one at a time.
    await lockPaymentKey(client, connection.id, payment.id);
    const before = await lockPayment(client, connection.id, payment.id);
    if (!before && ours.length === 0) return null;
    const order = compareVersions({ updatedAt: payment.updatedAt, syncToken: payment.syncToken }, before && { updatedAt: before.updatedAt, syncToken: before.syncToken, state: before.state });
    if (order === 'newer') {
      await savePayment(
        client,
        {
          portalId: connection.portalId,
          connectionId: connection.id,
          qboId: payment.id,
          customerId: payment.customerId,
          txnDate: payment.txnDate,
          // QBO leaves CurrencyRef out in a one-currency company: the payment is in its invoices' currency then.
          currency: payment.currency ?? ours.find((d) => d.currency)?.currency ?? connection.homeCurrency,
          totalCents: payment.totalCents,
          method: payment.method,
          reference: payment.reference,
          state,
          syncToken: payment.syncToken,
          updatedAt: payment.updatedAt,
        },
        applications,
        now,
      );
    }
    return { order, before, after: await lockPayment(client, connection.id, payment.id) } satisfies PaymentChange;
  });
  if (!stored) return { entity: 'Payment', id: payment.id, result: 'not ours', note: `Payment ${payment.id} applies to no invoice DealBooks made; nothing was kept.`, documents: [] };
  if (stored.order === 'older') {
    return { entity: 'Payment', id: payment.id, result: 'unchanged', note: `Payment ${payment.id}: DealBooks already had a newer version.`, documents: [], payment: stored };
  }
  if (stored.order === 'same') {
    // The version was recorded, but what followed may not have been (the invoices' reads failed and the job is being
    // retried): the invoices it applies to are read again, so a failure after the commit delays the change, never
    // loses it. Their copies change only if QuickBooks shows something newer.
    const documents = await refreshInvoices(deps, connection, stored.after!.applications.map((a) => a.invoiceId), options);
    return { entity: 'Payment', id: payment.id, result: 'unchanged', note: `Payment ${payment.id}: DealBooks already had this version; ${refreshedWords(documents, connection.homeCurrency)}.`, documents, payment: stored };
  }
  // The invoices it applies to now and those it applied to before (a payment changed, voided or moved elsewhere).
  const touched = [...(stored.before?.applications ?? []), ...applications].map((a) => a.invoiceId);
  const documents = await refreshInvoices(deps, connection, touched, options);
  const money = formatMoney(payment.totalCents, payment.currency ?? connection.homeCurrency);
  const what = state === 'voided' ? 'voided' : `${money}${stored.before ? ' (changed)' : ''}`;
  return { entity: 'Payment', id: payment.id, result: 'applied', note: `Payment ${payment.id} ${what} recorded; ${refreshedWords(documents, connection.homeCurrency)}.`, documents, payment: stored };
}

async function applyPaymentDeletion(deps: QuoteToCashDeps, connection: ConnectionView, id: string, deletedAt: Date | null, options: ApplyOptions): Promise<AppliedChange> {
  const now = deps.clock.now();
  const stored = await withTransaction(deps.pool, async (client) => {
    const before = await lockPayment(client, connection.id, id);
    if (!before) return null;
    if (before.state !== 'deleted') await markPaymentDeleted(client, connection.id, id, deletedAt, now);
    return { order: before.state === 'deleted' ? 'same' : 'newer', before, after: await lockPayment(client, connection.id, id) } satisfies PaymentChange;
  });
  if (!stored) return { entity: 'Payment', id, result: 'not ours', note: `Payment ${id} was deleted in QuickBooks; DealBooks kept nothing of it.`, documents: [] };
  if (stored.order !== 'newer') {
    // Recorded as deleted before; its former invoices are read again in case what followed the first time failed.
    const documents = await refreshInvoices(deps, connection, stored.before!.applications.map((a) => a.invoiceId), options);
    return { entity: 'Payment', id, result: 'unchanged', note: `Payment ${id} was already recorded as deleted; ${refreshedWords(documents, connection.homeCurrency)}.`, documents, payment: stored };
  }
  const documents = await refreshInvoices(deps, connection, stored.before!.applications.map((a) => a.invoiceId), options);
  return { entity: 'Payment', id, result: 'applied', note: `Payment ${id} was deleted in QuickBooks; ${refreshedWords(documents, connection.homeCurrency)}.`, documents, payment: stored };
}

async function applyCreditMemo(deps: QuoteToCashDeps, connection: ConnectionView, id: string, raw: RawObject | null, options: ApplyOptions): Promise<AppliedChange> {
  const credited = await invoicesPaidWithCredit(deps.pool, connection.id, CREDIT_INVOICES_LIMIT);
  let candidates: string[];
  if (raw) {
    const targets = creditMemoTargets(raw);
    const open = targets.customerId ? await openInvoicesOfCustomer(deps.pool, connection.id, targets.customerId) : [];
    const creditedOfCustomer = (await documentsByIds(deps.pool, connection.id, 'invoice', credited)).filter((d) => d.customerId === targets.customerId).map((d) => d.id);
    candidates = [...targets.invoiceIds, ...open, ...creditedOfCustomer];
  } else {
    candidates = credited;
  }
  const documents = await refreshInvoices(deps, connection, candidates, options);
  const what = raw ? `Credit memo ${id} changed` : `Credit memo ${id} was deleted in QuickBooks`;
  if (documents.length === 0) return { entity: 'CreditMemo', id, result: 'not ours', note: `${what}; it touches no invoice DealBooks made.`, documents };
  const applied = documents.some((d) => d.order === 'newer');
  return { entity: 'CreditMemo', id, result: applied ? 'applied' : 'unchanged', note: `${what}; ${refreshedWords(documents, connection.homeCurrency)}.`, documents };
}

/** Applies one object as QBO has it (read now, or handed over by change data capture). */
export async function applyQboObject(deps: QuoteToCashDeps, connection: ConnectionView, entity: ChangedEntity, raw: RawObject, options: ApplyOptions = {}): Promise<AppliedChange> {
  const kind = KIND[entity];
  if (kind) {
    const document = await deps.sales.documentFromRaw(connection.portalId, kind, raw);
    const change = await storeDocumentIfNewer(deps, connection, { document, dealId: null, create: false });
    return documentResult(entity, document.id, change, connection.homeCurrency);
  }
  if (entity === 'Payment') return applyPayment(deps, connection, raw, options);
  return applyCreditMemo(deps, connection, String(raw.Id), raw, options);
}

/** Applies the deletion of one object (a Deleted notification, a CDC tombstone, a 610 answer to reading it). */
export async function applyQboDeletion(
  deps: QuoteToCashDeps,
  connection: ConnectionView,
  entity: ChangedEntity,
  id: string,
  deletedAt: Date | null = null,
  options: ApplyOptions = {},
): Promise<AppliedChange> {
  const kind = KIND[entity];
  if (kind) {
    const change = await recordDocumentDeleted(deps, connection, kind, id, deletedAt);
    if (!change) return { entity, id, result: 'not ours', note: `${entity} ${id} was deleted in QuickBooks; it is not a document DealBooks made.`, documents: [] };
    return { entity, id, result: change.order === 'newer' ? 'applied' : 'unchanged', note: documentNote(change, connection.homeCurrency), documents: [change] };
  }
  if (entity === 'Payment') return applyPaymentDeletion(deps, connection, id, deletedAt, options);
  return applyCreditMemo(deps, connection, id, null, options);
}
