import { getAction, openAction, type DealAction, type DealActionKind } from '../db/deal-actions';
import { findLink } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { documentOf, type StoredDocument } from '../db/qbo-documents';
import { syncLogEntry } from '../db/sync-log';
import { ConflictError, ConnectionBlockedError, ForbiddenError, NotFoundError, UnprocessableError, UpstreamSlowError } from '../errors';
import { withDeadline } from '../lib/deadline';
import type { ConnectionView } from '../connections/quickbooks-connections';
import { conversionRefusal } from '../sync/document-status';
import type { DealSnapshot } from '../sync/model';
import { dealNotFoundMessage, noAddressMessage } from '../sync/preflight';
import { mayCreate, type Settings } from '../sync/settings';
import type { QuoteToCashDeps } from './deps';
import { DocumentDeletedError, documentGone, recordDocumentDeleted, writeBackLater } from './document-copies';
import { keepCopy } from './record-document';
import { invoiceSendAddress, type SendAddress } from './send-invoice';

/**
 * What a person asks for on the deal card (and the sync log's Retry). Anything that writes to QuickBooks is queued
 * and answered at once; the card polls the summary. Every request is idempotent: HubSpot retries a failed fetch and
 * people double click, and both find the action already queued or the document already made.
 */
export type Queued = { kind: 'queued'; action: DealAction; alreadyQueued: boolean; sendTo?: { address: string | null; source: string | null } | null };
export type CardRequest = { kind: 'exists'; document: { id: string; docNumber?: string | null; url?: string | null } } | Queued;

/** Who asks: the account and user of the signed request (HubSpot may leave the user out). */
export interface Requester {
  portalId: number;
  userId?: number;
}

/** How long the card waits on QuickBooks or HubSpot before it is told to try again. */
export const CARD_UPSTREAM_BUDGET_MS = 10_000;

/** The card waits at most `ms` for HubSpot or QuickBooks; after that it is told to try again. */
export function withinCardBudget<T>(promise: Promise<T>, what: string, ms = CARD_UPSTREAM_BUDGET_MS): Promise<T> {
  return withDeadline(promise, ms, () => new UpstreamSlowError(`${what} is taking longer than ${ms / 1000} s (QuickBooks or HubSpot is slow). Try again in a minute.`));
}

/** The account's QBO connection, if a person can use it now; otherwise the card is told how to repair it. */
export async function usableConnection(deps: QuoteToCashDeps, portalId: number): Promise<ConnectionView> {
  const connection = await deps.connections.live(portalId);
  if (!connection) throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
  if (connection.status === 'needs_reconnect') throw new ConnectionBlockedError('quickbooks', 'needs_reconnect', portalId);
  return connection;
}

/**
 * Finance may limit who creates documents (the `creators` setting); the card's buttons are refused for anyone else.
 * Deciding which QuickBooks customer a deal is billed to is part of that billing work, on the card and on the
 * settings page's review list alike, so it passes `what` to say so in the refusal.
 */
export async function requireCreator(deps: QuoteToCashDeps, who: Requester, what?: string): Promise<Settings> {
  const { settings } = await readSettings(deps.pool, who.portalId);
  if (!mayCreate(settings, who.userId)) {
    const also = what === undefined ? '' : `, and ${what} is part of that`;
    throw new ForbiddenError(`Your DealBooks settings allow only some users to create invoices and estimates${also}. Ask a DealBooks admin to add you.`);
  }
  return settings;
}

async function queueAction(
  deps: QuoteToCashDeps,
  input: { portalId: number; dealId: string; kind: DealActionKind; targetId?: string; trigger: 'card' | 'retry'; userId: number | undefined; options?: Record<string, unknown> },
): Promise<Queued> {
  const { action, created } = await openAction(deps.pool, { ...input, userId: input.userId ?? null }, deps.clock.now());
  if (created) await deps.queue.action(input.portalId, input.dealId, action.id);
  return { kind: 'queued', action, alreadyQueued: !created };
}

