import type { ConnectionView } from '../connections/quickbooks-connections';
import { convertIfAccepted } from './accepted-estimates';
import type { QuoteToCashDeps } from './deps';
import { writeBackLater, type DocumentChange } from './document-copies';
import { settleOverdueTasks } from './overdue-tasks';

/**
 * What follows when QuickBooks changed documents DealBooks made (heard from a notification or found by the change
 * check): each deal's properties are written again, an estimate the customer accepted is converted when finance
 * asked for that, and the overdue tasks of an invoice now paid, voided or deleted are completed. One place, so every
 * way a change arrives leads to the same consequences. `paymentChanged`: the changes are the invoices of a payment
 * DealBooks just recorded a new version of.
 */
export async function followDocumentChanges(deps: QuoteToCashDeps, connection: ConnectionView, changes: readonly DocumentChange[], paymentChanged = false): Promise<void> {
  // A version the same as the copy is followed too: its first follow-up may have failed after the copy was stored
  // (the job is then retried). Every consequence below is idempotent, so following it twice changes nothing.
  const followed = changes.filter((c) => c.order !== 'older');
  for (const change of followed) {
    if (change.kind !== 'estimate' || change.after.qboState !== 'active') continue;
    const decision = await convertIfAccepted(deps, { portalId: connection.portalId, connectionId: connection.id, dealId: change.dealId, estimate: change.after });
    if (decision.kind === 'queued') deps.logger.info({ portalId: connection.portalId, dealId: change.dealId, estimateId: change.id, actionId: decision.actionId }, 'estimate accepted in QuickBooks; its conversion is queued');
  }
  // A payment edited without moving any balance (its date, method or reference) still changes what the deal shows
  // (last payment date, the card's payment list): its invoices' deals are written again too.
  const paymentDeals = paymentChanged ? changes.flatMap((c) => (c.dealId ? [c.dealId] : [])) : [];
  await writeBackLater(deps, connection.portalId, [...new Set([...followed.flatMap((c) => (c.dealId ? [c.dealId] : [])), ...paymentDeals])]);
  // Never throws for HubSpot's trouble: what cannot be completed now, the daily overdue sweep completes.
  const invoices = [...new Set(followed.filter((c) => c.kind === 'invoice').map((c) => c.id))];
  await settleOverdueTasks(deps, connection.portalId, connection.id, invoices);
}
