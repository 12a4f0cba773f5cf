import { recentActions, type DealAction } from '../db/deal-actions';
import { findLink } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { documentsOfDeal, type StoredDocument } from '../db/qbo-documents';
import { qboAppBaseUrl, qboWebUrl } from '../quickbooks/web-links';
import { estimateStatus, invoiceStatus } from '../sync/document-status';
import { companyDate, formatMoney } from '../sync/format';
import { WAITING_FOR_RETRY_CODES } from '../sync/interruption';
import type { Problem } from '../sync/model';
import { mayCreate } from '../sync/settings';
import type { Candidate } from '../sync/customer-match';
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

export interface DocumentView {
  id: string;
  kind: 'invoice' | 'estimate';
  docNumber: string | null;
  status: string;
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
}

export interface DealSummary {
  dealId: string;
  connection: { state: 'connected' | 'needs_reconnect' | 'not_connected'; companyName: string | null; message: string | null };
  customer:
    | { state: 'linked'; id: string; displayName: string; method: string | null; confidence: number | null; url: string | null }
    | { state: 'needs_confirmation'; candidates: Candidate[] }
    | { state: 'none' };
  invoices: DocumentView[];
  estimates: DocumentView[];
  payments: Array<{ id: string; invoiceId: string }>;
  /**
   * Work under way. `waitingFor`: what it waits for (a reconnect, or QuickBooks or HubSpot answering again);
   * `nextAttemptAt`: when the job queue tries it next, when it waits out a failure that may pass.
   */
  pending: Array<{ actionId: number; kind: string; status: string; trigger: string; createdAt: string; waitingFor: string | null; nextAttemptAt: string | null }>;
  problems: Problem[];
  allowedActions: AllowedAction[];
}

function view(doc: StoredDocument, today: string): DocumentView {
  return {
    id: doc.id,
    kind: doc.kind,
    docNumber: doc.docNumber,
    status: doc.kind === 'invoice' ? invoiceStatus(doc, today) : estimateStatus(doc),
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
  };
}

export async function dealSummary(deps: QuoteToCashDeps, portalId: number, dealId: string, userId: number | undefined): Promise<DealSummary> {
  const [connection, { settings }, actions] = await Promise.all([
    deps.connections.live(portalId),
    readSettings(deps.pool, portalId),
    recentActions(deps.pool, portalId, dealId, 20),
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
    pending: [],
    problems: [],
    allowedActions: [],
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

  if (!connection) {
    summary.allowedActions = ['connect_quickbooks'];
    return summary;
  }
  const [docs, customerLink, invoiceLink, estimateLink] = await Promise.all([
    documentsOfDeal(deps.pool, portalId, connection.id, dealId),
    findLink(deps.pool, connection.id, 'deal', dealId, 'Customer'),
    findLink(deps.pool, connection.id, 'deal', dealId, 'Invoice'),
    findLink(deps.pool, connection.id, 'deal', dealId, 'Estimate'),
  ]);
  summary.invoices = docs.filter((d) => d.kind === 'invoice').map((d) => view(d, today));
  // Send is offered for an invoice QuickBooks has an address for (or whose copy predates DealBooks keeping it).
  const sendable = new Set(docs.filter((d) => d.kind === 'invoice' && (d.billEmail !== null || !d.billEmailKnown)).map((d) => d.id));
  summary.estimates = docs.filter((d) => d.kind === 'estimate').map((d) => view(d, today));
  summary.payments = summary.invoices.flatMap((i) => i.paymentIds.map((id) => ({ id, invoiceId: i.id })));
  if (customerLink?.status === 'linked' && customerLink.qboEntityId) {
    summary.customer = {
      state: 'linked',
      id: customerLink.qboEntityId,
      displayName: typeof customerLink.details.displayName === 'string' ? customerLink.details.displayName : customerLink.qboEntityId,
      method: customerLink.matchMethod,
      confidence: customerLink.matchScore,
      url: qboWebUrl(qboAppBaseUrl(connection.environment), 'customer', customerLink.qboEntityId),
    };
  } else if (customerLink?.status === 'needs_review') {
    summary.customer = { state: 'needs_confirmation', candidates: storedCandidates(customerLink.details.candidates) };
  }

  if (state !== 'connected') {
    summary.allowedActions = [state === 'needs_reconnect' ? 'reconnect_quickbooks' : 'connect_quickbooks'];
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
  if (mayAct && summary.invoices.some((i) => i.status !== 'voided' && i.status !== 'paid' && sendable.has(i.id)) && !busy('send')) allowed.push('send_invoice');
  if (summary.customer.state === 'needs_confirmation' || summary.problems.some((p) => p.code === 'customer_needs_confirmation')) allowed.push('confirm_customer');
  summary.allowedActions = allowed;
  return summary;
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
