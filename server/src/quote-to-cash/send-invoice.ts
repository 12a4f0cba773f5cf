import type { DealAction } from '../db/deal-actions';
import { documentOf } from '../db/qbo-documents';
import { recordSync } from '../db/sync-log';
import { noAddressMessage } from '../sync/preflight';
import { blocked, refused, type ActionOutcome } from './action-outcome';
import type { QuoteToCashDeps } from './deps';
import { requireConnected } from './facts';
import { definiteRefusal } from './problems';
import { keepCopy } from './record-document';
import { safeWriteBack } from './write-back';

/** QuickBooks emails one of the deal's invoices, to the address the person chose, else the deal's contact or the invoice's own. */
export async function sendInvoice(deps: QuoteToCashDeps, action: DealAction): Promise<ActionOutcome> {
  const { pool, clock, sales } = deps;
  const connection = await deps.connections.live(action.portalId);
  requireConnected(action.portalId, connection);
  const stored = await documentOf(pool, action.portalId, connection.id, 'invoice', action.targetId);
  if (!stored) return blocked(deps, action, [{ code: 'qbo_rejected', message: `Invoice ${action.targetId} is not one of this account's invoices.` }], { writeBack: false });
  const deal = await deps.deals.readDeal(action.portalId, action.dealId);
  const sendTo = typeof action.options.sendTo === 'string' ? action.options.sendTo : (deal?.contact?.email ?? null);
  const current = await sales.readDocument(action.portalId, 'invoice', stored.id);
  if (!sendTo && !current?.document.billEmail) {
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
    const refusal = definiteRefusal(err);
    if (refusal) return refused(deps, action, refusal, 'Sending the invoice', { writeBack: false });
    throw err;
  }
}
