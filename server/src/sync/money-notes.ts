import type { QboState } from './document-status';
import { sumCents } from './decimal';
import { formatMoney } from './format';
import { byDateThenId, compareIds, type InvoicePayment } from './invoice-money';

/**
 * The timeline notes that money coming back from QuickBooks deserves (pure): one per payment received on an invoice,
 * one when such a payment is later voided or deleted (the balance goes back up, and the rep who read "payment
 * received" must learn it no longer counts), one when an invoice is voided or deleted in QuickBooks.
 *
 * Each note has a key naming its event (connection, payment, invoice), never its wording: the key is what makes a
 * note happen once, so a replayed change, a retried job or a later change to the amounts never adds a second one.
 */
export interface NoteInvoice {
  id: string;
  docNumber: string | null;
  currency: string | null;
  balanceCents: number | null;
  totalCents: number;
  state: QboState;
  /** The company's date of the void or deletion (null when not known or still active). */
  stateChangedOn: string | null;
}

export interface MoneyNote {
  key: string;
  body: string;
}

/** The payments of a note: what is still known of each payment, by id (voided and deleted ones included). */
export interface NotePaymentState {
  paymentId: string;
  state: QboState;
  txnDate: string | null;
  totalCents: number;
}

export const noteKeys = {
  paymentReceived: (connectionId: number, paymentId: string, invoiceId: string) => `payment-received:${connectionId}:${paymentId}:${invoiceId}`,
  paymentUndone: (connectionId: number, paymentId: string, invoiceId: string) => `payment-undone:${connectionId}:${paymentId}:${invoiceId}`,
  invoiceState: (connectionId: number, invoiceId: string, state: 'voided' | 'deleted') => `invoice-${state}:${connectionId}:${invoiceId}`,
};

/** The payment and invoice ids of a payment-received key of this connection, or null for any other key. */
export function receivedKeyParts(key: string, connectionId: number): { paymentId: string; invoiceId: string } | null {
  const parts = key.split(':');
  if (parts.length !== 4 || parts[0] !== 'payment-received' || parts[1] !== String(connectionId)) return null;
  return { paymentId: parts[2]!, invoiceId: parts[3]! };
}

const numberOf = (invoice: NoteInvoice) => invoice.docNumber ?? invoice.id;
const on = (date: string | null) => (date === null ? '' : ` on ${date}`);

/**
 * "Payment of $500.00 received on 2026-12-01; $1,151.50 still open on invoice 1042." What is still open is the
 * balance right after this payment: QuickBooks' balance now plus what later payments applied, so two payments heard
 * of together each tell their own step and the newest one tells QuickBooks' own balance.
 */
export function paymentReceivedText(invoice: NoteInvoice, payment: Pick<InvoicePayment, 'txnDate' | 'amountCents' | 'creditCents'>, openAfterCents: number): string {
  const money = payment.amountCents - payment.creditCents;
  const amount = (cents: number) => formatMoney(cents, invoice.currency);
  const what =
    money > 0
      ? `Payment of ${amount(money)} received${on(payment.txnDate)}${payment.creditCents > 0 ? `, with ${amount(payment.creditCents)} of credit applied` : ''}`
      : `Credit of ${amount(payment.creditCents)} applied${on(payment.txnDate)}`;
  const rest = openAfterCents > 0 ? `${amount(openAfterCents)} still open on invoice ${numberOf(invoice)}` : `nothing is left to pay on invoice ${numberOf(invoice)}`;
  return `${what}; ${rest}.`;
}

/** "Payment of $500.00 received on 2026-12-01 was deleted in QuickBooks; $1,651.50 is open again on invoice 1042." */
export function paymentUndoneText(invoice: NoteInvoice, payment: NotePaymentState): string {
  const what = payment.totalCents > 0 ? `Payment of ${formatMoney(payment.totalCents, invoice.currency)}` : 'A payment';
  const balance = invoice.balanceCents ?? invoice.totalCents;
  const rest = invoice.state === 'active' && balance > 0 ? `; ${formatMoney(balance, invoice.currency)} is open again on invoice ${numberOf(invoice)}` : ` (invoice ${numberOf(invoice)})`;
  return `${what} received${on(payment.txnDate)} was ${payment.state} in QuickBooks${rest}.`;
}

/** "Invoice 1042 was voided in QuickBooks on 2026-12-03." */
export function invoiceStateText(invoice: NoteInvoice, state: 'voided' | 'deleted'): string {
  return `Invoice ${numberOf(invoice)} was ${state} in QuickBooks${on(invoice.stateChangedOn)}.`;
}

/**
 * The notes the deal's invoices call for that were not made yet (`noted`: the keys already reserved for the deal).
 * An invoice that is voided or deleted gets that note and no new payment notes (a payment heard of only after the
 * invoice was gone settles nothing any more); a payment undone gets its note only if its receipt was noted.
 */
export function moneyNotes(input: {
  connectionId: number;
  invoices: readonly NoteInvoice[];
  payments: readonly InvoicePayment[];
  paymentStates: readonly NotePaymentState[];
  noted: ReadonlySet<string>;
}): MoneyNote[] {
  const { connectionId, noted } = input;
  const notes: MoneyNote[] = [];
  const add = (key: string, body: () => string) => {
    if (!noted.has(key)) notes.push({ key, body: body() });
  };
  for (const invoice of input.invoices) {
    if (invoice.state !== 'active') {
      add(noteKeys.invoiceState(connectionId, invoice.id, invoice.state), () => invoiceStateText(invoice, invoice.state as 'voided' | 'deleted'));
      continue;
    }
    // Oldest first, as the timeline reads. What was open right after a payment is the balance now plus what the
    // payments after it applied.
    const applied = input.payments.filter((p) => p.invoiceId === invoice.id && p.state === 'active').sort(byDateThenId);
    const balance = invoice.balanceCents ?? invoice.totalCents;
    applied.forEach((payment, i) => {
      const openAfter = balance + sumCents(applied.slice(i + 1).map((later) => later.amountCents));
      add(noteKeys.paymentReceived(connectionId, payment.paymentId, invoice.id), () => paymentReceivedText(invoice, payment, openAfter));
    });
  }
  // Undone payments in the order they were made (then by invoice), whatever order their keys come in.
  const byId = new Map(input.invoices.map((i) => [i.id, i]));
  const states = new Map(input.paymentStates.map((p) => [p.paymentId, p]));
  const undone = [...noted]
    .map((key) => receivedKeyParts(key, connectionId))
    .flatMap((received) => {
      const payment = received && states.get(received.paymentId);
      const invoice = received && byId.get(received.invoiceId);
      return payment && invoice && payment.state !== 'active' ? [{ payment, invoice }] : [];
    })
    .sort((a, b) => byDateThenId(a.payment, b.payment) || compareIds(a.invoice.id, b.invoice.id));
  for (const { payment, invoice } of undone) add(noteKeys.paymentUndone(connectionId, payment.paymentId, invoice.id), () => paymentUndoneText(invoice, payment));
  return notes;
}