/** "Create invoice" / "Create estimate": the deal's document, or the action that will make it. */
export async function requestDocument(deps: QuoteToCashDeps, who: Requester, dealId: string, kind: 'invoice' | 'estimate', options: { send?: boolean }): Promise<CardRequest> {
  const connection = await usableConnection(deps, who.portalId);
  await requireCreator(deps, who);
  const link = await findLink(deps.pool, connection.id, 'deal', dealId, kind === 'invoice' ? 'Invoice' : 'Estimate');
  if (link?.status === 'linked' && link.qboEntityId && (await stillStands(deps, connection, dealId, kind, link.qboEntityId))) {
    const doc = await documentOf(deps.pool, who.portalId, connection.id, kind, link.qboEntityId);
    return { kind: 'exists', document: { id: link.qboEntityId, docNumber: doc?.docNumber ?? null, url: doc?.webUrl ?? null } };
  }
  // An id HubSpot does not know is refused now, in words, rather than queued to fail later. If HubSpot cannot be read
  // just now, the action is queued anyway: the job reads the deal again before it writes.
  if ((await dealKnown(deps, who.portalId, dealId)) === false) throw new NotFoundError(dealNotFoundMessage(dealId, kind), { details: { dealId } });
  return queueAction(deps, { portalId: who.portalId, dealId, kind, trigger: 'card', userId: who.userId, options: options.send === undefined ? {} : { send: options.send } });
}

/**
 * Whether the deal's linked document still counts as its own: QuickBooks is asked (a notice of a void or a deletion
 * may have been lost), and one it voided or no longer has (610) is recorded so and unlinked, so the press makes a new
 * one. When QuickBooks cannot say in time, the link stands (the job checks again before writing).
 */
async function stillStands(deps: QuoteToCashDeps, connection: ConnectionView, dealId: string, kind: 'invoice' | 'estimate', qboId: string): Promise<boolean> {
  try {
    const fresh = await withinCardBudget(deps.sales.readDocument(connection.portalId, kind, qboId), 'Reading the document', 5_000);
    const change = fresh ? await keepCopy(deps, connection, dealId, fresh.document) : await recordDocumentDeleted(deps, connection, kind, qboId);
    if (change && change.after.qboState !== 'active') {
      await writeBackLater(deps, connection.portalId, [dealId]);
      return false;
    }
  } catch (err) {
    deps.logger.warn({ err, portalId: connection.portalId, dealId, qboId }, 'the deal’s document could not be read at the press; its link stands');
  }
  return true;
}

/** Whether HubSpot has the deal; undefined when HubSpot could not say in time. */
async function dealKnown(deps: QuoteToCashDeps, portalId: number, dealId: string): Promise<boolean | undefined> {
  try {
    return await withinCardBudget(deps.deals.dealExists(portalId, dealId), 'Looking up the deal', 5_000);
  } catch (err) {
    deps.logger.warn({ err, portalId, dealId }, 'the deal could not be looked up at the press; the job reads it again');
    return undefined;
  }
}

/**
 * "Convert to invoice". The customer may have accepted or rejected the estimate in QBO since DealBooks last looked,
 * so it is judged as it is now; if QBO is slow, the stored copy decides here and the job checks again before writing.
 */
export async function requestConversion(deps: QuoteToCashDeps, who: Requester, estimateId: string): Promise<CardRequest> {
  const connection = await usableConnection(deps, who.portalId);
  await requireCreator(deps, who);
  const stored = await documentOf(deps.pool, who.portalId, connection.id, 'estimate', estimateId);
  if (!stored || !stored.dealId) throw new NotFoundError(`Estimate ${estimateId} is not an estimate DealBooks made for a deal of this account.`);
  if (stored.qboState === 'deleted') throw new DocumentDeletedError('estimate', stored, 'converted');
  const dealId = stored.dealId;
  let estimate = stored;
  try {
    const fresh = await withinCardBudget(deps.sales.readDocument(who.portalId, 'estimate', estimateId), 'Reading the estimate', 5_000);
    if (!fresh) throw await documentGone(deps, who.portalId, 'estimate', estimateId, 'converted');
    await keepCopy(deps, connection, dealId, fresh.document);
    estimate = { ...stored, ...fresh.document, currency: fresh.document.currency ?? connection.homeCurrency };
  } catch (err) {
    if (err instanceof DocumentDeletedError) throw err;
    deps.logger.warn({ err, portalId: who.portalId, estimateId }, 'the estimate could not be read fresh; judging the stored copy');
  }
  const refusal = conversionRefusal(estimate);
  if (refusal) throw new ConflictError(refusal, { details: { estimateStatus: estimate.txnStatus } });
  const invoice = await findLink(deps.pool, connection.id, 'deal', dealId, 'Invoice');
  if (invoice?.status === 'linked' && invoice.qboEntityId) return { kind: 'exists', document: { id: invoice.qboEntityId } };
  return queueAction(deps, { portalId: who.portalId, dealId, kind: 'convert', targetId: estimateId, trigger: 'card', userId: who.userId });
}

