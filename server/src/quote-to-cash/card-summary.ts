import { accountAccess } from '../connections/account-admins';
import { recentActions, type DealAction } from '../db/deal-actions';
import { dealsMergedInto } from '../db/deal-lifecycle';
import { survivorCustomerOffer } from '../db/party-merges';
import { findLink } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { lastHeardFromQuickBooks } from '../db/deal-money';
import type { StoredDocument } from '../db/qbo-documents';
import { qboAppBaseUrl, qboWebUrl } from '../quickbooks/web-links';
import { totalMismatch, type QboState } from '../sync/document-status';
import { companyDate, formatMoney } from '../sync/format';
import type { InvoicePayment } from '../sync/invoice-money';
import { WAITING_FOR_RETRY_CODES } from '../sync/interruption';
import type { Problem } from '../sync/model';
import { mayCreate } from '../sync/settings';
import type { Candidate } from '../sync/customer-match';
import { dealDocuments, type DealEstimate, type DealInvoice } from './deal-money';
import type { QuoteToCashDeps } from './deps';

/**
 * What the deal card shows, read only from DealBooks' database so it answers in milliseconds
 * whatever state QBO is in: the connection, the customer and how sure the match is, the documents with their status,
 * work in progress, the problems to fix, and which buttons to offer.
 */
export type AllowedAction =
  | 'create_invoice'
  | 'create_estimate'
  | 'convert_estimate'
  | 'send_invoice'
  | 'confirm_customer'
  | 'connect_quickbooks'
  | 'reconnect_quickbooks';

/** A payment applied to an invoice, as QuickBooks has it now ('voided' and 'deleted' ones apply nothing any more). */
export interface PaymentView {
  id: string;
  date: string | null;
  /** What the payment applied to this invoice (credit included), and the part of it that was credit. */
  amountCents: number;
  amount: string;
  creditCents: number;
  credit: string | null;
  method: string | null;
  reference: string | null;
  state: QboState;
}

export interface DocumentView {
  id: string;
  kind: 'invoice' | 'estimate';
  docNumber: string | null;
  /** sync/document-status.ts: open, overdue, partially_paid, paid, credited, voided, deleted; pending ... converted. */
  status: string;
  /** What a person did to the document in QuickBooks: 'voided' and 'deleted' documents are shown as such. */
  state: QboState;
  /** Invoices: whole days past the due date while a balance is open; null otherwise (and for estimates). */
  daysOverdue: number | null;
  /** Invoices: the money received so far, credit from credit memos apart; null for estimates. */
  amountPaidCents: number | null;
  amountPaid: string | null;
  creditedCents: number | null;
  /** Set when QuickBooks' total no longer matches the deal's line items DealBooks built it from (edited in QuickBooks). */
  totalMismatch: string | null;
  /** Estimates: the invoice it was converted to (null when not converted, or the invoice is not known). */
  convertedInvoice: { id: string; docNumber: string | null } | null;
  txnDate: string;
  dueDate: string | null;
  currency: string | null;
  totalCents: number;
  total: string;
  balanceCents: number | null;
  balance: string | null;
  emailStatus: string | null;
  /** The address QuickBooks emails the document to; null when it has none (or DealBooks' copy does not know yet). */
  billEmail: string | null;
  url: string;
  paymentIds: string[];
  /** Invoices: each payment applied to it, oldest first, with its date, amount, method and reference. */
  payments: PaymentView[];
}

export interface DealSummary {
  dealId: string;
  connection: { state: 'connected' | 'needs_reconnect' | 'not_connected'; companyName: string | null; message: string | null };
  customer:
    | {
        state: 'linked';
        id: string;
        displayName: string;
        method: string | null;
        confidence: number | null;
        url: string | null;
        /**
         * Set when this customer belonged to a company (or contact) merged in HubSpot into one that uses another QBO
         * customer: what happened in words, and that other customer, which the card offers instead.
         */
        partyMerge?: { message: string; other: { id: string; displayName: string } };
      }
    | { state: 'needs_confirmation'; candidates: Candidate[] }
    | { state: 'none' };
  invoices: DocumentView[];
  estimates: DocumentView[];
  payments: Array<{ id: string; invoiceId: string }>;
  /** What DealBooks last heard from the QuickBooks company (a notification or a change-data-capture pass) and when. */
  lastHeardFromQuickBooks: { at: string; what: string | null } | null;
  /**
   * Work under way. `waitingFor`: what it waits for (a reconnect, or QuickBooks or HubSpot answering again);
   * `nextAttemptAt`: when the job queue tries it next, when it waits out a failure that may pass.
   */
  pending: Array<{ actionId: number; kind: string; status: string; trigger: string; createdAt: string; waitingFor: string | null; nextAttemptAt: string | null }>;
  problems: Problem[];
  allowedActions: AllowedAction[];
  /**
   * Deals merged into this one in HubSpot (their QBO documents are shown here), and, when that left the deal with more
   * than one live invoice, the words saying so: QuickBooks keeps both, a person decides.
   */
  merge: { mergedDealIds: string[]; message: string | null } | null;
}

