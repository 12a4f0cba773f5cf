/**
 * Customer name matching and valid QBO DisplayNames. Books hold "ABC LLC", "ABC, LLC" and
 * "ABC Inc" for one company (the QBO simulator's demo seed has all three), so names are compared after
 * normalisation, and near misses get a score for a person to confirm instead of a silent link.
 */
import type { QboCustomer } from './model';

/** Legal-form words that say nothing about which company it is (compared after punctuation is removed). */
const LEGAL_SUFFIXES = new Set([
  'inc', 'incorporated', 'llc', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company', 'plc', 'gmbh', 'pty',
  'sa', 'sarl', 'bv', 'ag', 'llp', 'lp',
]);

/**
 * A company name reduced to what identifies it: lower case, no diacritics, "&"/"+" as "and", no punctuation,
 * single spaces, no leading "the", no trailing legal suffixes ("ABC, L.L.C." -> "abc"; "Smith & Sons Co." ->
 * "smith and sons"). It is never reduced to nothing: "The Company" keeps its last word ("company").
 */
export function normalizeCompanyName(name: string): string {
  const text = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[&+]/g, ' and ')
    // Dots and apostrophes join ("l.l.c." -> "llc", "o'neil" -> "oneil"); any other symbol separates words.
    .replace(/[.'’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  const words = text === '' ? [] : text.split(' ');
  if (words.length > 1 && words[0] === 'the') words.shift();
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1] ?? '')) words.pop();
  return words.join(' ');
}

