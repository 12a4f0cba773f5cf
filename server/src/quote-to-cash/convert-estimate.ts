import type { DealAction } from '../db/deal-actions';
import { ensureLink, noteAttempt } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { documentOf } from '../db/qbo-documents';
import type { Logger } from '../logger';
import { chooseTerms } from '../sync/document-dates';
import { documentHeader } from '../sync/document-header';
import { conversionNote, invoiceFromEstimate } from '../sync/invoice-from-estimate';
import { conversionRefusal } from '../sync/document-status';
import type { QboDocument, QboTerm } from '../sync/model';
import { closedPeriodProblem } from '../sync/preflight';
import { blocked, refused, type ActionOutcome } from './action-outcome';
import type { QuoteToCashDeps } from './deps';
import { companyToday, readFacts, requireConnected } from './facts';
import { earlyProblems } from './plan';
import { definiteRefusal } from './problems';
import { documentGone } from './document-copies';
import { adoptDocument, keepCopy, lookForLostDocument, markerFor } from './record-document';
import { safeWriteBack } from './write-back';

/**
 * An invoice from one of the deal's estimates, linked to it, exactly once: the deal's invoice link and its request
 * id exist before the write, and a lost answer is looked for by its marker, as for any document DealBooks creates.
 * The estimate is judged as QuickBooks has it now (the customer may have rejected it since).
 */
export async function convertEstimate(deps: QuoteToCashDeps, action: DealAction, log: Logger): Promise<ActionOutcome> {
  const { pool, clock, sales } = deps;
  const facts = await readFacts(deps, action.portalId, action.dealId);
  const connection = facts.connection;
  requireConnected(action.portalId, connection);
  const writeBack = facts.deal !== null;
  const early = earlyProblems(facts);
  if (early.length > 0) return blocked(deps, action, early, { writeBack });
  const stored = await documentOf(pool, action.portalId, connection.id, 'estimate', action.targetId);
  if (!stored) {
    return blocked(deps, action, [{ code: 'qbo_rejected', message: `Estimate ${action.targetId} is not one of this deal's estimates in QuickBooks.` }], { writeBack });
  }
  const estimate = await sales.readDocument(action.portalId, 'estimate', action.targetId);
  if (!estimate) {
    // QuickBooks answered 610: the estimate was deleted there. The copy says so and the words too.
    const gone = await documentGone(deps, action.portalId, 'estimate', action.targetId, 'converted');
    return blocked(deps, action, [{ code: 'qbo_rejected', message: gone.message }], { writeBack });
  }
  await keepCopy(deps, connection, action.dealId, estimate.document);
  const link = await ensureLink(pool, { portalId: action.portalId, connectionId: connection.id, type: 'deal', id: action.dealId, qboType: 'Invoice' }, clock.now());
  if (link.status === 'linked' && link.qboEntityId) {
    return blocked(deps, action, [{ code: 'qbo_rejected', message: `This deal already has invoice ${link.qboEntityId} in QuickBooks, so the estimate was not converted again.` }], { writeBack });
  }
  if (link.attempts > 0) {
    const found = await lookForLostDocument(deps, action.portalId, 'invoice', link);
    if (found) return adoptDocument(deps, action, connection, 'invoice', link, found, log, { convertedFrom: stored });
  }
  const refusal = conversionRefusal(estimate.document);
  if (refusal) return blocked(deps, action, [{ code: 'qbo_rejected', message: refusal }], { writeBack });

  const { settings } = await readSettings(pool, action.portalId);
  const prefs = await deps.cache.get(action.portalId, 'preferences', () => sales.preferences(action.portalId));
  const terms = await deps.cache.get<QboTerm[]>(action.portalId, 'terms', () => sales.terms(action.portalId));
  const estimateCustomer = await sales.customer(action.portalId, estimate.document.customerId);
  const marker = markerFor(link);
  // The same header as any document DealBooks creates: the deal in the private note, the settings' date rule, the
  // "Deal ID" field. A deal HubSpot no longer has is still named by its id.
  const header = documentHeader({
    portalId: action.portalId,
    deal: { id: action.dealId, name: facts.deal?.name ?? null, closeDate: facts.deal?.closeDate ?? null },
    txnDateSetting: settings.txnDate,
    today: companyToday(deps, prefs.utcOffsetMinutes),
    marker,
    note: conversionNote(estimate.document),
    dealIdFieldId: prefs.dealIdFieldId ?? null,
  });
  const closed = closedPeriodProblem(header.TxnDate, prefs.bookCloseDate, 'Ask your accountant to reopen the period, or change the deal’s close date, then convert again.');
  if (closed) return blocked(deps, action, [closed], { writeBack });

  const body = invoiceFromEstimate({
    estimate: estimate.raw,
    header,
    terms: chooseTerms(terms, { setting: settings.termId, customer: estimateCustomer?.termId, company: prefs.defaultTermId }),
    billEmail: facts.deal?.contact?.email ?? null,
  });
  await noteAttempt(pool, link.id, { customerId: estimate.document.customerId, marker, estimateId: estimate.document.id }, clock.now());
  let created: { document: QboDocument; intuitTid?: string };
  try {
    created = await sales.createDocument(action.portalId, 'invoice', body, link.requestId);
  } catch (err) {
    const refusal = definiteRefusal(err);
    if (refusal) return refused(deps, action, refusal, 'Invoice', { link, writeBack: false });
    throw err;
  }
  const outcome = await adoptDocument(deps, action, connection, 'invoice', link, created.document, log, { intuitTid: created.intuitTid, convertedFrom: stored });
  // QuickBooks closes the estimate once an invoice links to it: keep the card's copy in step.
  const after = await sales.readDocument(action.portalId, 'estimate', estimate.document.id);
  if (after) await keepCopy(deps, connection, action.dealId, after.document);
  await safeWriteBack(deps, action.portalId, action.dealId, '');
  return outcome;
}
