import { DocumentBuildError } from './document-text';
import type { DealSnapshot, QboTerm } from './model';

/**
 * The dates of a QBO document: its transaction date and the due date QBO itself would set from payment terms
 * (STANDARD terms add DueDays to TxnDate; DATE_DRIVEN terms fall on the next DayOfMonthDue), and which terms apply.
 */

/** The document's TxnDate: the deal's close date when settings say so and the deal has one, else today. */
export function transactionDate(setting: 'close_date' | 'today', deal: Pick<DealSnapshot, 'closeDate'>, today: string): string {
  return setting === 'close_date' && deal.closeDate ? deal.closeDate : today;
}

/**
 * The payment terms of a new invoice: DealBooks' setting, else the customer's own terms, else the company's default
 * terms (the order QuickBooks itself applies). Null leaves the terms, and so the due date, to QuickBooks.
 */
export function chooseTerms(terms: readonly QboTerm[], choice: { setting: string | null; customer: string | null | undefined; company: string | null | undefined }): QboTerm | null {
  const termId = choice.setting ?? choice.customer ?? choice.company ?? null;
  return termId ? (terms.find((t) => t.id === termId) ?? null) : null;
}

function utcDate(date: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new DocumentBuildError(`Not a YYYY-MM-DD date: ${date}`);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

/**
 * The due date QBO would set for these terms: STANDARD -> TxnDate + DueDays; DATE_DRIVEN -> the next DayOfMonthDue
 * on or after TxnDate (the last day of a shorter month). Null when the terms say neither.
 */
export function dueDateFor(terms: Pick<QboTerm, 'dueDays' | 'dayOfMonthDue'>, txnDate: string): string | null {
  const start = utcDate(txnDate);
  if (terms.dueDays !== null) {
    start.setUTCDate(start.getUTCDate() + terms.dueDays);
    return start.toISOString().slice(0, 10);
  }
  if (terms.dayOfMonthDue === null) return null;
  const dueDay = terms.dayOfMonthDue;
  const lastDayOf = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth();
  if (start.getUTCDate() > Math.min(dueDay, lastDayOf(year, month))) {
    month += 1;
    if (month === 12) {
      month = 0;
      year += 1;
    }
  }
  return new Date(Date.UTC(year, month, Math.min(dueDay, lastDayOf(year, month)))).toISOString().slice(0, 10);
}