function paymentView(p: InvoicePayment, currency: string | null): PaymentView {
  return {
    id: p.paymentId,
    date: p.txnDate,
    amountCents: p.amountCents,
    amount: formatMoney(p.amountCents, currency),
    creditCents: p.creditCents,
    credit: p.creditCents === 0 ? null : formatMoney(p.creditCents, currency),
    method: p.method,
    reference: p.reference,
    state: p.state,
  };
}

function invoiceView(invoice: DealInvoice): DocumentView {
  const { doc, copy, money, state } = invoice;
  const ids = new Set(doc.linked.filter((l) => l.type === 'Payment').map((l) => l.id));
  for (const p of invoice.payments) ids.add(p.paymentId);
  return {
    ...view(doc),
    status: state.status,
    state: copy.qboState,
    daysOverdue: state.daysOverdue,
    amountPaidCents: money.paidCents,
    amountPaid: formatMoney(money.paidCents, doc.currency),
    creditedCents: money.creditedCents,
    totalMismatch: totalMismatch({ ...doc, qboState: copy.qboState, builtTotalCents: copy.builtTotalCents }),
    paymentIds: [...ids],
    payments: invoice.payments.map((p) => paymentView(p, doc.currency)),
  };
}

function estimateView(estimate: DealEstimate, invoices: readonly DealInvoice[]): DocumentView {
  const { doc, copy, state } = estimate;
  // The estimate's own link names the invoice; a conversion DealBooks made links the invoice back to the estimate too.
  const invoiceId =
    state.status === 'converted' ? (state.invoiceId ?? invoices.find((i) => i.doc.linked.some((l) => l.type === 'Estimate' && l.id === doc.id))?.doc.id ?? null) : null;
  return {
    ...view(doc),
    status: state.status,
    state: copy.qboState,
    totalMismatch: totalMismatch({ ...doc, qboState: copy.qboState, builtTotalCents: copy.builtTotalCents }),
    convertedInvoice: invoiceId === null ? null : { id: invoiceId, docNumber: invoices.find((i) => i.doc.id === invoiceId)?.doc.docNumber ?? null },
  };
}

function view(doc: StoredDocument): DocumentView {
  return {
    id: doc.id,
    kind: doc.kind,
    docNumber: doc.docNumber,
    status: '',
    state: 'active',
    daysOverdue: null,
    amountPaidCents: null,
    amountPaid: null,
    creditedCents: null,
    totalMismatch: null,
    convertedInvoice: null,
    txnDate: doc.txnDate,
    dueDate: doc.dueDate,
    currency: doc.currency,
    totalCents: doc.totalCents,
    total: formatMoney(doc.totalCents, doc.currency),
    balanceCents: doc.balanceCents,
    balance: doc.balanceCents === null ? null : formatMoney(doc.balanceCents, doc.currency),
    emailStatus: doc.emailStatus,
    billEmail: doc.billEmail,
    url: doc.webUrl,
    paymentIds: doc.linked.filter((l) => l.type === 'Payment').map((l) => l.id),
    payments: [],
  };
}

