import type { DealAction } from '../db/deal-actions';
import { documentOf } from '../db/qbo-documents';
import { readSettings } from '../db/portal-settings';
import { recordSync } from '../db/sync-log';
import { chooseBillEmail, sendAddress } from '../sync/bill-email';
import { noAddressMessage } from '../sync/preflight';
import { blocked, refused, type ActionOutcome } from './action-outcome';
import type { QuoteToCashDeps } from './deps';
import { requireConnected } from './facts';
import { definiteRefusal } from './problems';
import { DocumentDeletedError, documentGone } from './document-copies';
import { isObjectNotFound } from '../quickbooks/change-feed';
import { keepCopy } from './record-document';
import { safeWriteBack } from './write-back';

export type SendAddress = ReturnType<typeof sendAddress>;

/**
 * Where "Send" emails an invoice (sync/bill-email.ts): the address the person typed, else the invoice's own
 * BillEmail, else the settings' choice between the QBO customer's address and the deal contact's.
 */
export async function invoiceSendAddress(deps: QuoteToCashDeps, portalId: number, dealId: string, invoiceId: string, explicit: string | undefined): Promise<SendAddress> {
  if (explicit) return sendAddress(explicit, null, { address: null, source: null });
  const current = await deps.sales.readDocument(portalId, 'invoice', invoiceId);
  if (!current) throw await documentGone(deps, portalId, 'invoice', invoiceId, 'sent');
  if (current.document.billEmail) return sendAddress(null, current.document.billEmail, { address: null, source: null });
  const [{ settings }, customer, deal] = await Promise.all([
    readSettings(deps.pool, portalId),
    deps.sales.customer(portalId, current.document.customerId),
    deps.deals.readDeal(portalId, dealId),
  ]);
  return sendAddress(null, null, chooseBillEmail(settings.billEmail, { customerEmail: customer ? customer.email : undefined, contactEmail: deal?.contact?.email }));
}

/** QuickBooks emails one of the deal's invoices, to the address decided when the person pressed Send (else decided now). */
export async function sendInvoice(deps: QuoteToCashDeps, action: DealAction): Promise<ActionOutcome> {
  const { pool, clock, sales } = deps;
  const connection = await deps.connections.live(action.portalId);
  requireConnected(action.portalId, connection);
  const stored = await documentOf(pool, action.portalId, connection.id, 'invoice', action.targetId);
  if (!stored) return blocked(deps, action, [{ code: 'qbo_rejected', message: `Invoice ${action.targetId} is not one of this account's invoices.` }], { writeBack: false });
  if (stored.qboState === 'deleted') return gone(deps, action, new DocumentDeletedError('invoice', stored, 'sent'));
  const explicit = typeof action.options.sendTo === 'string' ? action.options.sendTo : undefined;
  let sendTo: string | null;
  try {
    sendTo = (await invoiceSendAddress(deps, action.portalId, action.dealId, stored.id, explicit)).address;
  } catch (err) {
    if (err instanceof DocumentDeletedError) return gone(deps, action, err);
    throw err;
  }
  if (!sendTo) {
    const message = noAddressMessage(stored.docNumber ?? stored.id);
    return blocked(deps, action, [{ code: 'no_bill_email', message }], { writeBack: false });
  }
  try {
    const sent = await sales.sendInvoice(action.portalId, stored.id, sendTo);
    await keepCopy(deps, connection, action.dealId, sent);
    const message = `Invoice ${sent.docNumber ?? sent.id} emailed by QuickBooks${sendTo ? ` to ${sendTo}` : ''}.`;
    await recordSync(pool, { portalId: action.portalId, action: 'send', outcome: 'succeeded', message, dealId: action.dealId, qboEntityType: 'Invoice', qboEntityId: sent.id, dealActionId: action.id }, clock.now());
    await safeWriteBack(deps, action.portalId, action.dealId, '');
    return { status: 'succeeded', problems: [], result: { documentId: sent.id, emailStatus: sent.emailStatus } };
  } catch (err) {
    // QuickBooks no longer has the invoice (610): it was deleted there, and the words say so.
    if (isObjectNotFound(err)) return gone(deps, action, await documentGone(deps, action.portalId, 'invoice', stored.id, 'sent'));
    const refusal = definiteRefusal(err);
    if (refusal) return refused(deps, action, refusal, 'Sending the invoice', { writeBack: false });
    throw err;
  }
}

/** The send failed for good because the invoice is gone from QuickBooks: the sync log and the action say so. */
async function gone(deps: QuoteToCashDeps, action: DealAction, err: DocumentDeletedError): Promise<ActionOutcome> {
  const problem = { code: 'qbo_rejected' as const, message: err.message };
  await recordSync(
    deps.pool,
    { portalId: action.portalId, action: 'send', outcome: 'failed', message: err.message, dealId: action.dealId, qboEntityType: 'Invoice', qboEntityId: err.document.id, dealActionId: action.id, errorCode: '610' },
    deps.clock.now(),
  );
  return { status: 'failed', problems: [problem] };
}
