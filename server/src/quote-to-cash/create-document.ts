import type { DealAction } from '../db/deal-actions';
import { ensureLink, findLink, noteAttempt } from '../db/entity-links';
import { recordSync } from '../db/sync-log';
import type { Logger } from '../logger';
import { buildDocument } from '../sync/build-document';
import type { QboDocument, QboDocumentKind } from '../sync/model';
import { blocked, refused, type ActionOutcome } from './action-outcome';
import { commitCustomer, ensureProject, recordCandidates } from './customer';
import type { QuoteToCashDeps } from './deps';
import { readFacts, requireConnected } from './facts';
import { planDocument } from './plan';
import { definiteRefusal } from './problems';
import { adoptDocument, alreadyThere, kindLabel, lookForLostDocument, markerFor, qboType } from './record-document';

/**
 * A deal's invoice or estimate, created in QuickBooks exactly once. Exactly once rests on three things: work on one
 * deal runs serially (the job queue's key lease); the deal's link row and its QBO request id exist before the QBO
 * call and every retry reuses them (QBO replays a repeated request id); and after an attempt whose outcome is
 * unknown, DealBooks looks for the document by the marker in its private note before it writes again.
 */
export async function createDocument(deps: QuoteToCashDeps, action: DealAction, kind: QboDocumentKind, log: Logger): Promise<ActionOutcome> {
  const { pool, sales, clock } = deps;
  const facts = await readFacts(deps, action.portalId, action.dealId);
  const connection = facts.connection;
  requireConnected(action.portalId, connection);
  if (facts.deal) {
    let existing = await findLink(pool, connection.id, 'deal', action.dealId, qboType(kind));
    if (existing?.status === 'linked' && existing.qboEntityId) {
      const there = await alreadyThere(deps, action, connection, kind, existing);
      if (there) return there;
      // Voided or deleted in QuickBooks: the link is unlinked now, and a new document is made with a new link.
      existing = await findLink(pool, connection.id, 'deal', action.dealId, qboType(kind));
    }
    if (existing && existing.attempts > 0) {
      const found = await lookForLostDocument(deps, action.portalId, kind, existing);
      if (found) return adoptDocument(deps, action, connection, kind, existing, found, log);
    }
  }
  const sending = kind === 'invoice' && (action.options.send === true || (action.options.send === undefined && facts.settings.delivery === 'send'));
  const plan = await planDocument(deps, facts, kind, { userId: action.requestedByUserId ?? undefined, sending, auto: action.trigger === 'auto' });
  const scope = { portalId: action.portalId, connectionId: connection.id };
  if (plan.problems.length > 0 || !plan.customer || !plan.buildInput || !facts.deal) {
    if (plan.customer?.state === 'needs_confirmation' && facts.deal) await recordCandidates(deps, scope, facts.deal, plan.customer.candidates);
    return blocked(deps, action, plan.problems, { writeBack: facts.deal !== null });
  }
  const deal = facts.deal;
  const committed = await commitCustomer(deps, scope, deal, plan.customer, { linkDeal: !facts.settings.customers.projectPerDeal });
  const billTo = facts.settings.customers.projectPerDeal ? await ensureProject(deps, scope, deal, committed.customer) : committed.customer;
  if (plan.customer.state === 'create' || plan.customer.state === 'reactivate') {
    const did = plan.customer.state === 'create' ? 'Created' : 'Reactivated';
    await recordSync(
      pool,
      { portalId: action.portalId, action: 'customer', outcome: 'succeeded', message: `${did} QuickBooks customer "${committed.customer.displayName}".`, dealId: deal.id, qboEntityType: 'Customer', qboEntityId: committed.customer.id, intuitTid: committed.intuitTid ?? null, dealActionId: action.id },
      clock.now(),
    );
  }

  const link = await ensureLink(pool, { ...scope, type: 'deal', id: deal.id, qboType: qboType(kind) }, clock.now());
  const marker = markerFor(link);
  // The same document as planned, for the customer finally used (it may just have been created) and this link's marker.
  const { body } = buildDocument({ ...plan.buildInput, customer: { id: billTo.id, displayName: billTo.displayName, currency: billTo.currency }, marker });
  await noteAttempt(pool, link.id, { customerId: billTo.id, marker }, clock.now());
  let created: { document: QboDocument; intuitTid?: string };
  try {
    created = await sales.createDocument(action.portalId, kind, body, link.requestId);
  } catch (err) {
    const refusal = definiteRefusal(err);
    if (refusal) return refused(deps, action, refusal, kindLabel(kind), { link, writeBack: true });
    throw err;
  }
  log.info({ qboId: created.document.id, intuitTid: created.intuitTid }, `${kind} created in QuickBooks`);
  return adoptDocument(deps, action, connection, kind, link, created.document, log, {
    sendTo: sending ? { email: plan.billEmail.address } : undefined,
    intuitTid: created.intuitTid,
    customerName: billTo.displayName,
  });
}
