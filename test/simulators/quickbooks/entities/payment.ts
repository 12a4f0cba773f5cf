/**
 * Payment: `Line[{Amount, LinkedTxn:[{TxnId, TxnType:"Invoice"}]}]` applies money to invoices of the same
 * customer, never more than an invoice's open balance; `UnappliedAmt = TotalAmt - applied`. Invoice balances and
 * their Payment links are derived from the stored payments (links.ts), so a payment's update, void or delete
 * moves them back by construction.
 */
import type { QboCompany } from '../company';
import type { QboObject } from '../entity-names';
import { businessValidation, invalidValue, objectNotFound, requiredParamMissing } from '../fault';
import { fromCents, isMoney, toCents } from '../money';
import { isQboDate } from '../time';
import { openBalanceCents, paymentApplications, refreshCustomerBalance, refreshInvoice } from './links';
import { assertPeriodOpen, compact, resolveOptionalRef, resolveRef, type EntityRules } from './rules';

function undepositedFunds(company: QboCompany): QboObject | undefined {
  return company.list('Account').find((a) => a.AccountSubType === 'UndepositedFunds' && a.Active !== false);
}

function applicationLines(company: QboCompany, input: QboObject, customerId: string, paymentId: string | undefined): { lines: QboObject[]; appliedCents: number } {
  const raw = (input.Line ?? []) as unknown;
  if (!Array.isArray(raw)) throw invalidValue('Line must be an array', 'Line');
  const lines: QboObject[] = [];
  const perInvoice = new Map<string, number>();
  raw.forEach((entry: QboObject, index) => {
    if (!isMoney(entry?.Amount)) throw requiredParamMissing('Required parameter Line.Amount is missing in the request', `Line[${index}].Amount`);
    const links = (entry.LinkedTxn ?? []) as QboObject[];
    if (!Array.isArray(links) || links.length !== 1) throw invalidValue('Each payment line links exactly one transaction', `Line[${index}].LinkedTxn`);
    const link = links[0] as QboObject;
    if (link.TxnType !== 'Invoice') throw invalidValue(`Payments can be applied to invoices only in this simulator, not ${String(link.TxnType)}`, `Line[${index}].LinkedTxn`);
    const invoiceId = String(link.TxnId);
    const invoice = company.get('Invoice', invoiceId);
    if (!invoice) throw objectNotFound(`Invoice Id=${invoiceId}`, `Line[${index}].LinkedTxn`);
    if (String(invoice.CustomerRef?.value) !== customerId) throw businessValidation(`Invoice ${invoiceId} belongs to another customer`, `Line[${index}].LinkedTxn`);
    const cents = toCents(entry.Amount as number);
    if (cents <= 0) throw invalidValue('A payment line amount must be positive', `Line[${index}].Amount`);
    perInvoice.set(invoiceId, (perInvoice.get(invoiceId) ?? 0) + cents);
    lines.push({ ...entry, Amount: fromCents(cents), LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] });
  });
  for (const [invoiceId, cents] of perInvoice) {
    const invoice = company.get('Invoice', invoiceId) as QboObject;
    const open = openBalanceCents(company, invoice, paymentId);
    if (cents > open) {
      throw businessValidation(`The payment amount ${fromCents(cents)} applied to invoice ${invoiceId} exceeds its open balance ${fromCents(open)}`, 'Line.Amount');
    }
  }
  return { lines, appliedCents: [...perInvoice.values()].reduce((a, b) => a + b, 0) };
}

export const paymentRules: EntityRules = {
  entity: 'Payment',
  deletable: true,
  build(company, input, existing) {
    const customer = resolveRef(company, 'Customer', input.CustomerRef, 'CustomerRef');
    if (!isMoney(input.TotalAmt)) throw requiredParamMissing('Required parameter TotalAmt is missing in the request', 'TotalAmt');
    const total = toCents(input.TotalAmt);
    if (total < 0) throw invalidValue('TotalAmt may not be negative', 'TotalAmt');
    const txnDate = (input.TxnDate as string | undefined) ?? existing?.TxnDate ?? company.today();
    if (!isQboDate(txnDate)) throw invalidValue(`TxnDate must be YYYY-MM-DD: ${String(txnDate)}`, 'TxnDate');
    if (existing) assertPeriodOpen(company, existing.TxnDate);
    assertPeriodOpen(company, txnDate);
    const { lines, appliedCents } = applicationLines(company, input, customer.ref.value, existing?.Id as string | undefined);
    if (appliedCents > total) throw businessValidation(`The amounts applied (${fromCents(appliedCents)}) exceed the payment total ${fromCents(total)}`, 'Line');
    const deposit = resolveOptionalRef(company, 'Account', input.DepositToAccountRef ?? (undepositedFunds(company) ? { value: undepositedFunds(company)?.Id } : undefined), 'DepositToAccountRef');
    return compact({
      ...input,
      CustomerRef: customer.ref,
      TxnDate: txnDate,
      TotalAmt: fromCents(total),
      UnappliedAmt: fromCents(total - appliedCents),
      Line: lines,
      DepositToAccountRef: deposit ? { value: deposit.ref.value } : undefined,
      ProcessPayment: input.ProcessPayment ?? false,
    });
  },
  afterWrite(company, stored, previous) {
    const invoices = new Set([...paymentApplications(stored).keys(), ...(previous ? paymentApplications(previous).keys() : [])]);
    for (const id of invoices) refreshInvoice(company, id);
    refreshCustomerBalance(company, String(stored.CustomerRef?.value));
  },
  beforeDelete(company, existing) {
    assertPeriodOpen(company, existing.TxnDate);
  },
  afterDelete(company, removed) {
    for (const id of paymentApplications(removed).keys()) refreshInvoice(company, id);
    refreshCustomerBalance(company, String(removed.CustomerRef?.value));
  },
};

/** Void a payment (fixture payment_void_response.json): amounts 0, no lines, PrivateNote "Voided". */
export function voidedPayment(company: QboCompany, existing: QboObject): QboObject {
  assertPeriodOpen(company, existing.TxnDate);
  const note = typeof existing.PrivateNote === 'string' && existing.PrivateNote !== '' && existing.PrivateNote !== 'Voided' ? `Voided - ${existing.PrivateNote}` : 'Voided';
  return { ...existing, TotalAmt: 0, UnappliedAmt: 0, Line: [], PrivateNote: note };
}
