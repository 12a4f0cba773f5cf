/**
 * Moments and days as a person in the HubSpot account reads them: in the account's time zone (UTC when it has none
 * or an unknown one). Shared by the deal card and the settings page.
 */

/**
 * A moment as the user reads it: the time in the HubSpot account's time zone, named, with the date when it is not
 * the same day there ("14:05 Europe/Berlin time", "2 Dec, 09:00 UTC time").
 */
export function formatTime(iso: string, timeZone: string | undefined, locale: string | undefined, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const zone = validZone(timeZone) ? timeZone! : 'UTC';
  const lang = validLocale(locale) ? locale! : 'en-US';
  const day = (d: Date) => calendarDay(d, zone);
  const time = new Intl.DateTimeFormat(lang, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  const date = day(at) === day(now) ? '' : `${new Intl.DateTimeFormat(lang, { timeZone: zone, day: 'numeric', month: 'short' }).format(at)}, `;
  return `${date}${time} ${zone} time`;
}

/**
 * The calendar day (YYYY-MM-DD) of a moment in the HubSpot account's time zone (UTC if it has none or an unknown
 * one): a deal closed late in the evening there closed that day, whatever the UTC date.
 */
export function calendarDay(at: Date, timeZone: string | undefined): string {
  if (Number.isNaN(at.getTime())) return '';
  return new Intl.DateTimeFormat('en-CA', { timeZone: validZone(timeZone) ? timeZone : 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function validZone(zone: string | undefined): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function validLocale(locale: string | undefined): boolean {
  if (!locale) return false;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
  } catch {
    return false;
  }
}
