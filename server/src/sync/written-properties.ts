/**
 * Which deal properties to send to HubSpot (pure). DealBooks remembers what it last wrote on each deal and sends only
 * the values that differ: a write that changes nothing would still fire HubSpot's property-change webhooks and
 * workflows (and could loop through a workflow that writes back), and costs a call for nothing.
 */

/**
 * The properties of `desired` whose value differs from what was last written (`written`, null when nothing was),
 * plus `stamp` (e.g. "last synced") when anything did; nothing at all when nothing did. A key never written counts
 * as different, even when empty: HubSpot may hold anything there.
 */
export function changedProperties(desired: Readonly<Record<string, string>>, written: Readonly<Record<string, string>> | null, stamp: Readonly<Record<string, string>> = {}): Record<string, string> {
  const changed = Object.entries(desired).filter(([key, value]) => written?.[key] !== value);
  return changed.length === 0 ? {} : { ...Object.fromEntries(changed), ...stamp };
}

/**
 * The deal's first paid date: once written it stays, whatever happens to the invoice after (a workflow such as "ask
 * for a review after the first paid invoice" must run once); until then, the day the invoice became paid when it is
 * paid now (`paidOn`: the latest payment's date, else the company's today), else empty.
 */
export function firstPaidDate(written: string | undefined, paidNow: boolean, paidOn: string | null, today: string): string {
  if (written) return written;
  return paidNow ? (paidOn ?? today) : '';
}
