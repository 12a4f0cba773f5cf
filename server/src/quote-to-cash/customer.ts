import { ensureLink, findLink, markLinked, markNeedsReview, noteAttempt, type EntityLink, type MatchMethod } from '../db/entity-links';
import { DuplicateNameError } from '../quickbooks/sales';
import { billable, billingName, customerDraft, customerOwner, inactiveCandidate, inactiveNamesake, matchByEmail, matchByName, type Candidate, type CustomerMatch } from '../sync/customer-match';
import type { CustomerDraft, DealSnapshot, QboCustomer } from '../sync/model';
import { disambiguatedDisplayName, firstFreeNameAttempt } from '../sync/names';
import type { Settings } from '../sync/settings';
import type { QuoteToCashDeps } from './deps';

/**
 * Which QBO customer a deal is billed to, in the fixed order of sync/customer-match.ts: an existing link first, then
 * the matcher over what QuickBooks holds, then a new customer. `planCustomer` decides without writing;
 * `commitCustomer` carries the decision out (creating the customer at most once).
 */
export type CustomerPlan =
  | { state: 'linked'; customer: QboCustomer; method: MatchMethod; score: number | null }
  | CustomerMatch
  /** `nameAttempt`: which of "Name", "Name (2)"... is free in QuickBooks (names.ts), so the preview names it. */
  | { state: 'create'; draft: CustomerDraft; nameAttempt?: number }
  /** An inactive customer with exactly the name, made active again (a person confirmed it, or the settings say so). */
  | { state: 'reactivate'; customer: QboCustomer; method: 'name' | 'manual' }
  | { state: 'missing' };

/** The DisplayName a create plan gives the new customer. */
export function plannedName(plan: { draft: CustomerDraft; nameAttempt?: number }): string {
  return disambiguatedDisplayName(plan.draft.displayName, plan.nameAttempt ?? 1);
}

/** The account and QBO company a customer decision is made in. */
export interface CustomerScope {
  portalId: number;
  connectionId: number;
}

async function linkedCustomer(deps: QuoteToCashDeps, scope: CustomerScope, link: EntityLink | null): Promise<QboCustomer | null> {
  if (!link || link.status !== 'linked' || !link.qboEntityId) return null;
  const customer = await deps.sales.customer(scope.portalId, link.qboEntityId);
  return customer && customer.active ? customer : null;
}

export async function planCustomer(deps: QuoteToCashDeps, scope: CustomerScope, deal: DealSnapshot, settings: Settings, currency: string | null): Promise<CustomerPlan> {
  const dealLink = await findLink(deps.pool, scope.connectionId, 'deal', deal.id, 'Customer');
  const plan = await planCustomerFrom(deps, scope, deal, settings, currency, dealLink);
  // A candidate a person rejected for this deal (the settings page's customer review) is never proposed again.
  const rejected = dealLink ? rejectedCandidateIds(dealLink.details) : [];
  if (plan.state !== 'needs_confirmation' || rejected.length === 0) return plan;
  return { ...plan, candidates: plan.candidates.filter((c) => !rejected.includes(c.id)) };
}

