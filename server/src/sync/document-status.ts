import type { QboDocument } from './model';

/**
 * What a person calls the state of a QBO invoice or estimate, from the document alone (pure). QBO has no invoice
 * status field: voiding sets the amounts to 0 and prepends "Voided" to PrivateNote (see the void answer in
 * test/fixtures/quickbooks/payment_void_response.json for the same rule on payments), and payments lower Balance. 'draft' is DealBooks' word for an invoice it has not created in QBO yet: a QBO document
 * is never a draft.
 */
export type InvoiceStatus = 'draft' | 'open' | 'partially_paid' | 'paid' | 'overdue' | 'voided';
export type EstimateStatus = 'pending' | 'accepted' | 'closed' | 'rejected' | 'converted';

/** `today` is `YYYY-MM-DD` in the company's calendar; a due date of today is not overdue yet. */
export function invoiceStatus(doc: Pick<QboDocument, 'totalCents' | 'balanceCents' | 'dueDate' | 'privateNote'>, today: string): InvoiceStatus {
  const total = doc.totalCents;
  const balance = doc.balanceCents ?? total;
  if (total === 0 && (doc.privateNote ?? '').startsWith('Voided')) return 'voided';
  if (balance === 0 && total > 0) return 'paid';
  if (balance > 0 && balance < total) return 'partially_paid';
  if (balance > 0 && doc.dueDate !== null && doc.dueDate < today) return 'overdue';
  return 'open';
}

/**
 * Estimate TxnStatus: Pending (on create), Accepted, Rejected, Closed or Converted. Converting an
 * estimate into an invoice leaves it Closed with a LinkedTxn to the Invoice, so that reads as converted; Closed
 * without an invoice is a person closing it by hand.
 */
export function estimateStatus(doc: Pick<QboDocument, 'txnStatus' | 'linked'>): EstimateStatus {
  switch ((doc.txnStatus ?? '').toLowerCase()) {
    case 'accepted':
      return 'accepted';
    case 'rejected':
      return 'rejected';
    case 'converted':
      return 'converted';
    case 'closed':
      return doc.linked.some((l) => l.type === 'Invoice') ? 'converted' : 'closed';
    default:
      return 'pending';
  }
}

/**
 * Why an estimate cannot be converted into an invoice, or null when it can: QuickBooks allows one invoice per
 * estimate, and a rejected estimate must be reopened in QuickBooks first.
 */
export function conversionRefusal(estimate: Pick<QboDocument, 'txnStatus' | 'linked' | 'docNumber' | 'id'>): string | null {
  const status = estimate.txnStatus ?? 'Pending';
  if (status === 'Closed' || status === 'Converted' || estimate.linked.some((l) => l.type === 'Invoice')) {
    return `Estimate ${estimate.docNumber ?? estimate.id} is closed in QuickBooks (it was already converted or closed), so it cannot be converted again.`;
  }
  if (status === 'Rejected') return `Estimate ${estimate.docNumber ?? estimate.id} was rejected by the customer in QuickBooks. Mark it Accepted or Pending in QuickBooks to convert it.`;
  return null;
}
