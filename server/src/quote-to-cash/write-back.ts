import { readWrittenProperties, recordWrittenProperties } from '../db/deal-written-properties';
import { readLifecycle, survivorOf } from '../db/deal-lifecycle';
import { findLink } from '../db/entity-links';
import { DEAL_PROPERTY, ensureDealBooksProperties } from '../hubspot/deal-properties';
import { HubSpotApiError } from '../hubspot/request';
import { centsToDecimalString } from '../sync/decimal';
import { companyDate } from '../sync/format';
import { changedProperties, firstPaidDate } from '../sync/written-properties';
import { dealDocuments, type DealDocuments, type DealEstimate, type DealInvoice } from './deal-money';
import { noticeGoneDeal } from './deal-lifecycle';
import type { QuoteToCashDeps } from './deps';
import { postMoneyNotes } from './timeline-notes';

/**
 * DealBooks' deal properties, written after every action and after every change QuickBooks reports (a payment, a
 * void, a deletion, an edit), from what DealBooks knows of the deal's QBO documents, so that users can report, filter
 * and build workflows on them; and the timeline notes money coming back deserves.
 *
 * Only values that changed since DealBooks last wrote them are sent (deal_written_properties, sync/written-properties.ts),
 * and nothing at all when nothing changed: a write that changes nothing would still fire HubSpot's workflows and
 * could loop. What was sent is recorded only after HubSpot took it, so a failed write is sent again next time.
 */
const cents = (value: number | null) => (value === null ? '' : centsToDecimalString(value));

function newest<T extends { doc: { id: string; txnDate: string }; copy: { qboState: string } }>(docs: T[], linkedId: string | null): T | undefined {
  // A document deleted in QuickBooks is no longer the deal's (a voided one still is, until a new one is made).
  const live = docs.filter((d) => d.copy.qboState !== 'deleted');
  return live.find((d) => d.doc.id === linkedId) ?? [...live].sort((a, b) => b.doc.txnDate.localeCompare(a.doc.txnDate) || Number(b.doc.id) - Number(a.doc.id))[0];
}

/**
 * The values DealBooks wants on the deal now. `lastProblem` undefined leaves the last problem as it was (a change in
 * QuickBooks says nothing about the deal's last action); `firstPaid` is the first paid date written before, kept.
 */
export function dealProperties(input: {
  invoice?: DealInvoice;
  estimate?: DealEstimate;
  customerName: string | null;
  lastProblem: string | undefined;
  today: string;
  firstPaid: string | undefined;
}): Record<string, string> {
  const { invoice, estimate } = input;
  const doc = invoice?.doc;
  const state = invoice?.state;
  const money = invoice?.money;
  const properties: Record<string, string> = {
    [DEAL_PROPERTY.qboCustomer]: input.customerName ?? '',
    [DEAL_PROPERTY.invoiceId]: doc?.id ?? '',
    [DEAL_PROPERTY.invoiceNumber]: doc?.docNumber ?? '',
    [DEAL_PROPERTY.invoiceStatus]: state?.status ?? '',
    [DEAL_PROPERTY.invoiceTotal]: doc ? cents(doc.totalCents) : '',
    [DEAL_PROPERTY.invoiceBalance]: doc ? cents(doc.balanceCents) : '',
    [DEAL_PROPERTY.invoiceDueDate]: doc?.dueDate ?? '',
    [DEAL_PROPERTY.invoiceLink]: doc?.webUrl ?? '',
    [DEAL_PROPERTY.amountPaid]: money ? cents(money.paidCents) : '',
    // HubSpot date properties take YYYY-MM-DD (midnight UTC), as the due date does.
    [DEAL_PROPERTY.lastPaymentDate]: money?.lastPayment?.date ?? '',
    [DEAL_PROPERTY.lastPaymentAmount]: money?.lastPayment ? cents(money.lastPayment.amountCents) : '',
    [DEAL_PROPERTY.firstPaidDate]: firstPaidDate(input.firstPaid, state?.status === 'paid', money?.lastAppliedOn ?? null, input.today),
    [DEAL_PROPERTY.daysOverdue]: state?.daysOverdue == null ? '' : String(state.daysOverdue),
    [DEAL_PROPERTY.estimateStatus]: estimate?.state.status ?? '',
  };
  if (input.lastProblem !== undefined) properties[DEAL_PROPERTY.lastProblem] = input.lastProblem.slice(0, 65_000);
  return properties;
}

export interface WriteBackResult {
  /** The properties sent to HubSpot (none when nothing changed). */
  written: Record<string, string>;
  /** The keys of the timeline notes posted. */
  notes: string[];
}

/**
 * Brings the deal up to date with what DealBooks knows: the changed properties, then the notes. The entry point for
 * any change to the deal's QBO documents or payments (queue it with `queue.writeBack(portalId, dealId)`: work on
 * one deal is serial). Throws when HubSpot refuses or fails, after recording whatever did get through.
 */