async function planCustomerFrom(
  deps: QuoteToCashDeps,
  scope: CustomerScope,
  deal: DealSnapshot,
  settings: Settings,
  currency: string | null,
  dealLink: EntityLink | null,
): Promise<CustomerPlan> {
  // With a project per deal, the deal's own link names its project; the plan is about the parent customer.
  if (!settings.customers.projectPerDeal) {
    const fromDeal = await linkedCustomer(deps, scope, dealLink);
    if (fromDeal && dealLink) return { state: 'linked', customer: fromDeal, method: dealLink.matchMethod ?? 'existing', score: dealLink.matchScore };
    // A person looked at the candidates and chose "none of these: create a new customer".
    if (dealLink && dealLink.status !== 'linked' && dealLink.details.decision === 'create') {
      const customers = await deps.cache.get(scope.portalId, 'customers', () => deps.sales.allCustomers(scope.portalId, { includeInactive: true }), { fresh: true });
      return newCustomerPlan(deps, scope, customerDraft(deal, currency), customers);
    }
  }
  // A person confirmed the inactive customer of the same name: it is made active again when the work runs.
  const reactivateId = dealLink && dealLink.status !== 'linked' && dealLink.details.decision === 'reactivate' ? dealLink.details.reactivateId : null;
  if (typeof reactivateId === 'string') {
    const chosen = await deps.sales.customer(scope.portalId, reactivateId);
    if (chosen && !chosen.job) return { state: 'reactivate', customer: chosen, method: 'manual' };
  }
  const owner = customerOwner(deal);
  if (owner.type !== 'deal') {
    const ownerLink = await findLink(deps.pool, scope.connectionId, owner.type, owner.id, 'Customer');
    const fromOwner = await linkedCustomer(deps, scope, ownerLink);
    if (fromOwner && ownerLink) return { state: 'linked', customer: fromOwner, method: 'existing', score: ownerLink.matchScore };
  }

  const name = billingName(deal);
  const email = deal.contact?.email?.trim().toLowerCase();
  if (email) {
    const byEmail = matchByEmail(await deps.sales.customersByEmail(scope.portalId, email), name);
    if (byEmail) return byEmail;
  }
  // Before deciding to create, look again at a fresh list: the cached one may be a minute old. Inactive customers
  // are in the list (they hold their names), and only matchByName's active ones are ever matched.
  let customers: QboCustomer[] = [];
  const draft = customerDraft(deal, currency);
  for (const fresh of [false, true]) {
    customers = await deps.cache.get(scope.portalId, 'customers', () => deps.sales.allCustomers(scope.portalId, { includeInactive: true }), { fresh });
    const byName = matchByName(customers, name, settings.customers.matchThreshold);
    if (byName?.state === 'matched') return byName;
    const namesake = settings.inactiveCustomer === 'create-new' ? null : inactiveNamesake(customers, draft.displayName);
    if (namesake) return settings.inactiveCustomer === 'reactivate' ? { state: 'reactivate', customer: namesake, method: 'name' } : { state: 'needs_confirmation', candidates: [inactiveCandidate(namesake)] };
    if (byName) return byName;
  }
  if (!settings.customers.createWhenNoMatch) return { state: 'missing' };
  return newCustomerPlan(deps, scope, draft, customers);
}

/** A new customer under the first name that is free: QBO names are unique across customers, vendors and employees. */
async function newCustomerPlan(deps: QuoteToCashDeps, scope: CustomerScope, draft: CustomerDraft, customers: readonly QboCustomer[]): Promise<CustomerPlan> {
  const others = await deps.cache.get(scope.portalId, 'other-names', () => deps.sales.otherNames(scope.portalId), { fresh: true });
  return { state: 'create', draft, nameAttempt: firstFreeNameAttempt(draft.displayName, [...customers.map((c) => c.displayName), ...others]) };
}

/**
 * Carries out a plan: records the match, or creates the customer once. Creation goes through the owner's link and
 * its request id, so two deals of one company, a retried job, or an answer lost on the wire all end with one customer:
 * a repeated request id replays QBO's first answer, and a 6240 on the very name DealBooks chose, held by an active
 * customer, is that customer (made by an earlier attempt whose answer was lost).
 */