function bigrams(text: string): Map<string, number> {
  const compact = text.replace(/ /g, '');
  const counts = new Map<string, number>();
  for (let i = 0; i < compact.length - 1; i++) {
    const pair = compact.slice(i, i + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
}

/** Sørensen–Dice coefficient of two multisets: 2 |A ∩ B| / (|A| + |B|). */
function dice<T>(a: Map<T, number>, b: Map<T, number>): number {
  let sizeA = 0;
  let sizeB = 0;
  let shared = 0;
  for (const count of a.values()) sizeA += count;
  for (const count of b.values()) sizeB += count;
  for (const [key, count] of a) shared += Math.min(count, b.get(key) ?? 0);
  return sizeA + sizeB === 0 ? 0 : (2 * shared) / (sizeA + sizeB);
}

function wordSet(text: string): Map<string, number> {
  return new Map(text.split(' ').filter((w) => w !== '').map((w) => [w, 1] as const));
}

/**
 * How alike two company names are, in [0, 1]: 1 when they normalise to the same text, else the larger of
 * - Sørensen–Dice on the character bigrams of the normalised names (spaces removed), which forgives spelling and
 *   word-ending differences ("Northwind Traders" / "Northwind Trading" = 0.8), and
 * - Sørensen–Dice on their sets of words, which forgives word order and an extra word ("Acme West" / "West Acme").
 * Single-character names have no bigrams and only score through equal words.
 */
export function nameSimilarity(a: string, b: string): number {
  const x = normalizeCompanyName(a);
  const y = normalizeCompanyName(b);
  if (x === '' || y === '') return 0;
  if (x === y) return 1;
  return Math.max(dice(bigrams(x), bigrams(y)), dice(wordSet(x), wordSet(y)));
}

export interface CustomerCandidate {
  customer: QboCustomer;
  score: number;
  /** The normalised names are equal (display name or company name). */
  exact: boolean;
  /** Inactive customers still hold their name in QBO (hidden from default queries); reactivating one beats a duplicate. */
  inactive: boolean;
}

export interface RankOptions {
  /** At most this many candidates (default 5). */
  limit?: number;
  /** Leave out candidates scoring below this (default 0.3); exact matches always stay. */
  minScore?: number;
  /** Consider sub-customers / projects too (default false: a deal's customer is a top-level customer). */
  includeJobs?: boolean;
  /** Consider inactive customers (default true; they come back flagged `inactive`). */
  includeInactive?: boolean;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * QBO customers that may be the HubSpot company, best first. The score is the better of the display name's and
 * the company name's similarity. Ties go to exact matches, then active customers, then display name order, so
 * the ranking is the same on every run.
 */
export function rankCustomerCandidates(companyName: string, customers: readonly QboCustomer[], options: RankOptions = {}): CustomerCandidate[] {
  const limit = options.limit ?? 5;
  const minScore = options.minScore ?? 0.3;
  const wanted = normalizeCompanyName(companyName);
  if (wanted === '') return [];
  const candidates: CustomerCandidate[] = [];
  for (const customer of customers) {
    if (customer.job && !options.includeJobs) continue;
    if (!customer.active && options.includeInactive === false) continue;
    const names = [customer.displayName, customer.companyName].filter((n): n is string => typeof n === 'string' && n.trim() !== '');
    const exact = names.some((n) => normalizeCompanyName(n) === wanted);
    const score = exact ? 1 : Math.max(0, ...names.map((n) => nameSimilarity(companyName, n)));
    if (!exact && (score <= 0 || score < minScore)) continue;
    candidates.push({ customer, score, exact, inactive: !customer.active });
  }
  candidates.sort(
    (a, b) =>
      b.score - a.score ||
      Number(b.exact) - Number(a.exact) ||
      Number(a.inactive) - Number(b.inactive) ||
      byText(a.customer.displayName, b.customer.displayName) ||
      byText(a.customer.id, b.customer.id),
  );
  return candidates.slice(0, Math.max(0, limit));
}

/** QBO Customer.DisplayName: at most 500 characters. */
export const DISPLAY_NAME_MAX = 500;

/** Cuts to `max` UTF-16 units without splitting a surrogate pair, then drops trailing spaces. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end).trimEnd();
}

/**
 * A DisplayName QBO accepts: no ':' (it separates parent and child in FullyQualifiedName), tab, newline or other
 * control characters (QBO refuses them in a DisplayName), single spaces, trimmed, at most 500 characters, never empty.
 */
export function qboDisplayName(raw: string | null | undefined, fallback = 'HubSpot customer'): string {
  const cleaned = (raw ?? '')
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/[\u200b\u00ad\ufeff]/g, '')
    .replace(/^[\s:]+|[\s:]+$/g, '')
    .replace(/\s*:+\s*/g, ' - ')
    .replace(/\s+/g, ' ')
    .trim();
  const name = cut(cleaned, DISPLAY_NAME_MAX);
  return name === '' ? cut(fallback, DISPLAY_NAME_MAX) : name;
}

/**
 * The name to try after a 6240 "Duplicate Name Exists" (a vendor, employee or other customer holds the name):
 * attempt 1 is the name itself, attempt 2 is "Name (2)", then "(3)"..., shortening the name to stay within 500.
 */
export function disambiguatedDisplayName(base: string, attempt: number): string {
  const name = qboDisplayName(base);
  if (!Number.isInteger(attempt) || attempt <= 1) return name;
  const suffix = ` (${attempt})`;
  return `${cut(name, DISPLAY_NAME_MAX - suffix.length)}${suffix}`;
}

/**
 * Which attempt of disambiguatedDisplayName a new customer will get: the first of "Name", "Name (2)", "Name (3)"...
 * that no customer (active or not), vendor or employee holds, compared without case as QBO does. The preview shows
 * that name, and creation starts from it, so what the preview says is what QuickBooks gets.
 */
export function firstFreeNameAttempt(base: string, taken: Iterable<string>): number {
  const used = new Set<string>();
  for (const name of taken) used.add(name.trim().toLowerCase());
  for (let attempt = 1; attempt < 1000; attempt++) {
    if (!used.has(disambiguatedDisplayName(base, attempt).toLowerCase())) return attempt;
  }
  return 1000;
}
