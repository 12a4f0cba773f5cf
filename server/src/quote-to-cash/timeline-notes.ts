import type { ConnectionView } from '../connections/quickbooks-connections';
import { paymentStates } from '../db/deal-money';
import { markNotePosted, notedKeys, postedNoteIds, reserveNote, unpostedNotes } from '../db/deal-notes';
import { postedNoteText } from '../hubspot/deals';
import { moneyNotes, receivedKeyParts } from '../sync/money-notes';
import { noteInvoice, type DealDocuments } from './deal-money';
import type { QuoteToCashDeps } from './deps';

/**
 * Timeline notes about money coming back (a payment received, a payment undone, an invoice voided or deleted in
 * QuickBooks), each posted exactly once.
 *
 * HubSpot has no idempotency key for notes, so the key is DealBooks' own (deal_notes, sync/money-notes.ts):
 * 1. the note's key and words are reserved in one INSERT before anything is sent; a key reserved before is never
 *    reserved again, so a replayed change, a retried job or two runs cannot make a second reservation;
 * 2. the note is posted, and its HubSpot id recorded on the row;
 * 3. a reserved row without an id is an attempt whose outcome DealBooks does not know (a crash between 1 and 2 or
 *    between 2 and 3, a timeout, a 5xx that may have been applied). The next run for the deal (work on one deal is
 *    serial) first reads the deal's timeline and, if a note with exactly these words is there and is not one DealBooks
 *    already accounts for, records its id instead of posting again; otherwise it posts.
 * So a note is never posted twice, and a note whose post failed is posted by the next run (the job is retried when
 * posting fails). The one gap is HubSpot's own: a note it accepted but does not yet list on the deal.
 */
export async function postMoneyNotes(deps: QuoteToCashDeps, connection: ConnectionView, dealId: string, documents: DealDocuments): Promise<string[]> {
  const { pool, clock } = deps;
  const portalId = connection.portalId;
  const noted = await notedKeys(pool, portalId, dealId);
  const undoneCandidates = [...noted].map((k) => receivedKeyParts(k, connection.id)?.paymentId).filter((id): id is string => id !== undefined);
  const notes = moneyNotes({
    connectionId: connection.id,
    invoices: documents.invoices.map((i) => noteInvoice(i, connection)),
    payments: documents.invoices.flatMap((i) => i.payments),
    paymentStates: await paymentStates(pool, portalId, connection.id, [...new Set(undoneCandidates)]),
    noted,
  });
  const reservedNow = new Set<string>();
  for (const note of notes) {
    if (await reserveNote(pool, { portalId, dealId, key: note.key, body: note.body }, clock.now())) reservedNow.add(note.key);
  }

  const posted: string[] = [];
  let timeline: Array<{ id: string; text: string }> | null = null;
  for (const note of await unpostedNotes(pool, portalId, dealId)) {
    if (!reservedNow.has(note.key)) {
      // Reserved by an earlier run that never learned the outcome: the note may be on the timeline already.
      if (timeline === null) {
        const known = await postedNoteIds(pool, portalId, dealId);
        timeline = (await deps.deals.dealNotes(portalId, dealId)).filter((n) => !known.has(n.id));
      }
      const words = postedNoteText(note.body);
      const there = timeline.findIndex((n) => n.text === words);
      if (there >= 0) {
        await markNotePosted(pool, portalId, note.key, timeline[there]!.id);
        timeline.splice(there, 1);
        continue;
      }
    }
    const created = await deps.deals.addDealNote(portalId, dealId, { body: note.body, timestamp: clock.now() });
    await markNotePosted(pool, portalId, note.key, created.id);
    posted.push(note.key);
  }
  return posted;
}
