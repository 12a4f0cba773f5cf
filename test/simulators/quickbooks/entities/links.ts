/**
 * Derived links between transactions: how much of an invoice the payments cover, how much of a credit memo they
 * used (RemainingCredit), the read-only Payment entries in Invoice.LinkedTxn, an estimate's Closed status once an
 * invoice links it, and a customer's open Balance. They are recomputed from the stored payments/invoices after
 * each write, so deleting or voiding a payment restores the invoice balance and the credit by construction.
 */
import type { QboCompany } from '../company';
import type { QboObject } from '../entity-names';
import { fromCents, toCents } from '../money';

export interface Application {
  paymentId: string;
  cents: number;
}

/** The transactions (ids) of one type a payment's lines link, with the cents of each. */
function linkedAmounts(payment: QboObject, txnType: 'Invoice' | 'CreditMemo'): Map<string, number> {
  const applied = new Map<string, number>();
  for (const line of (payment.Line ?? []) as QboObject[]) {
    for (const link of (line.LinkedTxn ?? []) as QboObject[]) {
      if (link.TxnType !== txnType) continue;
      const id = String(link.TxnId);
      applied.set(id, (applied.get(id) ?? 0) + toCents(Number(line.Amount ?? 0)));
    }
  }
  return applied;
}

/** The invoices (ids) a payment applies to, with the cents applied to each. */
export function paymentApplications(payment: QboObject): Map<string, number> {
  return linkedAmounts(payment, 'Invoice');
}

/** The credit memos (ids) a payment uses, with the cents of credit taken from each. */
export function creditApplications(payment: QboObject): Map<string, number> {
  return linkedAmounts(payment, 'CreditMemo');
}

/** Credit of a memo that payments have used (optionally not counting one payment, for its own update). */
export function creditUsedCents(company: QboCompany, memoId: string, excludePaymentId?: string): number {
  let used = 0;
  for (const payment of company.lookup('usedCreditMemo', 'Payment', memoId)) {
    if (payment.Id !== excludePaymentId) used += creditApplications(payment).get(memoId) ?? 0;
  }
  return used;
}

/** Credit of a memo not yet used by payments (optionally not counting one payment, for its own update). */
export function remainingCreditCents(company: QboCompany, memo: QboObject, excludePaymentId?: string): number {
  return toCents(Number(memo.TotalAmt ?? 0)) - creditUsedCents(company, memo.Id as string, excludePaymentId);
}

/** Recomputes RemainingCredit (and Balance, which QBO keeps equal to it) of a stored credit memo; a new version only if they changed. */
export function refreshCreditMemo(company: QboCompany, memoId: string): void {
  const memo = company.get('CreditMemo', memoId);
  if (!memo) return;
  const remaining = fromCents(remainingCreditCents(company, memo));
  if (remaining === memo.RemainingCredit && remaining === memo.Balance) return;
  company.replace('CreditMemo', memoId, { ...memo, RemainingCredit: remaining, Balance: remaining });
  refreshCustomerBalance(company, String(memo.CustomerRef?.value));
}

/** Every payment applied to the invoice (excluding one payment, for its own update). */
export function paymentsAppliedTo(company: QboCompany, invoiceId: string, excludePaymentId?: string): Application[] {
  const result: Application[] = [];
  for (const payment of company.lookup('paidInvoice', 'Payment', invoiceId)) {
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
    .lookup('linkedEstimate', 'Invoice', estimateId)
    .filter((inv) => estimateLinksOf(inv).some((l) => l.TxnId === estimateId))
    .map((inv) => ({ TxnId: inv.Id as string, TxnType: 'Invoice' }));
  const wasClosedByInvoice = estimate.TxnStatus === 'Closed' && ((estimate.LinkedTxn ?? []) as QboObject[]).some((l) => l.TxnType === 'Invoice');
  const status = invoices.length > 0 ? 'Closed' : wasClosedByInvoice ? 'Pending' : estimate.TxnStatus;
  if (status === estimate.TxnStatus && JSON.stringify(invoices) === JSON.stringify(estimate.LinkedTxn ?? [])) return;
  const next: QboObject = { ...estimate, TxnStatus: status, LinkedTxn: invoices };
  if (invoices.length === 0) delete next.LinkedTxn;
  company.replace('Estimate', estimateId, next);
}

/**
 * Customer.Balance: open invoice balances minus unapplied payments and remaining credit (no new version). Only the
 * customer's own transactions are read (the `customer` index), so the cost does not grow with the company.
 */
export function refreshCustomerBalance(company: QboCompany, customerId: string): void {
  const customer = company.view('Customer', customerId);
  if (!customer) return;
  const sum = (entity: 'Invoice' | 'Payment' | 'CreditMemo', field: string): number => {
    let cents = 0;
    for (const o of company.lookup('customer', entity, customerId)) if (String(o.CustomerRef?.value) === customerId) cents += toCents(Number(o[field] ?? 0));
    return cents;
  };
  const cents = sum('Invoice', 'Balance') - sum('Payment', 'UnappliedAmt') - sum('CreditMemo', 'RemainingCredit');
  const balance = fromCents(cents);
  if (customer.Balance === balance) return;
  company.patchQuietly('Customer', customerId, { Balance: balance, BalanceWithJobs: balance });
}
