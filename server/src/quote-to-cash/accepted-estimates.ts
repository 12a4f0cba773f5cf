import { anyActionFor, openAction } from '../db/deal-actions';
import { findLink } from '../db/entity-links';
import { readSettings } from '../db/portal-settings';
import { estimateStatus } from '../sync/document-status';
import type { QboDocument } from '../sync/model';
import type { QuoteToCashDeps } from './deps';

export type AcceptedEstimateDecision =
  | { kind: 'queued'; actionId: number }
  | { kind: 'skipped'; reason: 'setting_off' | 'not_accepted' | 'no_deal' | 'deal_has_invoice' | 'already_asked' };

/**
 * An estimate QuickBooks now shows as accepted, for a deal: with `convertAcceptedEstimates` on, it is converted into
 * the deal's invoice through the same queued action as the card's "Convert to invoice" (trigger 'auto'), so the
 * conversion's own exactly-once rules apply. Asked at most once per estimate: a conversion that was already asked
 * for (queued, done, failed or blocked) is never asked again by itself, since a failure waits for a person; and a
 * deal that already has an invoice keeps it.
 */
export async function convertIfAccepted(
  deps: QuoteToCashDeps,
  input: { portalId: number; connectionId: number; dealId: string | null; estimate: Pick<QboDocument, 'id' | 'txnStatus' | 'linked'> },
): Promise<AcceptedEstimateDecision> {
  const { portalId, dealId, estimate } = input;
  if (estimateStatus(estimate) !== 'accepted') return { kind: 'skipped', reason: 'not_accepted' };
  if (!dealId) return { kind: 'skipped', reason: 'no_deal' };
  const { settings } = await readSettings(deps.pool, portalId);
  if (!settings.convertAcceptedEstimates) return { kind: 'skipped', reason: 'setting_off' };
  const invoice = await findLink(deps.pool, input.connectionId, 'deal', dealId, 'Invoice');
  if (invoice?.status === 'linked') return { kind: 'skipped', reason: 'deal_has_invoice' };
  if (await anyActionFor(deps.pool, { portalId, dealId, kind: 'convert', targetId: estimate.id })) return { kind: 'skipped', reason: 'already_asked' };
  const { action, created } = await openAction(deps.pool, { portalId, dealId, kind: 'convert', targetId: estimate.id, trigger: 'auto', userId: null }, deps.clock.now());
  if (created) await deps.queue.action(portalId, dealId, action.id);
  return { kind: 'queued', actionId: action.id };
}
