import { findLink } from '../db/entity-links';
import { documentsOfDeal, type StoredDocument } from '../db/qbo-documents';
import { DEAL_PROPERTY } from '../hubspot/deal-properties';
import { centsToDecimalString } from '../sync/decimal';
import { estimateStatus, invoiceStatus } from '../sync/document-status';
import { companyDate } from '../sync/format';
import type { QuoteToCashDeps } from './deps';

/**
 * DealBooks' deal properties, written after every action from what DealBooks knows of the deal's QBO documents, so
 * that users can report, filter and build workflows on them. Idempotent: it writes the current state, whatever
 * happened before.
 */
const cents = (value: number | null) => (value === null ? '' : centsToDecimalString(value));

function newest(docs: StoredDocument[], kind: 'invoice' | 'estimate', linkedId: string | null): StoredDocument | undefined {
  // A document deleted in QuickBooks is no longer the deal's (a voided one still is, until a new one is made).
  const ofKind = docs.filter((d) => d.kind === kind && d.qboState !== 'deleted');
  return ofKind.find((d) => d.id === linkedId) ?? ofKind.sort((a, b) => b.txnDate.localeCompare(a.txnDate) || Number(b.id) - Number(a.id))[0];
}

export function dealProperties(input: { invoice?: StoredDocument; estimate?: StoredDocument; customerName: string | null; lastProblem: string; today: string; now: Date }): Record<string, string> {
  const { invoice, estimate } = input;
  return {
    [DEAL_PROPERTY.qboCustomer]: input.customerName ?? '',
    [DEAL_PROPERTY.invoiceId]: invoice?.id ?? '',
    [DEAL_PROPERTY.invoiceNumber]: invoice?.docNumber ?? '',
    [DEAL_PROPERTY.invoiceStatus]: invoice ? invoiceStatus(invoice, input.today) : '',
    [DEAL_PROPERTY.invoiceTotal]: invoice ? cents(invoice.totalCents) : '',
    [DEAL_PROPERTY.invoiceBalance]: invoice ? cents(invoice.balanceCents) : '',
    [DEAL_PROPERTY.invoiceDueDate]: invoice?.dueDate ?? '',
    [DEAL_PROPERTY.invoiceLink]: invoice?.webUrl ?? '',
    [DEAL_PROPERTY.estimateStatus]: estimate ? estimateStatus(estimate) : '',
    [DEAL_PROPERTY.lastProblem]: input.lastProblem.slice(0, 65_000),
    [DEAL_PROPERTY.lastSynced]: String(input.now.getTime()),
  };
}

export async function writeBack(deps: QuoteToCashDeps, portalId: number, dealId: string, lastProblem: string): Promise<Record<string, string>> {
  const connection = await deps.connections.live(portalId);
  const now = deps.clock.now();
  let docs: StoredDocument[] = [];
  let customerName: string | null = null;
  let invoiceLinkId: string | null = null;
  let estimateLinkId: string | null = null;
  if (connection) {
    docs = await documentsOfDeal(deps.pool, portalId, connection.id, dealId);
    const [customer, invoice, estimate] = await Promise.all([
      findLink(deps.pool, connection.id, 'deal', dealId, 'Customer'),
      findLink(deps.pool, connection.id, 'deal', dealId, 'Invoice'),
      findLink(deps.pool, connection.id, 'deal', dealId, 'Estimate'),
    ]);
    customerName = customer?.status === 'linked' ? (typeof customer.details.displayName === 'string' ? customer.details.displayName : customer.qboEntityId) : null;
    invoiceLinkId = invoice?.status === 'linked' ? invoice.qboEntityId : null;
    estimateLinkId = estimate?.status === 'linked' ? estimate.qboEntityId : null;
  }
  const properties = dealProperties({
    invoice: newest(docs, 'invoice', invoiceLinkId),
    estimate: newest(docs, 'estimate', estimateLinkId),
    customerName,
    lastProblem,
    today: companyDate(now, connection?.utcOffsetMinutes ?? null),
    now,
  });
  await deps.deals.updateDealProperties(portalId, dealId, properties);
  return properties;
}

/** Writes the deal properties; if HubSpot fails, a job retries it later (a QBO result already made stands). */
export async function safeWriteBack(deps: QuoteToCashDeps, portalId: number, dealId: string, lastProblem: string): Promise<void> {
  try {
    await writeBack(deps, portalId, dealId, lastProblem);
  } catch (err) {
    deps.logger.warn({ err, portalId, dealId }, 'deal properties could not be written; a job will retry');
    await deps.queue.writeBack(portalId, dealId).catch((e) => deps.logger.error({ err: e, portalId, dealId }, 'could not queue the deal write-back'));
  }
}
