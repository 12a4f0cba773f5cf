/**
 * Payment: `Line[{Amount, LinkedTxn:[{TxnId, TxnType}]}]` with TxnType "Invoice" (money applied to an invoice, never
 * more than its open balance) or "CreditMemo" (credit of a memo used to pay those invoices, never more than its
 * RemainingCredit). Lines link transactions of the payment's customer only.
 *
 * Credits: QBO applies a credit memo to an invoice through a payment that links both, often a zero-dollar one:
 * "create a zero-dollar payment, which is the link between the Credit Memo and the Invoice"
 * (docs.breadwinner.com/quickbooks/applying-credit-to-an-invoice); a summary of Intuit's Payment reference
 * (abossenbroek/qbo-mcp qbo-api-docs/entities/payment.md) lists "Invoice, CreditMemo" as the LinkedTxn types. So `{CustomerRef, TotalAmt: 0, Line: [{Amount: 50, LinkedTxn: [{TxnId: inv,
 * TxnType: "Invoice"}]}, {Amount: 50, LinkedTxn: [{TxnId: memo, TxnType: "CreditMemo"}]}]}` pays 50 of the invoice
 * from the memo. The money applied is the invoice lines minus the credit lines, hence
 * `UnappliedAmt = TotalAmt - (invoice lines - credit lines)`.
 * Our choice, unconfirmed: credit lines may not exceed the invoice lines (credit needs an invoice to go to).
 *
 * Invoice balances, RemainingCredit and the Payment links are derived from the stored payments (links.ts), so a
 * payment's update, void or delete moves them back by construction.
 */
import type { QboCompany } from '../company';
import type { QboObject } from '../entity-names';
import { businessValidation, invalidValue, objectNotFound, requiredParamMissing } from '../fault';
import { fromCents, isMoney, toCents } from '../money';
import { isQboDate } from '../time';
import { assertNotDeposited } from './deposit';
import { creditApplications, openBalanceCents, paymentApplications, refreshCreditMemo, refreshCustomerBalance, refreshInvoice, remainingCreditCents } from './links';
import { assertPeriodOpen, compact, resolveOptionalRef, resolveRef, type EntityRules } from './rules';

const LINKABLE = ['Invoice', 'CreditMemo'] as const;
type Linkable = (typeof LINKABLE)[number];

function undepositedFunds(company: QboCompany): Readonly<QboObject> | undefined {
  return company.scan('Account').find(({ object: a }) => a.AccountSubType === 'UndepositedFunds' && a.Active !== false)?.object;
}

/** What is still open on a linked transaction, not counting this payment's own earlier version. */
function openCents(company: QboCompany, type: Linkable, target: QboObject, paymentId: string | undefined): number {
  return type === 'Invoice' ? openBalanceCents(company, target, paymentId) : remainingCreditCents(company, target, paymentId);
}

function applicationLines(
  company: QboCompany,
  input: QboObject,
  customerId: string,
  paymentId: string | undefined,
): { lines: QboObject[]; invoiceCents: number; creditCents: number } {
  const raw = (input.Line ?? []) as unknown;
  if (!Array.isArray(raw)) throw invalidValue('Line must be an array', 'Line');
  const lines: QboObject[] = [];
  const perTxn = new Map<string, { type: Linkable; id: string; cents: number }>();
  raw.forEach((entry: QboObject, index) => {
    if (!isMoney(entry?.Amount)) throw requiredParamMissing('Required parameter Line.Amount is missing in the request', `Line[${index}].Amount`);
    const links = (entry.LinkedTxn ?? []) as QboObject[];
    if (!Array.isArray(links) || links.length !== 1) throw invalidValue('Each payment line links exactly one transaction', `Line[${index}].LinkedTxn`);
    const link = links[0] as QboObject;
    const type = LINKABLE.find((t) => t === link.TxnType);
    if (!type) throw invalidValue(`Payments can be applied to invoices and credit memos only in this simulator, not ${String(link.TxnType)}`, `Line[${index}].LinkedTxn`);
    const id = String(link.TxnId);
    const target = company.get(type, id);
    if (!target) throw objectNotFound(`${type} Id=${id}`, `Line[${index}].LinkedTxn`);
    if (String(target.CustomerRef?.value) !== customerId) throw businessValidation(`${type} ${id} belongs to another customer`, `Line[${index}].LinkedTxn`);
    const cents = toCents(entry.Amount as number);
    if (cents <= 0) throw invalidValue('A payment line amount must be positive', `Line[${index}].Amount`);
    const key = `${type}:${id}`;
    perTxn.set(key, { type, id, cents: (perTxn.get(key)?.cents ?? 0) + cents });
    lines.push({ ...entry, Amount: fromCents(cents), LinkedTxn: [{ TxnId: id, TxnType: type }] });
  });
  let invoiceCents = 0;
  let creditCents = 0;
  for (const { type, id, cents } of perTxn.values()) {
    const open = openCents(company, type, company.get(type, id) as QboObject, paymentId);
    if (cents > open) {
      const what = type === 'Invoice' ? `applied to invoice ${id} exceeds its open balance` : `of credit used from credit memo ${id} exceeds its remaining credit`;
      throw businessValidation(`The payment amount ${fromCents(cents)} ${what} ${fromCents(open)}`, 'Line.Amount');
    }
    if (type === 'Invoice') invoiceCents += cents;
    else creditCents += cents;
  }
  if (creditCents > invoiceCents) {
    throw businessValidation(`The credits used (${fromCents(creditCents)}) exceed the amounts applied to invoices (${fromCents(invoiceCents)})`, 'Line');
  }
  return { lines, invoiceCents, creditCents };
}

