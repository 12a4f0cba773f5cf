/**
 * How the card writes statuses, money and times for a person. Pure, so the unit tests pin the words.
 */

export type TagVariant = 'danger' | 'warning' | 'info' | 'success' | 'default';

/**
 * An invoice's or estimate's status as a StatusTag: money received is success, money part-received is warning,
 * money late is danger, money still to come is info; a document that asks for nothing any more is default.
 */
export function statusTag(status: string): { label: string; variant: TagVariant } {
  switch (status) {
    case 'paid':
      return { label: 'Paid', variant: 'success' };
    case 'partially_paid':
      return { label: 'Partially paid', variant: 'warning' };
    case 'overdue':
      return { label: 'Overdue', variant: 'danger' };
    case 'open':
      return { label: 'Open', variant: 'info' };
    // Settled by a credit memo: nothing is owed, but no money came in either.
    case 'credited':
      return { label: 'Credited', variant: 'default' };
    case 'voided':
      return { label: 'Voided', variant: 'default' };
    case 'deleted':
      return { label: 'Deleted in QuickBooks', variant: 'default' };
    // Estimates.
    case 'pending':
      return { label: 'Pending', variant: 'info' };
    case 'accepted':
      return { label: 'Accepted', variant: 'success' };
    case 'rejected':
      return { label: 'Rejected', variant: 'danger' };
    case 'closed':
      return { label: 'Closed', variant: 'default' };
    case 'converted':
      return { label: 'Converted to invoice', variant: 'success' };
    default:
      return { label: status || 'Unknown', variant: 'default' };
  }
}

/**
 * Integer cents as money ("$1,234.50", "€10.00"), built from the digits so no float ever touches the amount; the
 * currency's symbol comes from Intl.
 */
export function formatCents(cents: number, currency: string | null): string {
  const code = currency ?? 'USD';
  let symbol = `${code} `;
  try {
    const part = new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).formatToParts(0).find((p) => p.type === 'currency');
    if (part) symbol = part.value;
  } catch {
    // An unknown code keeps "XYZ 1.00".
  }
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents < 0 ? '-' : ''}${symbol}${whole}.${digits.slice(-2)}`;
}

/** A 0..1 score as "93%". */
export function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}

/** How DealBooks found the customer, in words. */
export function matchMethod(method: string | null): string {
  switch (method) {
    case 'email':
      return 'matched by email';
    case 'name':
      return 'matched by name';
    case 'manual':
      return 'confirmed by a person';
    case 'existing':
      return 'already linked';
    case 'fuzzy':
      return 'matched by a similar name';
    case 'created':
      return 'created by DealBooks';
    case null:
      return 'linked';
    default:
      return `matched by ${method}`;
  }
}

/** A deliberately plain check (the server checks again): something@something.tld, no spaces. */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/** What a queued kind of work is doing, for the "in progress" line. */
export function workLabel(kind: string): string {
  switch (kind) {
    case 'invoice':
      return 'Creating the invoice in QuickBooks';
    case 'estimate':
      return 'Creating the estimate in QuickBooks';
    case 'convert':
      return 'Converting the estimate to an invoice';
    case 'send':
      return 'Sending the invoice';
    default:
      return 'Updating QuickBooks';
  }
}
