import type pg from 'pg';
import type { Clock } from '../clock';
import { ensureLink, findLink, markLinked, markNeedsReview, noteAttempt, type EntityLink, type HubSpotObjectType, type MatchMethod } from '../db/entity-links';
import { DuplicateNameError, type CustomerInput, type QuickbooksSales } from '../quickbooks/sales';
import type { CatalogCache } from './catalog-cache';
import type { DealSnapshot, QboCustomer } from './model';
import { disambiguatedDisplayName, normalizeCompanyName, qboDisplayName, rankCustomerCandidates } from './names';
import type { Settings } from './settings';

/**
 * Which QBO customer a deal is billed to (issue 5, point 3), in a fixed order:
 *   1. an existing link (the deal's, then its company's or contact's);
 *   2. the contact's email equal to a QBO customer's email;
 *   3. an exact match of normalised names ("ABC LLC", "ABC, LLC" and "ABC Inc" meet);
 *   4. fuzzy candidates with a score: never linked automatically, proposed to a person ("Confirm customer");
 *   5. otherwise a new customer from the company and contact (if finance allows it).
 * `plan` decides without writing; `commit` carries the decision out (creating the customer at most once).
 */

export interface Candidate {
  id: string;
  displayName: string;
  email: string | null;
  score: number;
  reason: 'email' | 'name' | 'fuzzy';
}

export type CustomerPlan =
  | { state: 'linked'; customer: QboCustomer; method: MatchMethod; score: number | null }
  | { state: 'matched'; customer: QboCustomer; method: 'email' | 'name'; score: number }
  | { state: 'needs_confirmation'; candidates: Candidate[] }
  | { state: 'create'; draft: CustomerInput }
  | { state: 'missing' };

export interface CustomerEnv {
  pool: pg.Pool;
  clock: Clock;
  sales: QuickbooksSales;
  cache: CatalogCache;
  portalId: number;
  connectionId: number;
}