/** Every invoice and credit memo a payment (and its previous version) touches gets its derived fields recomputed. */
function refreshLinked(company: QboCompany, ...versions: Array<QboObject | undefined>): void {
  const present = versions.filter((v): v is QboObject => v !== undefined);
  for (const id of new Set(present.flatMap((p) => [...paymentApplications(p).keys()]))) refreshInvoice(company, id);
  for (const id of new Set(present.flatMap((p) => [...creditApplications(p).keys()]))) refreshCreditMemo(company, id);
  for (const customer of new Set(present.map((p) => String(p.CustomerRef?.value)))) refreshCustomerBalance(company, customer);
}

export const paymentRules: EntityRules = {
  entity: 'Payment',
  deletable: true,
  voided: (company, existing) => voidedPayment(company, existing),
  build(company, input, existing) {
    const customer = resolveRef(company, 'Customer', input.CustomerRef, 'CustomerRef');
    if (!isMoney(input.TotalAmt)) throw requiredParamMissing('Required parameter TotalAmt is missing in the request', 'TotalAmt');
    const total = toCents(input.TotalAmt);
    if (total < 0) throw invalidValue('TotalAmt may not be negative', 'TotalAmt');
    const txnDate = (input.TxnDate as string | undefined) ?? existing?.TxnDate ?? company.today();
    if (!isQboDate(txnDate)) throw invalidValue(`TxnDate must be YYYY-MM-DD: ${String(txnDate)}`, 'TxnDate');
    if (existing) assertPeriodOpen(company, existing.TxnDate);
    assertPeriodOpen(company, txnDate);
    const { lines, invoiceCents, creditCents } = applicationLines(company, input, customer.ref.value, existing?.Id as string | undefined);
    const appliedCents = invoiceCents - creditCents;
    if (appliedCents > total) throw businessValidation(`The amounts applied (${fromCents(appliedCents)}, after credits) exceed the payment total ${fromCents(total)}`, 'Line');
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
    refreshLinked(company, stored, previous);
  },
  beforeDelete(company, existing) {
    assertPeriodOpen(company, existing.TxnDate);
    assertNotDeposited(company, 'Payment', existing, 'delete');
  },
  afterDelete(company, removed) {
    refreshLinked(company, removed);
  },
};

/** Void a payment (fixture payment_void_response.json): amounts 0, no lines, PrivateNote "Voided". */
export function voidedPayment(company: QboCompany, existing: QboObject): QboObject {
  assertPeriodOpen(company, existing.TxnDate);
  assertNotDeposited(company, 'Payment', existing, 'void');
  const note = typeof existing.PrivateNote === 'string' && existing.PrivateNote !== '' && existing.PrivateNote !== 'Voided' ? `Voided - ${existing.PrivateNote}` : 'Voided';
  return { ...existing, TotalAmt: 0, UnappliedAmt: 0, Line: [], PrivateNote: note };
}
