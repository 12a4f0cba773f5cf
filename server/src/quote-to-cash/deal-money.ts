import type { ConnectionView } from '../connections/quickbooks-connections';
import { documentStatesOfDeal, paymentsOfInvoices, type DocumentMoneyState } from '../db/deal-money';
import { documentsOfDeal, type StoredDocument } from '../db/qbo-documents';
import { estimateState, invoiceState, type EstimateState, type InvoiceState } from '../sync/document-status';
import { companyDate } from '../sync/format';
import { invoiceMoney, type InvoiceMoney, type InvoicePayment } from '../sync/invoice-money';
import type { NoteInvoice } from '../sync/money-notes';
import type { QuoteToCashDeps } from './deps';

/**
 * The deal's QBO documents as DealBooks knows them now, with what happened to them in QuickBooks since: each copy's
 * state (voided, deleted), the payments applied to each invoice, and the state a person reads. The write-back and
 * the card both start here, so the deal and the card never disagree.
 */
export interface DealInvoice {
  doc: StoredDocument;
  copy: DocumentMoneyState;
  money: InvoiceMoney;
  state: InvoiceState;
  /** Every payment that applied to the invoice, oldest first (voided and deleted ones apply nothing). */
  payments: InvoicePayment[];
}

export interface DealEstimate {
  doc: StoredDocument;
  copy: DocumentMoneyState;
  state: EstimateState;
}

export interface DealDocuments {
  invoices: DealInvoice[];
  estimates: DealEstimate[];
}

/** A copy the money-back columns know nothing of (it cannot happen inside one read, but a row may be added between two). */
const activeCopy = (doc: StoredDocument): DocumentMoneyState => ({ kind: doc.kind, qboId: doc.id, qboState: 'active', stateChangedAt: null, qboUpdatedAt: null, builtTotalCents: null });

export async function dealDocuments(deps: Pick<QuoteToCashDeps, 'pool'>, connection: ConnectionView, dealId: string, today: string): Promise<DealDocuments> {
  const [docs, copies] = await Promise.all([
    documentsOfDeal(deps.pool, connection.portalId, connection.id, dealId),
    documentStatesOfDeal(deps.pool, connection.portalId, connection.id, dealId),
  ]);
  const copyOf = (doc: StoredDocument) => copies.find((c) => c.kind === doc.kind && c.qboId === doc.id) ?? activeCopy(doc);
  const invoiceDocs = docs.filter((d) => d.kind === 'invoice');
  const payments = await paymentsOfInvoices(deps.pool, connection.portalId, connection.id, invoiceDocs.map((d) => d.id));
  const invoices = invoiceDocs.map((doc): DealInvoice => {
    const copy = copyOf(doc);
    const money = invoiceMoney(doc.id, payments);
    const state = invoiceState({ ...doc, qboState: copy.qboState, paidCents: money.paidCents, creditedCents: money.creditedCents }, today);
    return { doc, copy, money, state, payments: payments.filter((p) => p.invoiceId === doc.id) };
  });
  const estimates = docs
    .filter((d) => d.kind === 'estimate')
    .map((doc): DealEstimate => {
      const copy = copyOf(doc);
      return { doc, copy, state: estimateState({ ...doc, qboState: copy.qboState }) };
    });
  return { invoices, estimates };
}

/** An invoice as the notes see it; the day of a void or deletion is the company's date of when DealBooks saw it. */
export function noteInvoice(invoice: DealInvoice, connection: Pick<ConnectionView, 'utcOffsetMinutes'>): NoteInvoice {
  const { doc, copy } = invoice;
  const changedAt = copy.stateChangedAt ?? copy.qboUpdatedAt;
  return {
    id: doc.id,
    docNumber: doc.docNumber,
    currency: doc.currency,
    totalCents: doc.totalCents,
    balanceCents: doc.balanceCents,
    state: copy.qboState,
    stateChangedOn: copy.qboState === 'active' || changedAt === null ? null : companyDate(changedAt, connection.utcOffsetMinutes),
  };
}
