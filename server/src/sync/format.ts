import { formatMoney as formatDecimalMoney } from './decimal';

/** "$12,500.00", "€1,000.00", "CA$10.00": in the document's currency, else USD (QBO's default for a US company). */
export function formatMoney(cents: number, currency: string | null): string {
  return formatDecimalMoney(cents, currency ?? 'USD');
}

/** The calendar date at `now` in a zone `utcOffsetMinutes` from UTC (UTC when unknown): a QBO company's "today". */
export function companyDate(now: Date, utcOffsetMinutes: number | null): string {
  return new Date(now.getTime() + (utcOffsetMinutes ?? 0) * 60_000).toISOString().slice(0, 10);
}
