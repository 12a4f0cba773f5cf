import type { CustomerDraft, DealSnapshot, QboCustomer } from './model';
import { normalizeCompanyName, qboDisplayName, rankCustomerCandidates } from './names';

/**
 * Which QBO customer a deal is billed to, decided from lists the caller has read (pure). The order is fixed:
 *   1. an existing link (the deal's, then its company's or contact's), which the caller checks first;
 *   2. the contact's email equal to a QBO customer's email;
 *   3. an exact match of normalised names ("ABC LLC", "ABC, LLC" and "ABC Inc" meet);
 *   4. fuzzy candidates with a score: never linked automatically, proposed to a person ("Confirm customer");
 *   5. otherwise a new customer from the company and contact (if finance allows it).
 */
export interface Candidate {
  id: string;
  displayName: string;
  email: string | null;
  score: number;
  /** `inactive`: an inactive customer holding exactly the name; confirming it reactivates it. */
  reason: 'email' | 'name' | 'fuzzy' | 'inactive';
}

export type CustomerMatch =
  | { state: 'matched'; customer: QboCustomer; method: 'email' | 'name'; score: number }
  | { state: 'needs_confirmation'; candidates: Candidate[] };

/** The HubSpot object that owns the customer link: a company's customer serves all its deals. */
export type CustomerOwner = { type: 'company' | 'contact' | 'deal'; id: string };

export function customerOwner(deal: DealSnapshot): CustomerOwner {
  if (deal.company) return { type: 'company', id: deal.company.id };
  if (deal.contact) return { type: 'contact', id: deal.contact.id };
  return { type: 'deal', id: deal.id };
}

/** The name the customer should have: the company's, else the contact's, else the deal's. */
export function billingName(deal: DealSnapshot): string {
  const company = deal.company?.name?.trim();
  if (company) return company;
  const person = [deal.contact?.firstName, deal.contact?.lastName].filter(Boolean).join(' ').trim();
  if (person) return person;
  return deal.contact?.email ?? deal.name;
}

/** A new QBO customer made from the deal's company and contact. */
export function customerDraft(deal: DealSnapshot, currency: string | null): CustomerDraft {
  const c = deal.company;
  const p = deal.contact;
  return {
    displayName: qboDisplayName(billingName(deal)),
    companyName: c?.name ?? null,
    givenName: p?.firstName ?? null,
    familyName: p?.lastName ?? null,
    email: p?.email ?? null,
    phone: c?.phone ?? p?.phone ?? null,
    billAddr: c && (c.address || c.city || c.zip || c.country) ? { line1: c.address, city: c.city, countrySubDivisionCode: c.state, postalCode: c.zip, country: c.country } : null,
    notes: `Created by DealBooks from HubSpot ${c ? `company ${c.id}` : p ? `contact ${p.id}` : `deal ${deal.id}`}.`,
    currency,
    parentId: null,
  };
}

/** Active top-level customers: a project (sub-customer) or an inactive customer is never matched. */
export const billable = (c: QboCustomer) => c.active && !c.job;

/** Step 2: the customers holding the contact's email. One is the match; several with one of the right name too. */
export function matchByEmail(withEmail: readonly QboCustomer[], name: string): CustomerMatch | null {
  const usable = withEmail.filter(billable);
  if (usable.length === 1) return { state: 'matched', customer: usable[0]!, method: 'email', score: 1 };
  if (usable.length === 0) return null;
  const sameName = usable.filter((c) => normalizeCompanyName(c.displayName) === normalizeCompanyName(name));
  if (sameName.length === 1) return { state: 'matched', customer: sameName[0]!, method: 'email', score: 1 };
  return { state: 'needs_confirmation', candidates: usable.map((c) => ({ id: c.id, displayName: c.displayName, email: c.email, score: 1, reason: 'email' as const })) };
}

/**
 * The inactive top-level customer holding exactly the name a new customer would get (QBO compares names without
 * case). QBO keeps an inactive customer's name, so a returning client usually wants that customer back rather than a
 * "Name (2)". Null when there is none.
 */
export function inactiveNamesake(customers: readonly QboCustomer[], displayName: string): QboCustomer | null {
  const wanted = displayName.trim().toLowerCase();
  const found = customers.filter((c) => !c.active && !c.job && c.displayName.trim().toLowerCase() === wanted);
  return found.length === 1 ? found[0]! : null;
}

/** The inactive namesake as the one candidate a person confirms (which reactivates it). */
export function inactiveCandidate(customer: QboCustomer): Candidate {
  return { id: customer.id, displayName: customer.displayName, email: customer.email, score: 1, reason: 'inactive' };
}

/**
 * Steps 3 and 4 over the whole customer list: the verbatim name, else one normalised-equal name (several ask a
 * person), else fuzzy candidates at or above the threshold. Null: nothing close enough.
 */
export function matchByName(customers: readonly QboCustomer[], name: string, threshold: number): CustomerMatch | null {
  const usable = customers.filter(billable);
  const wanted = name.trim().toLowerCase();
  const verbatim = usable.filter((c) => c.displayName.trim().toLowerCase() === wanted);
  if (verbatim.length === 1) return { state: 'matched', customer: verbatim[0]!, method: 'name', score: 1 };
  const normalised = normalizeCompanyName(name);
  const equal = usable.filter((c) => normalizeCompanyName(c.displayName) === normalised || (c.companyName && normalizeCompanyName(c.companyName) === normalised));
  if (equal.length === 1) return { state: 'matched', customer: equal[0]!, method: 'name', score: 1 };
  if (equal.length > 1) return { state: 'needs_confirmation', candidates: equal.map((c) => ({ id: c.id, displayName: c.displayName, email: c.email, score: 1, reason: 'name' as const })) };
  const ranked = rankCustomerCandidates(name, usable, { limit: 5, minScore: threshold });
  if (ranked.length === 0) return null;
  return {
    state: 'needs_confirmation',
    candidates: ranked.map((r) => ({ id: r.customer.id, displayName: r.customer.displayName, email: r.customer.email, score: Math.round(r.score * 1000) / 1000, reason: 'fuzzy' as const })),
  };
}