export async function dealSummary(deps: QuoteToCashDeps, portalId: number, dealId: string, userId: number | undefined): Promise<DealSummary> {
  const [connection, { settings }, actions, access, mergedDealIds] = await Promise.all([
    deps.connections.live(portalId),
    readSettings(deps.pool, portalId),
    recentActions(deps.pool, portalId, dealId, 20),
    accountAccess(deps.pool, { portalId, userId }),
    dealsMergedInto(deps.pool, portalId, dealId),
  ]);
  const today = companyDate(deps.clock.now(), connection?.utcOffsetMinutes ?? null);
  const state = !connection ? 'not_connected' : connection.status === 'connected' ? 'connected' : connection.status === 'needs_reconnect' ? 'needs_reconnect' : 'not_connected';
  const summary: DealSummary = {
    dealId,
    connection: {
      state,
      companyName: connection?.companyName ?? null,
      message: state === 'connected' ? null : state === 'needs_reconnect' ? 'QuickBooks needs to be reconnected. Reconnect it in DealBooks settings.' : 'QuickBooks is not connected. Connect it in DealBooks settings.',
    },
    customer: { state: 'none' },
    invoices: [],
    estimates: [],
    payments: [],
    lastHeardFromQuickBooks: null,
    pending: [],
    problems: [],
    allowedActions: [],
    merge: mergedDealIds.length === 0 ? null : { mergedDealIds, message: null },
  };
  const open = actions.filter((a) => a.status === 'queued' || a.status === 'running');
  // Work that waits for its next attempt (QuickBooks not answering...) says so, and when that attempt comes.
  const retrying = open.filter((a) => waitingForRetry(a) !== null);
  const nextAttempts = retrying.length > 0 ? await deps.queue.nextAttempts(retrying.map((a) => a.id)) : new Map<number, Date>();
  summary.pending = open.map((a: DealAction) => ({
    actionId: a.id,
    kind: a.kind,
    status: a.status,
    trigger: a.trigger,
    createdAt: a.createdAt,
    waitingFor: (waitingForRetry(a) ?? a.problems.find((p) => p.code === 'quickbooks_needs_reconnect' || p.code === 'quickbooks_not_connected' || p.code === 'hubspot_uninstalled'))?.message ?? null,
    nextAttemptAt: waitingForRetry(a) ? (nextAttempts.get(a.id)?.toISOString() ?? null) : null,
  }));
  // The problems of the newest finished action, if it did not succeed and nothing newer is under way.
  // (A success can carry problems too: the invoice was made but QBO did not email it.)
  const newestFinished = actions.find((a) => a.finishedAt !== null);
  if (newestFinished) summary.problems = newestFinished.problems;
  // An outage the work waits out is a problem too, even though nobody needs to act on it.
  const outages = retrying.map((a) => waitingForRetry(a)!).filter((p, i, all) => all.findIndex((q) => q.code === p.code) === i);
  if (outages.length > 0) summary.problems = [...outages, ...summary.problems.filter((p) => !outages.some((o) => o.code === p.code))];

  // Only DealBooks admins connect QuickBooks (connections/account-admins.ts); others are told whom to ask.
  if (state !== 'connected' && !access.isAdmin) {
    summary.connection.message =
      state === 'needs_reconnect' ? 'QuickBooks needs to be reconnected. Ask a DealBooks admin to reconnect QuickBooks.' : 'QuickBooks is not connected. Ask a DealBooks admin to connect QuickBooks.';
  }
  const repair = (action: AllowedAction): AllowedAction[] => (access.isAdmin ? [action] : []);
  if (!connection) {
    summary.allowedActions = repair('connect_quickbooks');
    return summary;
  }
  const [docs, customerLink, invoiceLink, estimateLink, heard] = await Promise.all([
    dealDocuments(deps, connection, dealId, today),
    findLink(deps.pool, connection.id, 'deal', dealId, 'Customer'),
    findLink(deps.pool, connection.id, 'deal', dealId, 'Invoice'),
    findLink(deps.pool, connection.id, 'deal', dealId, 'Estimate'),
    lastHeardFromQuickBooks(deps.pool, portalId, connection.id),
  ]);
  summary.lastHeardFromQuickBooks = heard === null ? null : { at: heard.at.toISOString(), what: heard.what };
  summary.invoices = docs.invoices.map(invoiceView);
  // Send is offered for an invoice QuickBooks has an address for (or whose copy predates DealBooks keeping it).
  const sendable = new Set(docs.invoices.map((i) => i.doc).filter((d) => d.billEmail !== null || !d.billEmailKnown).map((d) => d.id));
  summary.estimates = docs.estimates.map((e) => estimateView(e, docs.invoices));
  if (summary.merge) summary.merge.message = mergeMessage(summary.merge.mergedDealIds, summary.invoices);
  summary.payments = summary.invoices.flatMap((i) => i.paymentIds.map((id) => ({ id, invoiceId: i.id })));
  if (customerLink?.status === 'linked' && customerLink.qboEntityId) {
    const displayName = typeof customerLink.details.displayName === 'string' ? customerLink.details.displayName : customerLink.qboEntityId;
    const offer = await survivorCustomerOffer(deps.pool, connection.id, customerLink.qboEntityId);
    summary.customer = {
      state: 'linked',
      id: customerLink.qboEntityId,
      displayName,
      method: customerLink.matchMethod,
      confidence: customerLink.matchScore,
      url: qboWebUrl(qboAppBaseUrl(connection.environment), 'customer', customerLink.qboEntityId),
    };
    if (offer) {
      const other = offer.displayName ?? offer.customerId;
      const what = offer.mergedType === 'company' ? 'company' : 'contact';
      summary.customer.partyMerge = {
        message: `The ${what} this deal is billed for was merged in HubSpot into one that uses the QuickBooks customer "${other}". This deal is still billed to "${displayName}"; nothing was merged in QuickBooks.`,
        other: { id: offer.customerId, displayName: other },
      };
    }
  } else if (customerLink?.status === 'needs_review') {
    summary.customer = { state: 'needs_confirmation', candidates: storedCandidates(customerLink.details.candidates) };
  }

  if (state !== 'connected') {
    summary.allowedActions = repair(state === 'needs_reconnect' ? 'reconnect_quickbooks' : 'connect_quickbooks');
    return summary;
  }
  const allowed: AllowedAction[] = [];
  const mayAct = mayCreate(settings, userId);
  const busy = (kind: string) => open.some((a) => a.kind === kind);
  // A pending link with no work under way is an attempt whose outcome was never learned: running it again is safe
  // (it looks for the document first), so the button stays.
  const hasInvoice = invoiceLink?.status === 'linked';
  const hasEstimate = estimateLink?.status === 'linked';
  if (mayAct && !hasInvoice && !busy('invoice') && !busy('convert')) allowed.push('create_invoice');
  if (mayAct && !hasEstimate && !busy('estimate')) allowed.push('create_estimate');
  if (mayAct && !hasInvoice && !busy('convert') && summary.estimates.some((e) => e.status === 'pending' || e.status === 'accepted')) allowed.push('convert_estimate');
  // Send is for an invoice that still asks for money: not paid, credited, voided or deleted.
  const asksForMoney = (status: string) => status === 'open' || status === 'overdue' || status === 'partially_paid';
  if (mayAct && summary.invoices.some((i) => asksForMoney(i.status) && sendable.has(i.id)) && !busy('send')) allowed.push('send_invoice');
  // Choosing the customer re-queues the work that stopped to ask, so only those who may create are offered it
  // (confirmCustomer and decideReview refuse anyone else with 403).
  const offered = summary.customer.state === 'linked' && summary.customer.partyMerge !== undefined;
  if (mayAct && (offered || summary.customer.state === 'needs_confirmation' || summary.problems.some((p) => p.code === 'customer_needs_confirmation'))) allowed.push('confirm_customer');
  summary.allowedActions = allowed;
  return summary;
}

