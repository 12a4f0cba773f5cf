import type { QboState } from './document-status';

/**
 * What the payments DealBooks keeps did to one invoice (pure): how much money and how much credit they applied, the
 * latest payment, and the day the invoice was settled. Money is integer cents.
 *
 * A QBO payment applies an amount to each invoice it settles; part of that amount may come from a credit memo
 * applied through the same payment (then no money moved for that part). A voided or deleted payment applies nothing.
 */
export interface InvoicePayment {
  paymentId: string;
  invoiceId: string;
  /** The payment's `YYYY-MM-DD` TxnDate (null when QBO sent none). */
  txnDate: string | null;
  /** Applied to this invoice, credit included. */
  amountCents: number;
  /** The part of `amountCents` that came from a credit memo. */
  creditCents: number;
  state: QboState;
  method: string | null;
  reference: string | null;
  /** The whole payment (it may settle other invoices too). */
  paymentTotalCents: number;
}

export interface InvoiceMoney {
  /** Money applied by active payments (credit left out). */
  paidCents: number;
  /** Credit applied by active payments. */
  creditedCents: number;
  /** The latest active payment that moved money to the invoice, with the money it applied here. */
  lastPayment: { paymentId: string; date: string | null; amountCents: number } | null;
  /** The latest date of any active application (money or credit): the day a settled invoice was settled. */
  lastAppliedOn: string | null;
}

// Sorts after every YYYY-MM-DD date: an undated payment comes last, as QBO lists them.
const UNDATED = '~';

/** Oldest first: by date (undated last), then by payment id as a number (QBO ids are numeric). */
export function byDateThenId(a: Pick<InvoicePayment, 'txnDate' | 'paymentId'>, b: Pick<InvoicePayment, 'txnDate' | 'paymentId'>): number {
  const dateA = a.txnDate ?? UNDATED;
  const dateB = b.txnDate ?? UNDATED;
  if (dateA < dateB) return -1;
  if (dateA > dateB) return 1;
  return compareIds(a.paymentId, b.paymentId);
}

/** QBO ids are digit strings: a shorter one is smaller; equal lengths compare as text. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The money facts of one invoice from its payments (applications to other invoices are ignored). */
export function invoiceMoney(invoiceId: string, payments: readonly InvoicePayment[]): InvoiceMoney {
  const active = payments.filter((p) => p.invoiceId === invoiceId && p.state === 'active').sort(byDateThenId);
  let paidCents = 0;
  let creditedCents = 0;
  let lastPayment: InvoiceMoney['lastPayment'] = null;
  let lastAppliedOn: string | null = null;
  for (const p of active) {
    const money = p.amountCents - p.creditCents;
    paidCents += money;
    creditedCents += p.creditCents;
    if (money > 0) lastPayment = { paymentId: p.paymentId, date: p.txnDate, amountCents: money };
    if (p.txnDate !== null) lastAppliedOn = p.txnDate;
  }
  return { paidCents, creditedCents, lastPayment, lastAppliedOn };
}
