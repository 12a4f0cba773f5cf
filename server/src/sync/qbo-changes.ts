/**
 * Which version of a QBO object wins, and what state a QBO document or payment is in (pure).
 *
 * Notifications come late, twice or out of order, and the change-data-capture backstop may hand over a version
 * that a notification has already brought. DealBooks' copy therefore takes a version only when it is newer than the
 * one it holds: QBO stamps every write with MetaData.LastUpdatedTime (to the second) and a SyncToken that grows by
 * one with every write (https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/change-data-capture,
 * and the SyncToken rule of every entity reference page). The time decides; two writes in the same second are told
 * apart by the SyncToken. A deletion is final: QBO never reuses an Id, so a deleted copy takes no later version.
 */

/** What DealBooks knows of one version of a QBO object. */
export interface ObjectVersion {
  /** MetaData.LastUpdatedTime (ISO 8601 with an offset), or null when unknown (a copy kept before QBO's stamp was). */
  updatedAt: string | null;
  /** QBO's SyncToken (a decimal integer as a string), or null when unknown (a deletion carries none). */
  syncToken: string | null;
}

export type CopyState = 'active' | 'voided' | 'deleted';

export type VersionOrder = 'newer' | 'same' | 'older';

function instantOf(text: string | null): number | null {
  const ms = Date.parse(text ?? '');
  return Number.isNaN(ms) ? null : ms;
}

const WHOLE_NUMBER = /^\d+$/;

/** -1, 0 or 1; null when either token is missing or not a whole number. */
function compareTokens(a: string | null, b: string | null): number | null {
  if (!WHOLE_NUMBER.test(a ?? '') || !WHOLE_NUMBER.test(b ?? '')) return null;
  const x = BigInt(a!);
  const y = BigInt(b!);
  return x > y ? 1 : x < y ? -1 : 0;
}

/**
 * How `incoming` stands against the copy DealBooks holds (`stored`, null when there is none): 'newer' means the copy
 * must take it, 'same' and 'older' that it must not.
 * - No copy: newer. A deleted copy: older (nothing comes after a deletion).
 * - Both times known and different: the later one is newer.
 * - Otherwise (same second, or a time unknown on either side): the greater SyncToken is newer; equal tokens are the
 *   same version. When neither side can be compared at all, the incoming version is taken: it was read from QBO
 *   after the copy was made.
 */
export function compareVersions(incoming: ObjectVersion, stored: (ObjectVersion & { state: CopyState }) | null): VersionOrder {
  if (stored === null) return 'newer';
  if (stored.state === 'deleted') return 'older';
  const a = instantOf(incoming.updatedAt);
  const b = instantOf(stored.updatedAt);
  if (a !== null && b !== null) {
    if (a > b) return 'newer';
    if (a < b) return 'older';
  }
  const tokens = compareTokens(incoming.syncToken, stored.syncToken);
  if (tokens === null) return 'newer';
  return tokens > 0 ? 'newer' : tokens < 0 ? 'older' : 'same';
}

/**
 * The state of a QBO invoice or payment from the object alone: QBO has no status field. Voiding zeroes the amounts
 * and puts "Voided" at the start of PrivateNote (test/fixtures/quickbooks/payment_void_response.json; invoices the
 * same way), so a total of 0 with such a note is voided; a 0 total without it is only an empty document.
 */
export function voidState(object: { totalCents: number; privateNote: string | null }): 'active' | 'voided' {
  return object.totalCents === 0 && object.privateNote?.startsWith('Voided') === true ? 'voided' : 'active';
}

/** What a person would notice between two versions of a document's copy, in words ("balance $1,651.50 → $651.50"). */
export function documentChangeWords(
  before: { totalCents: number; balanceCents: number | null; dueDate: string | null; qboState: CopyState; txnStatus: string | null } | null,
  after: { totalCents: number; balanceCents: number | null; dueDate: string | null; qboState: CopyState; txnStatus: string | null },
  money: (cents: number) => string,
): string[] {
  if (after.qboState !== 'active' && before?.qboState !== after.qboState) return [after.qboState];
  if (!before) return ['first copy'];
  const words: string[] = [];
  if (before.totalCents !== after.totalCents) words.push(`total ${money(before.totalCents)} → ${money(after.totalCents)}`);
  if (before.balanceCents !== after.balanceCents && after.balanceCents !== null) {
    words.push(`balance ${before.balanceCents === null ? 'unknown' : money(before.balanceCents)} → ${money(after.balanceCents)}`);
  }
  if (before.dueDate !== after.dueDate) words.push(`due date ${before.dueDate ?? 'none'} → ${after.dueDate ?? 'none'}`);
  if (before.txnStatus !== after.txnStatus && after.txnStatus !== null) words.push(`status ${before.txnStatus ?? 'none'} → ${after.txnStatus}`);
  return words.length > 0 ? words : ['details'];
}
