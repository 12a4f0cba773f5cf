import { findLink, linksNeedingReview, rejectCandidate, type EntityLink } from '../db/entity-links';
import { ConflictError } from '../errors';
import { invalidFields } from '../lib/validation';
import type { Candidate } from '../sync/customer-match';
import { requireCreator, usableConnection, type Requester } from './card-actions';
import { confirmCustomer, CUSTOMER_DECISION, type CustomerAnswer } from './confirm-customer';
import { storedCandidates } from './customer';
import type { QuoteToCashDeps } from './deps';

/**
 * The settings page's customer review: the deals whose QuickBooks customer waits for a person, and what a person
 * who may create documents (the `creators` setting, the same rule as the card's) decides for each. Accepting a candidate, choosing another customer or creating a new one is the card's "confirm
 * customer" (confirm-customer.ts), so the deal's waiting work runs again exactly as from the card. Rejecting a
 * candidate removes it from the deal's suggestions for good (its id is kept on the deal's link, and the matcher's
 * later proposals for the deal leave it out), and the deal stays on the list with the candidates left.
 */
export interface ReviewEntry {
  dealId: string | null;
  name: unknown;
  companyId: unknown;
  candidates: Candidate[];
  since: string;
  /** Words for an entry with no candidate left; null otherwise. */
  message: string | null;
}

export type ReviewDecision = { accept: string } | { reject: string } | { choose: string } | { create: true };

export type ReviewAnswer =
  | ({ decision: 'accepted' | 'chosen' | 'created' } & CustomerAnswer)
  | { decision: 'rejected'; review: ReviewEntry };

export const NO_MATCH_LEFT = 'No match left: choose a QuickBooks customer or create a new one.';

function entryOf(link: EntityLink): ReviewEntry {
  const candidates = storedCandidates(link.details.candidates);
  return {
    dealId: link.hubspotObjectType === 'deal' ? link.hubspotObjectId : null,
    name: link.details.name ?? null,
    companyId: link.details.companyId ?? null,
    candidates,
    since: link.updatedAt,
    message: candidates.length === 0 ? NO_MATCH_LEFT : null,
  };
}

/** The deals whose customer waits for a person to confirm, with their candidates, newest first. */
export async function customersToReview(deps: QuoteToCashDeps, portalId: number): Promise<ReviewEntry[]> {
  return (await linksNeedingReview(deps.pool, portalId)).map(entryOf);
}

export async function decideReview(deps: QuoteToCashDeps, who: Requester, dealId: string, decision: ReviewDecision): Promise<ReviewAnswer> {
  const connection = await usableConnection(deps, who.portalId);
  // Every decision, a rejection too, is the card's billing rule: refused (403) before anything is read or written.
  await requireCreator(deps, who, CUSTOMER_DECISION);
  const link = await findLink(deps.pool, connection.id, 'deal', dealId, 'Customer');
  // The review list decides only deals still waiting for a person, whatever the decision: choosing or creating on a
  // deal already billed to a customer would silently replace that customer (the card's "change customer" does that).
  if (!link || link.status !== 'needs_review') {
    throw new ConflictError(`Deal ${dealId} is not waiting for a customer decision (it may have been decided already). Reload the review list.`);
  }
  if ('create' in decision) return { decision: 'created', ...(await confirmCustomer(deps, who, dealId, { create: true })) };
  if ('choose' in decision) return { decision: 'chosen', ...(await confirmCustomer(deps, who, dealId, { customerId: decision.choose })) };
  const candidates = storedCandidates(link.details.candidates);
  const named = 'accept' in decision ? decision.accept : decision.reject;
  if (!candidates.some((c) => c.id === named)) {
    throw invalidFields(
      `QuickBooks customer ${named} is not a suggestion for deal ${dealId}. Reload the review list, or choose the customer instead.`,
      [{ path: 'accept' in decision ? 'accept' : 'reject', message: 'not one of the deal’s suggested customers' }],
      'not_a_candidate',
    );
  }
  if ('accept' in decision) return { decision: 'accepted', ...(await confirmCustomer(deps, who, dealId, { customerId: named })) };
  const updated = await rejectCandidate(deps.pool, link.id, named, deps.clock.now());
  if (!updated) throw new ConflictError(`Deal ${dealId} is no longer waiting for a customer decision (someone decided in the meantime). Reload the review list.`);
  return { decision: 'rejected', review: entryOf(updated) };
}