/** The HubSpot object that owns the customer link (a company's customer serves all its deals). */
export function customerOwner(deal: DealSnapshot): { type: HubSpotObjectType; id: string } {
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

export function customerDraft(deal: DealSnapshot, settings: Settings, currency: string | null): CustomerInput {
  const c = deal.company;
  const p = deal.contact;
  const name = qboDisplayName(billingName(deal));
  return {
    displayName: name,
    companyName: c?.name ?? null,
    givenName: p?.firstName ?? null,
    familyName: p?.lastName ?? null,
    email: p?.email ?? null,
    phone: c?.phone ?? p?.phone ?? null,
    billAddr: c && (c.address || c.city || c.zip || c.country) ? { line1: c.address, city: c.city, countrySubDivisionCode: c.state, postalCode: c.zip, country: c.country } : null,
    notes: `Created by DealBooks from HubSpot ${c ? `company ${c.id}` : p ? `contact ${p.id}` : `deal ${deal.id}`}.`,
    currency,
    parentId: null,
  } as CustomerInput;
  void settings;
}

const usable = (c: QboCustomer) => c.active && !c.job;

async function allCustomers(env: CustomerEnv, fresh: boolean): Promise<QboCustomer[]> {
  return env.cache.get(env.portalId, 'customers', () => env.sales.allCustomers(env.portalId), { fresh });
}

async function linkedCustomer(env: CustomerEnv, link: EntityLink | null): Promise<QboCustomer | null> {
  if (!link || link.status !== 'linked' || !link.qboEntityId) return null;
  const customer = await env.sales.customer(env.portalId, link.qboEntityId);
  return customer && customer.active ? customer : null;
}

export async function planCustomer(env: CustomerEnv, deal: DealSnapshot, settings: Settings, currency: string | null): Promise<CustomerPlan> {
  const dealLink = await findLink(env.pool, env.connectionId, 'deal', deal.id, 'Customer');
  // With a project per deal, the deal's own link names its project; the plan is about the parent customer.
  if (!settings.customers.projectPerDeal) {
    const fromDeal = await linkedCustomer(env, dealLink);
    if (fromDeal && dealLink) return { state: 'linked', customer: fromDeal, method: dealLink.matchMethod ?? 'existing', score: dealLink.matchScore };
    // A person looked at the candidates and chose "none of these: create a new customer".
    if (dealLink && dealLink.status !== 'linked' && dealLink.details.decision === 'create') return { state: 'create', draft: customerDraft(deal, settings, currency) };
  }
  const owner = customerOwner(deal);
  if (owner.type !== 'deal') {
    const ownerLink = await findLink(env.pool, env.connectionId, owner.type, owner.id, 'Customer');
    const fromOwner = await linkedCustomer(env, ownerLink);
    if (fromOwner && ownerLink) return { state: 'linked', customer: fromOwner, method: 'existing', score: ownerLink.matchScore };
  }

  const email = deal.contact?.email?.trim().toLowerCase();
  const name = billingName(deal);
  if (email) {
    const byEmail = (await env.sales.customersByEmail(env.portalId, email)).filter(usable);
    if (byEmail.length === 1) return { state: 'matched', customer: byEmail[0]!, method: 'email', score: 1 };
    if (byEmail.length > 1) {
      const sameName = byEmail.filter((c) => normalizeCompanyName(c.displayName) === normalizeCompanyName(name));
      if (sameName.length === 1) return { state: 'matched', customer: sameName[0]!, method: 'email', score: 1 };
      return { state: 'needs_confirmation', candidates: byEmail.map((c) => ({ id: c.id, displayName: c.displayName, email: c.email, score: 1, reason: 'email' as const })) };
    }
  }

  for (const fresh of [false, true]) {
    const customers = (await allCustomers(env, fresh)).filter(usable);
    const wanted = name.trim().toLowerCase();
    const verbatim = customers.filter((c) => c.displayName.trim().toLowerCase() === wanted);
    if (verbatim.length === 1) return { state: 'matched', customer: verbatim[0]!, method: 'name', score: 1 };
    const normalised = normalizeCompanyName(name);
    const equal = customers.filter((c) => normalizeCompanyName(c.displayName) === normalised || (c.companyName && normalizeCompanyName(c.companyName) === normalised));
    if (equal.length === 1) return { state: 'matched', customer: equal[0]!, method: 'name', score: 1 };
    if (equal.length > 1) {
      return { state: 'needs_confirmation', candidates: equal.map((c) => ({ id: c.id, displayName: c.displayName, email: c.email, score: 1, reason: 'name' as const })) };
    }
    const ranked = rankCustomerCandidates(name, customers, { limit: 5, minScore: settings.customers.matchThreshold });
    if (ranked.length > 0) {
      return {
        state: 'needs_confirmation',
        candidates: ranked.map((r) => ({ id: r.customer.id, displayName: r.customer.displayName, email: r.customer.email, score: Math.round(r.score * 1000) / 1000, reason: 'fuzzy' as const })),
      };
    }
    // Before deciding to create, look again at a fresh list: the cached one may be a minute old.
  }
  return settings.customers.createWhenNoMatch ? { state: 'create', draft: customerDraft(deal, settings, currency) } : { state: 'missing' };
}

/**
 * Carries out a plan: records the match, or creates the customer once. Creation goes through the owner's link and
 * its request id, so two deals of one company, a retried job, or an answer lost on the wire all end with one customer:
 * a repeated request id replays QBO's first answer, and a 6240 on the very name DealBooks chose, held by an active
 * customer, is that customer (made by an earlier attempt whose answer was lost).
 */
export async function commitCustomer(
  env: CustomerEnv,
  deal: DealSnapshot,
  plan: CustomerPlan,
  options: { linkDeal: boolean },
): Promise<{ customer: QboCustomer; method: MatchMethod; score: number | null; intuitTid?: string }> {
  const now = () => env.clock.now();
  const owner = customerOwner(deal);
  const targets = owner.type === 'deal' || !options.linkDeal ? [owner] : [owner, { type: 'deal' as const, id: deal.id }];
  const link = async (customer: QboCustomer, method: MatchMethod, score: number | null) => {
    for (const o of targets) {
      const l = await ensureLink(env.pool, { portalId: env.portalId, connectionId: env.connectionId, type: o.type, id: o.id, qboType: 'Customer' }, now());
      if (l.status !== 'linked' || l.qboEntityId !== customer.id) await markLinked(env.pool, l.id, { qboEntityId: customer.id, method, score, details: { candidates: null, displayName: customer.displayName } }, now());
    }
  };
  if (plan.state === 'linked' || plan.state === 'matched') {
    await link(plan.customer, plan.method, plan.score);
    return { customer: plan.customer, method: plan.method, score: plan.score };
  }
  if (plan.state !== 'create') throw new Error(`cannot commit a customer plan in state ${plan.state}`);

  const ownerLink = await ensureLink(env.pool, { portalId: env.portalId, connectionId: env.connectionId, type: owner.type, id: owner.id, qboType: 'Customer' }, now());
  const base = plan.draft.displayName;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const displayName = attempt === 1 ? base : disambiguatedDisplayName(base, attempt);
    const requestId = attempt === 1 ? ownerLink.requestId : `${ownerLink.requestId.slice(0, 44)}-n${attempt}`;
    await noteAttempt(env.pool, ownerLink.id, { displayName }, now());
    try {
      const created = await env.sales.createCustomer(env.portalId, { ...plan.draft, displayName }, requestId);
      await env.cache.upsert(env.portalId, 'customers', created.customer);
      await link(created.customer, 'created', null);
      return { customer: created.customer, method: 'created', score: null, intuitTid: created.intuitTid };
    } catch (err) {
      if (!(err instanceof DuplicateNameError)) throw err;
      if (err.existing && err.existing.displayName.trim().toLowerCase() === displayName.trim().toLowerCase() && usable(err.existing)) {
        await env.cache.upsert(env.portalId, 'customers', err.existing);
        await link(err.existing, 'created', null);
        return { customer: err.existing, method: 'created', score: null };
      }
      // The name belongs to a vendor, an employee or an inactive customer: QBO names are unique across all of them.
    }
  }
  throw new Error(`QuickBooks refused every name tried for the new customer "${base}" as a duplicate name.`);
}

/** Keeps the candidates on the deal's customer link, which puts the deal on the review list. */
export async function recordCandidates(env: CustomerEnv, deal: DealSnapshot, candidates: Candidate[]): Promise<void> {
  const l = await ensureLink(env.pool, { portalId: env.portalId, connectionId: env.connectionId, type: 'deal', id: deal.id, qboType: 'Customer' }, env.clock.now());
  if (l.status === 'linked') return;
  // The company's name only: a contact's name is personal data that a privacy deletion could not find here.
  await markNeedsReview(env.pool, l.id, { candidates, companyId: deal.company?.id ?? null, name: deal.company?.name ?? null }, env.clock.now());
}
