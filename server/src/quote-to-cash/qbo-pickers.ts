import { UpstreamError } from '../errors';
import type { QboCustomer, QboItem, QboTerm } from '../sync/model';
import { usableConnection, withinCardBudget } from './card-actions';
import type { QuoteToCashDeps } from './deps';

/**
 * The settings page's pickers: what the connected QuickBooks company holds now, for choosing the default item,
 * terms, class, tax codes, a product's item and a deal's customer by name rather than by id. Read through the same
 * short-lived per-account lists the documents use (catalog-cache.ts), so opening the page costs QuickBooks at most
 * one query per list a minute. Without a usable connection the answer is 409 with the words to repair it.
 */
export const CUSTOMER_PICKS = 50;

export const CLASS_TRACKING_OFF =
  'Class tracking is off in QuickBooks, so there is no class to choose. To use classes, turn on "Track classes" in QuickBooks (Settings > Account and settings > Advanced > Categories).';

export async function itemPicks(deps: QuoteToCashDeps, portalId: number): Promise<{ items: Array<{ id: string; name: string; type: string; sku: string | null; active: boolean }> }> {
  await usableConnection(deps, portalId);
  const items = await deps.cache.get<QboItem[]>(portalId, 'items', () => deps.sales.allItems(portalId));
  return { items: byName(items).map((i) => ({ id: i.id, name: i.name, type: i.type, sku: i.sku, active: i.active })) };
}

export async function termPicks(deps: QuoteToCashDeps, portalId: number): Promise<{ terms: Array<{ id: string; name: string; dueDays: number | null }> }> {
  await usableConnection(deps, portalId);
  const terms = await deps.cache.get<QboTerm[]>(portalId, 'terms', () => deps.sales.terms(portalId));
  return { terms: byName(terms.filter((t) => t.active)).map((t) => ({ id: t.id, name: t.name, dueDays: t.dueDays })) };
}

export async function classPicks(deps: QuoteToCashDeps, portalId: number): Promise<{ classes: Array<{ id: string; name: string; fullyQualifiedName: string }>; message?: string }> {
  await usableConnection(deps, portalId);
  const prefs = await deps.cache.get(portalId, 'preferences', () => deps.sales.preferences(portalId));
  if (!prefs.classTracking) return { classes: [], message: CLASS_TRACKING_OFF };
  try {
    const classes = await deps.cache.get(portalId, 'classes', () => deps.sales.classes(portalId));
    return { classes: byName(classes.filter((c) => c.active)).map((c) => ({ id: c.id, name: c.ownName, fullyQualifiedName: c.name })) };
  } catch (err) {
    // QuickBooks refuses the class list of a company that does not track classes; the preference may have just changed.
    if (err instanceof UpstreamError && err.provider === 'quickbooks' && err.status === 400) return { classes: [], message: CLASS_TRACKING_OFF };
    throw err;
  }
}

export async function taxCodePicks(deps: QuoteToCashDeps, portalId: number): Promise<{ taxCodes: Array<{ id: string; name: string; taxable: boolean }> }> {
  await usableConnection(deps, portalId);
  const codes = await deps.cache.get(portalId, 'tax-codes', () => deps.sales.taxCodes(portalId));
  return { taxCodes: byName(codes.filter((t) => t.active)).map((t) => ({ id: t.id, name: t.name, taxable: t.taxable })) };
}

/**
 * HubSpot retries a `hubspot.fetch` once when it answers 5xx, within the same 15 s
 * (https://developers.hubspot.com/docs/apps/developer-platform/add-features/ui-extensibility/fetching-data): two
 * waits of 5 s fit, so the page gets these words rather than HubSpot's own timeout.
 */
export const CUSTOMER_PICKS_BUDGET_MS = 5_000;

/**
 * Customers whose display name contains `search` (any case), active ones first, at most CUSTOMER_PICKS. Inactive
 * customers are offered too (choosing one for a deal makes it active again); sub-customers that are inactive are not,
 * as confirming a customer refuses them.
 *
 * A company with many thousands of customers takes QuickBooks many pages to list, longer than HubSpot's 15 s for a
 * `hubspot.fetch`: the picker waits at most CUSTOMER_PICKS_BUDGET_MS and then says to try again (503 in words), while
 * the list goes on loading into the cache, so the next search a moment later answers from it.
 */
export async function customerPicks(deps: QuoteToCashDeps, portalId: number, search: string | undefined): Promise<{ customers: Array<{ id: string; displayName: string; email: string | null; active: boolean }> }> {
  await usableConnection(deps, portalId);
  const all = await withinCardBudget(
    deps.cache.get<QboCustomer[]>(portalId, 'customers', () => deps.sales.allCustomers(portalId, { includeInactive: true })),
    'Listing the QuickBooks customers',
    CUSTOMER_PICKS_BUDGET_MS,
  );
  const wanted = (search ?? '').trim().toLocaleLowerCase();
  const found = all.filter((c) => (c.active || !c.job) && c.displayName.toLocaleLowerCase().includes(wanted));
  found.sort((a, b) => Number(b.active) - Number(a.active) || a.displayName.localeCompare(b.displayName));
  return { customers: found.slice(0, CUSTOMER_PICKS).map((c) => ({ id: c.id, displayName: c.displayName, email: c.email, active: c.active })) };
}

function byName<T extends { name: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name));
}
