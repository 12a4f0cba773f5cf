/**
 * What a QBO payment does to invoices (pure). A Payment's lines each link the transaction they settle
 * (`Line[{Amount, LinkedTxn: [{TxnId, TxnType}]}]`, https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment):
 * a line linking an Invoice applies its Amount to that invoice; a line linking a CreditMemo uses that much of the
 * memo's credit. A credit memo is applied to an invoice through such a payment, often of TotalAmt 0: the invoice
 * line and the credit line carry the same amount, and no money moves.
 */

/** A QBO payment as DealBooks reads it (cents are integers). */
export interface QboPayment {
  id: string;
  syncToken: string;
  /** MetaData.LastUpdatedTime, or null when QBO sent none. */
  updatedAt: string | null;
  customerId: string | null;
  /** `YYYY-MM-DD`. */
  txnDate: string | null;
  currency: string | null;
  totalCents: number;
  /** PaymentMethodRef.name (what a person calls the method: "Check", "Visa"), or null. */
  method: string | null;
  /** PaymentRefNum: the check number or the processor's reference, or null. */
  reference: string | null;
  privateNote: string | null;
  lines: Array<{ amountCents: number; linked: Array<{ id: string; type: string }> }>;
}

/** How much of a payment went to one invoice, and how much of that was credit from a credit memo. */
export interface PaymentApplication {
  invoiceId: string;
  amountCents: number;
  /** 0 <= creditCents <= amountCents. */
  creditCents: number;
}

/**
 * Each invoice the payment applies to, in the order its lines first name it, with the amount applied (all its lines
 * added up) and the part of it paid with credit.
 * - A line counts for the first transaction it links; lines of 0 or less, or linking neither an Invoice nor a
 *   CreditMemo, apply nothing (QBO links one transaction per line; its samples show nothing else).
 * - QBO does not say which invoice a credit went to when one payment settles several. The credit is given to the
 *   invoices in that order, each up to what was applied to it, so that the cash and the credit of every invoice add
 *   up to what was applied to it; credit beyond all the invoices' amounts goes nowhere.
 */
export function paymentApplications(payment: Pick<QboPayment, 'lines'>): PaymentApplication[] {
  const applied = new Map<string, number>();
  let credit = 0;
  for (const line of payment.lines) {
    const link = line.linked[0];
    if (!link || line.amountCents <= 0) continue;
    if (link.type === 'Invoice') applied.set(link.id, (applied.get(link.id) ?? 0) + line.amountCents);
    else if (link.type === 'CreditMemo') credit += line.amountCents;
  }
  return [...applied].map(([invoiceId, amountCents]) => {
    const creditCents = Math.min(amountCents, credit);
    credit -= creditCents;
    return { invoiceId, amountCents, creditCents };
  });
}
