/**
 * Derived links between transactions: how much of an invoice the payments cover, the read-only Payment entries in
 * Invoice.LinkedTxn, an estimate's Closed status once an invoice links it, and a customer's open Balance. They are
 * recomputed from the stored payments/invoices after each write, so deleting or voiding a payment restores the
 * invoice balance by construction.
 */
import type { QboCompany } from '../company';
import type { QboObject } from '../entity-names';
import { fromCents, toCents } from '../money';

export interface Application {
  paymentId: string;
  cents: number;
}

/** The invoices (ids) a payment applies to, with the cents applied to each. */
export function paymentApplications(payment: QboObject): Map<string, number> {
  const applied = new Map<string, number>();
  for (const line of (payment.Line ?? []) as QboObject[]) {
    for (const link of (line.LinkedTxn ?? []) as QboObject[]) {
      if (link.TxnType !== 'Invoice') continue;
      const id = String(link.TxnId);
      applied.set(id, (applied.get(id) ?? 0) + toCents(Number(line.Amount ?? 0)));
    }
  }
  return applied;
}

/** Every payment applied to the invoice (excluding one payment, for its own update). */
export function paymentsAppliedTo(company: QboCompany, invoiceId: string, excludePaymentId?: string): Application[] {
  const result: Application[] = [];
  for (const payment of company.list('Payment')) {
    if (payment.Id === excludePaymentId) continue;
    const cents = paymentApplications(payment).get(invoiceId);
    if (cents !== undefined && cents > 0) result.push({ paymentId: payment.Id as string, cents });
  }
  return result;
}

export const sumCents = (applications: Application[]): number => applications.reduce((sum, a) => sum + a.cents, 0);

/** What is still owed on an invoice: TotalAmt - Deposit - payments (optionally not counting one payment). */
export function openBalanceCents(company: QboCompany, invoice: QboObject, excludePaymentId?: string): number {
  const applied = sumCents(paymentsAppliedTo(company, invoice.Id as string, excludePaymentId));
  return toCents(Number(invoice.TotalAmt ?? 0)) - toCents(Number(invoice.Deposit ?? 0)) - applied;
}

/** The Estimate link an invoice was created with (writable; at most one). */
export function estimateLinksOf(invoice: QboObject): QboObject[] {
  return ((invoice.LinkedTxn ?? []) as QboObject[]).filter((l) => l.TxnType === 'Estimate').map((l) => ({ TxnId: String(l.TxnId), TxnType: 'Estimate' }));
}

/** Invoice.LinkedTxn as QBO shows it: the estimate link, then one entry per applied payment. */
export function invoiceLinkedTxn(company: QboCompany, invoice: QboObject): QboObject[] {
  const payments = invoice.Id ? paymentsAppliedTo(company, invoice.Id as string) : [];
  return [...estimateLinksOf(invoice), ...payments.map((p) => ({ TxnId: p.paymentId, TxnType: 'Payment' }))];
}

/** Recomputes Balance and LinkedTxn of a stored invoice; writes a new version only if they changed. */
export function refreshInvoice(company: QboCompany, invoiceId: string): void {
  const invoice = company.get('Invoice', invoiceId);
  if (!invoice) return;
  const balance = fromCents(openBalanceCents(company, invoice));
  const linked = invoiceLinkedTxn(company, invoice);
  if (balance === invoice.Balance && JSON.stringify(linked) === JSON.stringify(invoice.LinkedTxn ?? [])) return;
  company.replace('Invoice', invoiceId, { ...invoice, Balance: balance, LinkedTxn: linked });
  refreshCustomerBalance(company, String(invoice.CustomerRef?.value));
}

/** An estimate reads Closed with a LinkedTxn to the invoice that converted it, and reopens if that goes away. */
export function refreshEstimate(company: QboCompany, estimateId: string): void {
  const estimate = company.get('Estimate', estimateId);
  if (!estimate) return;
  const invoices = company
    .list('Invoice')
    .filter((inv) => estimateLinksOf(inv).some((l) => l.TxnId === estimateId))
    .map((inv) => ({ TxnId: inv.Id as string, TxnType: 'Invoice' }));
  const wasClosedByInvoice = estimate.TxnStatus === 'Closed' && ((estimate.LinkedTxn ?? []) as QboObject[]).some((l) => l.TxnType === 'Invoice');
  const status = invoices.length > 0 ? 'Closed' : wasClosedByInvoice ? 'Pending' : estimate.TxnStatus;
  if (status === estimate.TxnStatus && JSON.stringify(invoices) === JSON.stringify(estimate.LinkedTxn ?? [])) return;
  const next: QboObject = { ...estimate, TxnStatus: status, LinkedTxn: invoices };
  if (invoices.length === 0) delete next.LinkedTxn;
  company.replace('Estimate', estimateId, next);
}

/** Customer.Balance: open invoice balances minus unapplied payments and remaining credit (no new version). */
export function refreshCustomerBalance(company: QboCompany, customerId: string): void {
  const customer = company.get('Customer', customerId);
  if (!customer) return;
  const mine = (o: QboObject) => String(o.CustomerRef?.value) === customerId;
  const cents =
    company.list('Invoice').filter(mine).reduce((s, o) => s + toCents(Number(o.Balance ?? 0)), 0) -
    company.list('Payment').filter(mine).reduce((s, o) => s + toCents(Number(o.UnappliedAmt ?? 0)), 0) -
    company.list('CreditMemo').filter(mine).reduce((s, o) => s + toCents(Number(o.RemainingCredit ?? 0)), 0);
  const balance = fromCents(cents);
  if (customer.Balance === balance) return;
  company.patchQuietly('Customer', customerId, { Balance: balance, BalanceWithJobs: balance });
}