export async function commitCustomer(
  deps: QuoteToCashDeps,
  scope: CustomerScope,
  deal: DealSnapshot,
  plan: CustomerPlan,
  options: { linkDeal: boolean },
): Promise<{ customer: QboCustomer; method: MatchMethod; score: number | null; intuitTid?: string }> {
  const now = () => deps.clock.now();
  const owner = customerOwner(deal);
  const targets = owner.type === 'deal' || !options.linkDeal ? [owner] : [owner, { type: 'deal' as const, id: deal.id }];
  const link = async (customer: QboCustomer, method: MatchMethod, score: number | null) => {
    for (const o of targets) {
      const l = await ensureLink(deps.pool, { ...scope, type: o.type, id: o.id, qboType: 'Customer' }, now());
      if (l.status !== 'linked' || l.qboEntityId !== customer.id) {
        await markLinked(deps.pool, l.id, { qboEntityId: customer.id, method, score, details: { candidates: null, displayName: customer.displayName } }, now());
      }
    }
  };
  if (plan.state === 'linked' || plan.state === 'matched') {
    await link(plan.customer, plan.method, plan.score);
    return { customer: plan.customer, method: plan.method, score: plan.score };
  }
  if (plan.state === 'reactivate') {
    let customer = plan.customer;
    let intuitTid: string | undefined;
    if (!customer.active) {
      // The owner's link carries the request id, so a retry after a lost answer replays QBO's first answer.
      const ownerLink = await ensureLink(deps.pool, { ...scope, type: owner.type, id: owner.id, qboType: 'Customer' }, now());
      await noteAttempt(deps.pool, ownerLink.id, { reactivateId: customer.id }, now());
      const done = await deps.sales.reactivateCustomer(scope.portalId, customer, `${ownerLink.requestId.slice(0, 44)}-ra`);
      customer = done.customer;
      intuitTid = done.intuitTid;
    }
    await deps.cache.upsert(scope.portalId, 'customers', customer);
    await link(customer, plan.method, 1);
    return { customer, method: plan.method, score: 1, ...(intuitTid ? { intuitTid } : {}) };
  }
  if (plan.state !== 'create') throw new Error(`cannot commit a customer plan in state ${plan.state}`);

  const ownerLink = await ensureLink(deps.pool, { ...scope, type: owner.type, id: owner.id, qboType: 'Customer' }, now());
  const base = plan.draft.displayName;
  // The planned name first (the one the preview showed), with the owner's request id; later ones if QBO still
  // refuses it (a name taken since the plan was made).
  const first = plan.nameAttempt ?? 1;
  for (let attempt = first; attempt < first + 5; attempt++) {
    const displayName = disambiguatedDisplayName(base, attempt);
    const requestId = attempt === first ? ownerLink.requestId : `${ownerLink.requestId.slice(0, 44)}-n${attempt}`;
    await noteAttempt(deps.pool, ownerLink.id, { displayName }, now());
    try {
      const created = await deps.sales.createCustomer(scope.portalId, { ...plan.draft, displayName }, requestId);
      await deps.cache.upsert(scope.portalId, 'customers', created.customer);
      await link(created.customer, 'created', null);
      return { customer: created.customer, method: 'created', score: null, intuitTid: created.intuitTid };
    } catch (err) {
      if (!(err instanceof DuplicateNameError)) throw err;
      if (err.existing && err.existing.displayName.trim().toLowerCase() === displayName.trim().toLowerCase() && billable(err.existing)) {
        await deps.cache.upsert(scope.portalId, 'customers', err.existing);
        await link(err.existing, 'created', null);
        return { customer: err.existing, method: 'created', score: null };
      }
      // The name belongs to a vendor, an employee or an inactive customer: QBO names are unique across all of them.
    }
  }
  throw new Error(`QuickBooks refused every name tried for the new customer "${base}" as a duplicate name.`);
}

/** The candidates kept on a link (recordCandidates' shape); anything else (an older shape) is left out. */
export function storedCandidates(value: unknown): Candidate[] {
  if (!Array.isArray(value)) return [];
  return value.filter((c): c is Candidate => typeof c === 'object' && c !== null && typeof c.id === 'string' && typeof c.displayName === 'string' && typeof c.score === 'number');
}

/** The QuickBooks customer ids a person rejected for the deal of this link. */
export function rejectedCandidateIds(details: Record<string, unknown>): string[] {
  const value = details.rejectedCandidateIds;
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}

/** Keeps the candidates on the deal's customer link, which puts the deal on the review list. */
export async function recordCandidates(deps: QuoteToCashDeps, scope: CustomerScope, deal: DealSnapshot, candidates: Candidate[]): Promise<void> {
  const l = await ensureLink(deps.pool, { ...scope, type: 'deal', id: deal.id, qboType: 'Customer' }, deps.clock.now());
  if (l.status === 'linked') return;
  // The company's name only: a contact's name is personal data that a privacy deletion could not find here.
  await markNeedsReview(deps.pool, l.id, { candidates, companyId: deal.company?.id ?? null, name: deal.company?.name ?? null }, deps.clock.now());
}

/** With a project per deal: the deal's own sub-customer under `parent`, created once and kept active. */
export async function ensureProject(deps: QuoteToCashDeps, scope: CustomerScope, deal: DealSnapshot, parent: QboCustomer): Promise<QboCustomer> {
  const link = await ensureLink(deps.pool, { ...scope, type: 'deal', id: deal.id, qboType: 'Customer' }, deps.clock.now());
  if (link.status === 'linked' && link.qboEntityId) {
    const project = await deps.sales.customer(scope.portalId, link.qboEntityId);
    if (project && project.active) return project;
  }
  await noteAttempt(deps.pool, link.id, { parentId: parent.id }, deps.clock.now());
  const draft: CustomerDraft = {
    displayName: deal.name.slice(0, 100),
    email: deal.contact?.email ?? null,
    notes: `Project for HubSpot deal ${deal.id}, created by DealBooks.`,
    currency: parent.currency,
    parentId: parent.id,
  };
  // The deal alone owns a project: neither its company nor its contact is linked to it.
  const created = await commitCustomer(deps, scope, { ...deal, company: null, contact: null }, { state: 'create', draft }, { linkDeal: true });
  await deps.cache.upsert(scope.portalId, 'customers', created.customer);
  return created.customer;
}
