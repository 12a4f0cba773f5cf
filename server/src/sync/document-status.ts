import { formatMoney } from './format';
import type { QboDocument } from './model';

/**
 * What a person calls the state of a QBO invoice or estimate (pure). QBO has no invoice status field: voiding sets
 * the amounts to 0 and prepends "Voided" to PrivateNote (see the void answer in
 * test/fixtures/quickbooks/payment_void_response.json for the same rule on payments), payments lower Balance, and a
 * deleted document only leaves a tombstone. DealBooks' copy records a void or a deletion it heard of as its
 * `qboState`; the payments it keeps say how much of what was applied came from a credit memo. 'draft' is DealBooks'
 * word for an invoice it has not created in QBO yet: a QBO document is never a draft.
 */
export type InvoiceStatus = 'draft' | 'open' | 'partially_paid' | 'paid' | 'overdue' | 'voided' | 'deleted' | 'credited';
export type EstimateStatus = 'pending' | 'accepted' | 'closed' | 'rejected' | 'converted' | 'deleted';
/** What a person did to a document in QuickBooks, as DealBooks' copy records it. */
export type QboState = 'active' | 'voided' | 'deleted';

export interface InvoiceFacts extends Pick<QboDocument, 'totalCents' | 'balanceCents' | 'dueDate'> {
  /** Only a document read from QBO has it; DealBooks' copy records a void as `qboState`. */
  privateNote?: string | null;
  /** Absent: active (a document read from QBO just now). */
  qboState?: QboState;
  /** What active payments applied to the invoice as money, and as credit from a credit memo (absent: unknown). */
  paidCents?: number;
  creditedCents?: number;
}

export interface InvoiceState {
  status: InvoiceStatus;
  /**
   * Whole days since the due date while a balance is open (partly paid or not): null when not past due, paid, voided
   * or deleted. A due date of today is not overdue yet.
   */
  daysOverdue: number | null;
}

const DAY_MS = 86_400_000;

/** Days from one `YYYY-MM-DD` to a later one (both whole dates, so the difference is whole days). */
function daysFrom(earlier: string, later: string): number {
  return (Date.parse(`${later}T00:00:00Z`) - Date.parse(`${earlier}T00:00:00Z`)) / DAY_MS;
}

/**
 * The state of an invoice, `today` being `YYYY-MM-DD` in the QBO company's own calendar (sync/format.ts companyDate):
 * - deleted or voided in QuickBooks: so, whatever its amounts say (a voided invoice reads 0 of 0);
 * - balance 0 of a total above 0: paid, or credited when no money was applied, only credit (a credit memo settled it);
 * - some paid, some open: partially paid (a late one says so with daysOverdue, not with its status);
 * - nothing paid, past its due date: overdue, with the days;
 * - otherwise open, including a zero-total invoice that was not voided: nothing was ever owed, so nothing was paid.
 * Without a Balance the invoice is judged by its total (nothing paid).
 */
export function invoiceState(doc: InvoiceFacts, today: string): InvoiceState {
  if (doc.qboState === 'deleted') return { status: 'deleted', daysOverdue: null };
  if (doc.qboState === 'voided' || (doc.totalCents === 0 && doc.privateNote?.startsWith('Voided') === true)) return { status: 'voided', daysOverdue: null };
  const total = doc.totalCents;
  const balance = doc.balanceCents ?? total;
  if (balance === 0 && total > 0) {
    const creditOnly = (doc.creditedCents ?? 0) > 0 && (doc.paidCents ?? 0) === 0;
    return { status: creditOnly ? 'credited' : 'paid', daysOverdue: null };
  }
  // No due date: never overdue (it reads as due today).
  const due = doc.dueDate ?? today;
  const daysOverdue = balance > 0 && due < today ? daysFrom(due, today) : null;
  if (balance > 0 && balance < total) return { status: 'partially_paid', daysOverdue };
  if (daysOverdue !== null) return { status: 'overdue', daysOverdue };
  return { status: 'open', daysOverdue: null };
}

/** invoiceState's status alone, for callers that show nothing else. */
export function invoiceStatus(doc: InvoiceFacts, today: string): InvoiceStatus {
  return invoiceState(doc, today).status;
}

export type EstimateState = { status: Exclude<EstimateStatus, 'converted'>; invoiceId: null } | { status: 'converted'; invoiceId: string | null };

/**
 * Estimate TxnStatus: Pending (on create), Accepted, Rejected, Closed or Converted. Converting an estimate into an
 * invoice leaves it Closed with a LinkedTxn to the Invoice, so that reads as converted, naming the invoice; Closed
 * without an invoice is a person closing it by hand. A deletion DealBooks heard of wins over the status.
 */
export function estimateState(doc: Pick<QboDocument, 'txnStatus' | 'linked'> & { qboState?: QboState }): EstimateState {
  if (doc.qboState === 'deleted') return { status: 'deleted', invoiceId: null };
  const invoiceId = doc.linked.find((l) => l.type === 'Invoice')?.id ?? null;
  switch (doc.txnStatus?.toLowerCase()) {
    case 'accepted':
      return { status: 'accepted', invoiceId: null };
    case 'rejected':
      return { status: 'rejected', invoiceId: null };
    case 'converted':
      return { status: 'converted', invoiceId };
    case 'closed':
      return invoiceId === null ? { status: 'closed', invoiceId: null } : { status: 'converted', invoiceId };
    default:
      return { status: 'pending', invoiceId: null };
  }
}

/** estimateState's status alone. */
export function estimateStatus(doc: Pick<QboDocument, 'txnStatus' | 'linked'> & { qboState?: QboState }): EstimateStatus {
  return estimateState(doc).status;
}

/**
 * Why an estimate cannot be converted into an invoice, or null when it can: QuickBooks allows one invoice per
 * estimate, and a rejected estimate must be reopened in QuickBooks first.
 */
export function conversionRefusal(estimate: Pick<QboDocument, 'txnStatus' | 'linked' | 'docNumber' | 'id'>): string | null {
  const status = estimate.txnStatus;
  if (status === 'Closed' || status === 'Converted' || estimate.linked.some((l) => l.type === 'Invoice')) {
    return `Estimate ${estimate.docNumber ?? estimate.id} is closed in QuickBooks (it was already converted or closed), so it cannot be converted again.`;
  }
  if (status === 'Rejected') return `Estimate ${estimate.docNumber ?? estimate.id} was rejected by the customer in QuickBooks. Mark it Accepted or Pending in QuickBooks to convert it.`;
  return null;
}

/**
 * The words when a document's amounts in QuickBooks no longer match what DealBooks built from the deal's line items
 * (someone edited the document in QuickBooks), or null when they match, nothing was recorded at build time, or the
 * document was voided or deleted (its state says enough). `builtTotalCents` is the line items' total, before tax:
 * QBO adds tax itself, so QBO's pre-tax total (TotalAmt less the tax) is what must still equal it. Neither side is
 * corrected silently: a person decides which one is right.
 */
export function totalMismatch(doc: Pick<QboDocument, 'totalCents' | 'taxCents' | 'currency'> & { qboState?: QboState; builtTotalCents: number | null }): string | null {
  if (doc.builtTotalCents === null || (doc.qboState ?? 'active') !== 'active') return null;
  const preTax = doc.totalCents - doc.taxCents;
  if (preTax === doc.builtTotalCents) return null;
  const which = doc.taxCents === 0 ? 'The total in QuickBooks' : 'The total before tax in QuickBooks';
  return `${which} (${formatMoney(preTax, doc.currency)}) no longer matches the deal's line items (${formatMoney(doc.builtTotalCents, doc.currency)}).`;
}
