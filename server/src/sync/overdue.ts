import { formatMoney } from './format';

/**
 * Overdue follow-up, decided without I/O: how many days an invoice is overdue in the QBO company's own calendar,
 * which threshold (if any) deserves a new task, the task's words, priority and due time, and whether an invoice is
 * settled (so DealBooks completes its tasks). quote-to-cash/overdue-tasks.ts does the reading and writing.
 */

/** An invoice as the overdue follow-up sees it (DealBooks' copy in qbo_documents). */
export interface OverdueInvoice {
  connectionId: number;
  invoiceId: string;
  docNumber: string | null;
  /** `YYYY-MM-DD` in the company's calendar. */
  dueDate: string;
  currency: string | null;
  totalCents: number;
  balanceCents: number;
  webUrl: string;
}

/** What a person did to the invoice in QBO, as the money-back pipeline keeps it on the copy. */
export type QboState = 'active' | 'voided' | 'deleted';

const DAY_MS = 86_400_000;

/** Whole days from the due date to `today` (both `YYYY-MM-DD`): 0 on the due date, 1 the day after, negative before. */
export function daysOverdue(dueDate: string, today: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / DAY_MS);
}

/**
 * The threshold to create a task for now, or null. Only the highest threshold reached counts: an invoice found 40
 * days overdue (the first sweep after turning the feature on, or after an outage) gets one task, "40 days overdue",
 * not three for 1, 15 and 30 at once. A threshold at or below one that already has a task is never acted on later:
 * days only grow, so the lower steps were passed over on purpose; and a threshold added to the settings below an
 * existing task does not reach back either. `thresholds` is ascending (the settings keep it so).
 */
export function thresholdToAct(thresholds: readonly number[], days: number, highestWithTask: number | null): number | null {
  const highest = thresholds.filter((t) => t <= days).at(-1);
  // Thresholds are 1 or more days, so 0 stands for "no task yet".
  if (highest === undefined || highest <= (highestWithTask ?? 0)) return null;
  return highest;
}

export type TaskPriority = 'LOW' | 'MEDIUM' | 'HIGH';

/**
 * The last threshold is the one finance escalates at: HIGH. The first (when there are several) is a nudge: LOW.
 * Those between: MEDIUM. A threshold no longer in the settings (changed since) counts as MEDIUM.
 */
export function taskPriority(thresholds: readonly number[], threshold: number): TaskPriority {
  const at = thresholds.indexOf(threshold);
  if (at === thresholds.length - 1) return 'HIGH';
  if (at === 0) return 'LOW';
  return 'MEDIUM';
}

const dayWord = (days: number) => (days === 1 ? 'day' : 'days');

/** "Invoice 1042", or the QBO id when the company numbers no documents. */
export function invoiceName(invoice: Pick<OverdueInvoice, 'docNumber' | 'invoiceId'>): string {
  return invoice.docNumber ? `Invoice ${invoice.docNumber}` : `Invoice (QuickBooks id ${invoice.invoiceId})`;
}

/** "Invoice 1042 is 15 days overdue: $1,151.50 open". The days are the real count (a late sweep says so). */
export function overdueTaskSubject(invoice: OverdueInvoice, days: number): string {
  return `${invoiceName(invoice)} is ${days} ${dayWord(days)} overdue: ${formatMoney(invoice.balanceCents, invoice.currency)} open`;
}

/**
 * What DealBooks writes into the body of each task it creates, unique per invoice and threshold. HubSpot has no
 * idempotency key for creating a task, so after a create whose answer was lost DealBooks reads the deal's tasks and
 * looks for this text before creating again. Letters, digits and colons only: it survives HTML escaping unchanged.
 */
export function overdueTaskMarker(key: { connectionId: number; invoiceId: string; thresholdDays: number }): string {
  return `DealBooks ref overdue:${key.connectionId}:${key.invoiceId}:${key.thresholdDays}`;
}

/** The task's body as plain text lines (the adapter turns it into HubSpot's HTML). */
export function overdueTaskBody(invoice: OverdueInvoice, input: { days: number; thresholdDays: number; unassignedBecause?: string }): string {
  const open = formatMoney(invoice.balanceCents, invoice.currency);
  const total = formatMoney(invoice.totalCents, invoice.currency);
  const lines = [
    `${invoiceName(invoice)} was due on ${invoice.dueDate} and is ${input.days} ${dayWord(input.days)} overdue. ${open} of ${total} is still open.`,
    `Open it in QuickBooks: ${invoice.webUrl}`,
  ];
  if (input.unassignedBecause) lines.push(input.unassignedBecause);
  lines.push(
    'DealBooks completes this task by itself when the invoice is paid, voided or deleted in QuickBooks.',
    overdueTaskMarker({ connectionId: invoice.connectionId, invoiceId: invoice.invoiceId, thresholdDays: input.thresholdDays }),
  );
  return lines.join('\n');
}

/** Local time of day a task is due: the end of the company's business day, so it is due, not late, all day. */
export const TASK_DUE_HOUR = 17;

/** `today` (the company's date) at 17:00 in the company's offset from UTC (UTC when unknown). */
export function taskDueAt(today: string, utcOffsetMinutes: number | null): Date {
  return new Date(Date.parse(`${today}T00:00:00Z`) + TASK_DUE_HOUR * 3_600_000 - (utcOffsetMinutes ?? 0) * 60_000);
}

/**
 * Nothing is left to collect: the invoice was paid (balance 0), voided or deleted in QBO, or DealBooks no longer has
 * a copy of it. An unknown balance (null) is not settled: DealBooks does not complete a task on a guess.
 */
export function isSettled(copy: { qboState: QboState; balanceCents: number | null } | null): boolean {
  if (copy === null) return true;
  if (copy.qboState !== 'active') return true;
  return copy.balanceCents !== null && copy.balanceCents <= 0;
}
