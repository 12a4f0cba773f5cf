import { moveCustomerLinks, type PartyType } from '../db/party-merges';
import { recordSync } from '../db/sync-log';
import { withTransaction } from '../db/transaction';
import { pendingObjectEvents, settleEvents } from '../db/webhook-inbox';
import { hubspotEventMeaning } from '../sync/crm-events';
import type { QuoteToCashDeps } from './deps';

/**
 * Companies and contacts merged in HubSpot. Their QBO customer links move to the record that survives, in one
 * transaction, so the survivor's next deals are billed to the customer DealBooks already knows instead of matching
 * (or creating) it again. When both records had a customer, the survivor keeps the primary's one and nothing in
 * QuickBooks is merged: deals billed to the other customer keep it, and their card says which customer the merged
 * company now uses and offers to bill that one instead (db/party-merges.ts survivorCustomerOffer).
 * Other events about companies and contacts are settled without action.
 */
export async function applyPartyEvents(deps: QuoteToCashDeps, portalId: number, type: PartyType, objectId: string): Promise<{ merged: number; ignored: number }> {
  const events = await pendingObjectEvents(deps.pool, portalId, type, objectId);
  let merged = 0;
  for (const event of events) {
    const meaning = hubspotEventMeaning(event.eventType, event.payload, deps.appId);
    if (meaning.kind !== 'merge') {
      const note = meaning.kind === 'unusable' ? meaning.reason : `DealBooks keeps this ${type}'s QuickBooks customer link as it is.`;
      await settleEvents(deps.pool, [event.id], 'ignored', note, deps.clock.now());
      continue;
    }
    const outcome = await mergeParties(deps, portalId, type, meaning.survivor, meaning.merged);
    merged += 1;
    await settleEvents(deps.pool, [event.id], 'processed', outcome, deps.clock.now());
  }
  return { merged, ignored: events.length - merged };
}

async function mergeParties(deps: QuoteToCashDeps, portalId: number, type: PartyType, survivor: string, merged: readonly string[]): Promise<string> {
  const now = deps.clock.now();
  return withTransaction(
    deps.pool,
    async (client) => {
      const moved = [];
      // The primary comes first (hubspotEventMeaning), so when both had a customer the survivor keeps the primary's.
      for (const id of merged) moved.push({ id, ...(await moveCustomerLinks(client, portalId, type, id, survivor, now)) });
      const what = type === 'company' ? 'Company' : 'Contact';
      const sentences = [`${what} ${merged.join(', ')} merged into ${type} ${survivor} in HubSpot.`];
      const movedCount = moved.reduce((n, m) => n + m.moved, 0);
      if (movedCount > 0) sentences.push('Its QuickBooks customer link now belongs to the merged record.');
      for (const m of moved) {
        for (const other of m.setAside) {
          // A contact's customer is often named after the person: the sync log names it by its QuickBooks id only, so a
          // privacy deletion of the contact leaves no name behind here.
          const customer = type === 'company' && other.displayName ? `"${other.displayName}"` : `id ${other.customerId}`;
          sentences.push(
            `${what} ${m.id} was billed to QuickBooks customer ${customer}, and the merged record keeps its own customer; nothing was merged in QuickBooks. Deals billed to that customer are offered the other one on their card.`,
          );
        }
      }
      if (movedCount === 0 && moved.every((m) => m.setAside.length === 0)) return `${sentences[0]} DealBooks had no QuickBooks customer link (left) to move.`;
      const message = sentences.join(' ');
      await recordSync(client, { portalId, action: 'merge', outcome: 'succeeded', message, details: { objectType: type, survivor, merged: [...merged] } }, now);
      return message;
    },
    { lockTimeoutMs: 10_000 },
  );
}
