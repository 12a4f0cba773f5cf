/**
 * Dates and date-times the way QBO prints them. A simulated company lives in one fixed UTC offset (QBO shows
 * times in the company's time zone; a fixed offset keeps tests independent of daylight-saving dates):
 * MetaData times look like `2014-09-19T13:16:17-08:00`, the envelope `time` adds milliseconds
 * (`2015-07-24T10:38:50.010-08:00`), and dates are `YYYY-MM-DD`.
 */

/** The simulated companies' offset from UTC, in minutes (Pacific Standard Time, like most Intuit samples). */
export const COMPANY_UTC_OFFSET_MINUTES = -8 * 60;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function offsetSuffix(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Wall-clock fields of `ms` in the company's offset. */
function local(ms: number): Date {
  return new Date(ms + COMPANY_UTC_OFFSET_MINUTES * 60_000);
}

/** `2014-09-19`: the company's calendar date at `ms`. */
export function qboDate(ms: number): string {
  const d = local(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `2014-09-19T13:16:17-08:00` (MetaData.CreateTime / LastUpdatedTime, DeliveryTime). */
export function qboDateTime(ms: number): string {
  const d = local(ms);
  return `${qboDate(ms)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${offsetSuffix(COMPANY_UTC_OFFSET_MINUTES)}`;
}

/** `2015-07-24T10:38:50.010-08:00`: the `time` of every response envelope. */
export function qboEnvelopeTime(ms: number): string {
  const d = local(ms);
  const seconds = qboDateTime(ms).slice(0, 19);
  return `${seconds}.${pad(d.getUTCMilliseconds(), 3)}${offsetSuffix(COMPANY_UTC_OFFSET_MINUTES)}`;
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isQboDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** `date` + `days` calendar days (2014-09-19 + 30 = 2014-10-19). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Parses a date or date-time given by a client (CDC changedSince, query literals). A bare date means midnight in
 * the company's offset; a date-time without an offset is read in the company's offset too. Returns NaN if invalid.
 */
export function parseQboInstant(text: string): number {
  const trimmed = text.trim();
  if (DATE_PATTERN.test(trimmed)) return Date.parse(`${trimmed}T00:00:00${offsetSuffix(COMPANY_UTC_OFFSET_MINUTES)}`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed)) {
    return Date.parse(`${trimmed}${offsetSuffix(COMPANY_UTC_OFFSET_MINUTES)}`);
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return Date.parse(trimmed);
  return Number.NaN;
}
