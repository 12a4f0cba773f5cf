import { latestBlocked, openAction } from '../db/deal-actions';
import { decideNewCustomer, decideReactivateCustomer, ensureLink, setManualLink } from '../db/entity-links';
import { recordSync } from '../db/sync-log';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import { customerOwner } from '../sync/customer-match';
import { requireCreator, usableConnection, withinCardBudget, type Requester } from './card-actions';
import type { QuoteToCashDeps } from './deps';

/**
 * A person answers "which QuickBooks customer is this deal billed to?": one of the candidates (or any active
 * customer), or "none of these: create a new one". The answer is recorded where the next attempt looks (the
 * company's or contact's link, and the deal's), and work that stopped to ask goes on by itself.
 */
export type CustomerChoice = { customerId: string } | { create: true };

export interface CustomerAnswer {
  customer:
    | { state: 'linked'; id: string; displayName: string; method: 'manual'; confidence: 1 }
    | { state: 'will_create' }
    /** An inactive customer was chosen: the work that runs next makes it active again in QuickBooks and bills it. */
    | { state: 'will_reactivate'; id: string; displayName: string };
  requeuedActionId: number | null;
}

/** Who may decide a deal's customer: whoever may create its documents (the `creators` setting), not only admins. */
export const CUSTOMER_DECISION = 'deciding which QuickBooks customer a deal is billed to';

export async function confirmCustomer(deps: QuoteToCashDeps, who: Requester, dealId: string, choice: CustomerChoice): Promise<CustomerAnswer> {
  const { portalId, userId } = who;
  const connection = await usableConnection(deps, portalId);
  const settings = await requireCreator(deps, who, CUSTOMER_DECISION);
  const deal = await withinCardBudget(deps.deals.readDeal(portalId, dealId), 'Reading the deal');
  if (!deal) throw new NotFoundError(`Deal ${dealId} does not exist in this HubSpot account.`);
  const now = deps.clock.now();
  const scope = { portalId, connectionId: connection.id };
  let customer: CustomerAnswer['customer'];
  if ('customerId' in choice) {
    const chosen = await withinCardBudget(deps.sales.customer(portalId, choice.customerId), 'Reading the customer');
    if (!chosen || (!chosen.active && chosen.job)) throw new BadRequestError(`QuickBooks has no active customer ${choice.customerId}.`, { code: 'customer_not_found' });
    if (!chosen.active) {
      // Confirming an inactive customer reactivates it; that is a QuickBooks write, so the queued work does it.
      const link = await ensureLink(deps.pool, { ...scope, type: 'deal', id: dealId, qboType: 'Customer' }, now);
      if (link.status === 'linked') throw new ConflictError('This deal is already billed to a confirmed customer; choose another customer instead.');
      await decideReactivateCustomer(deps.pool, link.id, chosen.id, userId ?? null, now);
      await recordSync(deps.pool, { portalId, action: 'customer', outcome: 'succeeded', message: `The inactive QuickBooks customer "${chosen.displayName}" will be made active again and billed for this deal.`, dealId, qboEntityType: 'Customer', qboEntityId: chosen.id }, now);
      customer = { state: 'will_reactivate', id: chosen.id, displayName: chosen.displayName };
      return { customer, requeuedActionId: await requeueBlocked(deps, portalId, dealId, userId) };
    }
    const owner = customerOwner(deal);
    const targets = settings.customers.projectPerDeal || owner.type === 'deal' ? [owner] : [owner, { type: 'deal' as const, id: dealId }];
    for (const target of targets) {
      await setManualLink(deps.pool, { ...scope, type: target.type, id: target.id, qboType: 'Customer', qboEntityId: chosen.id, details: { displayName: chosen.displayName, confirmedBy: userId ?? null } }, now);
    }
    await recordSync(deps.pool, { portalId, action: 'customer', outcome: 'succeeded', message: `Customer confirmed: the deal is billed to "${chosen.displayName}".`, dealId, qboEntityType: 'Customer', qboEntityId: chosen.id }, now);
    customer = { state: 'linked', id: chosen.id, displayName: chosen.displayName, method: 'manual', confidence: 1 };
  } else {
    const link = await ensureLink(deps.pool, { ...scope, type: 'deal', id: dealId, qboType: 'Customer' }, now);
    if (link.status === 'linked') throw new ConflictError('This deal is already billed to a confirmed customer; choose another customer instead.');
    await decideNewCustomer(deps.pool, link.id, userId ?? null, now);
    await recordSync(deps.pool, { portalId, action: 'customer', outcome: 'succeeded', message: 'A new QuickBooks customer will be created for this deal.', dealId }, now);
    customer = { state: 'will_create' };
  }
  return { customer, requeuedActionId: await requeueBlocked(deps, portalId, dealId, userId) };
}

/** The work that stopped to ask goes on by itself. */
async function requeueBlocked(deps: QuoteToCashDeps, portalId: number, dealId: string, userId: number | undefined): Promise<number | null> {
  const blocked = await latestBlocked(deps.pool, portalId, dealId);
  if (!blocked || !blocked.problems.some((p) => p.code === 'customer_needs_confirmation' || p.code === 'customer_missing') || (blocked.kind !== 'invoice' && blocked.kind !== 'estimate')) return null;
  const { action, created } = await openAction(deps.pool, { portalId, dealId, kind: blocked.kind, trigger: 'retry', userId: userId ?? null, options: blocked.options }, deps.clock.now());
  if (created) await deps.queue.action(portalId, dealId, action.id);
  return action.id;
}