/** "Send invoice": QuickBooks emails it, to `sendTo` when the person gave an address. */
export async function requestSend(deps: QuoteToCashDeps, who: Requester, invoiceId: string, sendTo: string | undefined): Promise<CardRequest> {
  const connection = await usableConnection(deps, who.portalId);
  await requireCreator(deps, who);
  const invoice = await documentOf(deps.pool, who.portalId, connection.id, 'invoice', invoiceId);
  if (!invoice || !invoice.dealId) throw new NotFoundError(`Invoice ${invoiceId} is not an invoice DealBooks made for a deal of this account.`);
  if (invoice.qboState === 'deleted') throw new DocumentDeletedError('invoice', invoice, 'sent');
  // The answer says where the email goes; the action sends to exactly that address. If QuickBooks is too slow to
  // tell now, the answer says null and the action decides by the same rule when it runs.
  let address: SendAddress | null = null;
  try {
    address = await withinCardBudget(invoiceSendAddress(deps, who.portalId, invoice.dealId, invoiceId, sendTo), 'Finding the invoice’s email address', 5_000);
  } catch (err) {
    // Gone from QuickBooks: refused now, in words, instead of failing later in the job.
    if (err instanceof DocumentDeletedError) throw err;
    deps.logger.warn({ err, portalId: who.portalId, invoiceId }, 'the send address could not be decided at the press');
  }
  // Nobody to send to is known now, at the press: refuse with what to do instead of failing later in the job.
  if (address && !address.address) {
    throw new UnprocessableError(noAddressMessage(invoice.docNumber ?? invoice.id), { code: 'no_bill_email', details: { invoiceId } });
  }
  const options = address?.address ? { sendTo: address.address } : {};
  const queued = await queueAction(deps, { portalId: who.portalId, dealId: invoice.dealId, kind: 'send', targetId: invoiceId, trigger: 'card', userId: who.userId, options });
  // A press that found the send already queued answers with that action's address.
  const queuedTo = queued.action.options.sendTo;
  const decided = typeof queuedTo === 'string' ? { address: queuedTo, source: address?.address === queuedTo ? address.source : null } : address;
  return { ...queued, sendTo: decided };
}

/** The sync log's Retry: the logged action again, as a new action, for those who may create documents. */
export async function retryLogged(deps: QuoteToCashDeps, who: Requester, entryId: number): Promise<Queued> {
  // A retry runs a create, send or convert again: the same people may press it as may press those on the card.
  await requireCreator(deps, who);
  const entry = await syncLogEntry(deps.pool, who.portalId, entryId);
  if (!entry) throw new NotFoundError(`Sync log entry ${entryId} does not exist in this account.`);
  const original = entry.dealActionId ? await getAction(deps.pool, who.portalId, entry.dealActionId) : null;
  if (!original || !entry.dealId) throw new ConflictError('This entry is not about an action that can be retried.');
  if (entry.outcome === 'succeeded' || entry.outcome === 'skipped') throw new ConflictError('This attempt succeeded; there is nothing to retry.');
  return queueAction(deps, { portalId: who.portalId, dealId: original.dealId, kind: original.kind, targetId: original.targetId, trigger: 'retry', userId: who.userId, options: original.options });
}