export async function writeBack(deps: QuoteToCashDeps, portalId: number, dealId: string, lastProblem?: string): Promise<WriteBackResult> {
  // A merged deal no longer exists: what it holds now belongs to the survivor, which is written instead. A deleted
  // deal is not written to at all (a restore writes it up to date).
  const lifecycle = await readLifecycle(deps.pool, portalId, dealId);
  if (lifecycle?.state === 'merged') return writeBack(deps, portalId, await survivorOf(deps.pool, portalId, dealId), lastProblem);
  if (lifecycle?.state === 'deleted') {
    deps.logger.info({ portalId, dealId }, 'deal deleted in HubSpot: nothing written to it');
    return { written: {}, notes: [] };
  }
  const connection = await deps.connections.live(portalId);
  const now = deps.clock.now();
  const today = companyDate(now, connection?.utcOffsetMinutes ?? null);
  let documents: DealDocuments = { invoices: [], estimates: [] };
  let customerName: string | null = null;
  let invoiceLinkId: string | null = null;
  let estimateLinkId: string | null = null;
  if (connection) {
    const [docs, customer, invoice, estimate] = await Promise.all([
      dealDocuments(deps, connection, dealId, today),
      findLink(deps.pool, connection.id, 'deal', dealId, 'Customer'),
      findLink(deps.pool, connection.id, 'deal', dealId, 'Invoice'),
      findLink(deps.pool, connection.id, 'deal', dealId, 'Estimate'),
    ]);
    documents = docs;
    customerName = customer?.status === 'linked' ? (typeof customer.details.displayName === 'string' ? customer.details.displayName : customer.qboEntityId) : null;
    invoiceLinkId = invoice?.status === 'linked' ? invoice.qboEntityId : null;
    estimateLinkId = estimate?.status === 'linked' ? estimate.qboEntityId : null;
  }
  const written = await readWrittenProperties(deps.pool, portalId, dealId);
  const desired = dealProperties({
    invoice: newest(documents.invoices, invoiceLinkId),
    estimate: newest(documents.estimates, estimateLinkId),
    customerName,
    lastProblem,
    today,
    firstPaid: written?.[DEAL_PROPERTY.firstPaidDate],
  });
  const changes = changedProperties(desired, written, { [DEAL_PROPERTY.lastSynced]: String(now.getTime()) });
  if (Object.keys(changes).length > 0) {
    try {
      await sendProperties(deps, portalId, dealId, changes);
    } catch (err) {
      // HubSpot has no such deal: deleted or merged without a webhook DealBooks received. Applied now, then the
      // write goes where it belongs (nowhere for a deleted deal, the survivor for a merged one).
      if (!(err instanceof HubSpotApiError && err.status === 404)) throw err;
      const fate = await noticeGoneDeal(deps, portalId, dealId);
      if (fate === 'live' || fate === 'unknown') throw err;
      return writeBack(deps, portalId, dealId, lastProblem);
    }
    await recordWrittenProperties(deps.pool, portalId, dealId, changes, now);
  }
  const notes = connection ? await postMoneyNotes(deps, connection, dealId, documents) : [];
  return { written: changes, notes };
}

/**
 * HubSpot refuses a whole write when one property does not exist or one value is not among its options: what an
 * account installed before this DealBooks wrote those properties (or that status) sees. Then DealBooks' properties
 * are brought up to date in the account (created, options added) and the write is sent once more.
 */
async function sendProperties(deps: QuoteToCashDeps, portalId: number, dealId: string, properties: Record<string, string>): Promise<void> {
  try {
    await deps.deals.updateDealProperties(portalId, dealId, properties);
  } catch (err) {
    if (!(err instanceof HubSpotApiError && err.status === 400 && /PROPERTY_DOESNT_EXIST|INVALID_OPTION/.test(err.message))) throw err;
    const ensured = await deps.installs.call(portalId, (client) => ensureDealBooksProperties(client));
    deps.logger.info({ portalId, dealId, ...ensured }, 'DealBooks deal properties brought up to date after HubSpot refused a write');
    await deps.deals.updateDealProperties(portalId, dealId, properties);
  }
}

/** Writes the deal properties; if HubSpot fails, a job retries it later (a QBO result already made stands). */
export async function safeWriteBack(deps: QuoteToCashDeps, portalId: number, dealId: string, lastProblem: string): Promise<void> {
  try {
    await writeBack(deps, portalId, dealId, lastProblem);
  } catch (err) {
    deps.logger.warn({ err, portalId, dealId }, 'deal properties could not be written; a job will retry');
    await deps.queue.writeBack(portalId, dealId, lastProblem).catch((e) => deps.logger.error({ err: e, portalId, dealId }, 'could not queue the deal write-back'));
  }
}