/** When merged deals left this one with more than one invoice still in force, the words saying so. */
function mergeMessage(mergedDealIds: readonly string[], invoices: readonly DocumentView[]): string | null {
  const live = invoices.filter((i) => i.state === 'active');
  if (live.length < 2) return null;
  const deals = mergedDealIds.length === 1 ? `deal ${mergedDealIds[0]} was` : `deals ${mergedDealIds.join(', ')} were`;
  const numbers = live.map((i) => i.docNumber ?? i.id).join(' and ');
  return `This deal has ${live.length} QuickBooks invoices (${numbers}): ${deals} merged into it, and each had its own. QuickBooks keeps both; if the sale was billed twice, void the extra invoice in QuickBooks.`;
}

/** The problem an open action waits out until its next attempt, if it stopped on something that may pass. */
function waitingForRetry(action: DealAction): Problem | null {
  return action.problems.find((p) => (WAITING_FOR_RETRY_CODES as readonly string[]).includes(p.code)) ?? null;
}

/** Candidates as recordCandidates stored them on the link; anything else (an older shape) is left out. */
function storedCandidates(value: unknown): Candidate[] {
  if (!Array.isArray(value)) return [];
  return value.filter((c): c is Candidate => typeof c === 'object' && c !== null && typeof c.id === 'string' && typeof c.displayName === 'string' && typeof c.score === 'number');
}
