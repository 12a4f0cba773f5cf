import { z } from 'zod';
import { parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * The timeline notes DealBooks posts about money coming back (deal_notes), one row per event key. The row is
 * reserved (inserted without a HubSpot id) before the note is posted and completed with the note's id after, so a key
 * is posted at most once by construction; a reserved row still without an id is an attempt whose outcome is unknown
 * (quote-to-cash/money-notes.ts looks for it on the deal's timeline before posting it again).
 */
export interface ReservedNote {
  key: string;
  body: string;
  createdAt: Date;
}

/** Reserves the key with its words; false when the key was reserved before (posted or not). */
export async function reserveNote(db: Queryable, note: { portalId: number; dealId: string; key: string; body: string }, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO deal_notes (portal_id, note_key, deal_id, body, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (portal_id, note_key) DO NOTHING`,
    [note.portalId, note.key, note.dealId, note.body, now],
  );
  return rowCount === 1;
}

/** Every key reserved for the deal. */
export async function notedKeys(db: Queryable, portalId: number, dealId: string): Promise<Set<string>> {
  const { rows } = await db.query('SELECT note_key FROM deal_notes WHERE portal_id = $1 AND deal_id = $2', [portalId, dealId]);
  return new Set(rows.map((r) => parseRow('deal_notes', z.object({ note_key: z.string() }), r).note_key));
}

const reservedRow = z.object({ note_key: z.string(), body: z.string(), created_at: timestampColumn });

/** The deal's reserved notes that have no HubSpot id yet, oldest first. */
export async function unpostedNotes(db: Queryable, portalId: number, dealId: string): Promise<ReservedNote[]> {
  const { rows } = await db.query(
    'SELECT note_key, body, created_at FROM deal_notes WHERE portal_id = $1 AND deal_id = $2 AND hubspot_note_id IS NULL ORDER BY created_at, note_key',
    [portalId, dealId],
  );
  return rows.map((r) => {
    const p = parseRow('deal_notes', reservedRow, r);
    return { key: p.note_key, body: p.body, createdAt: p.created_at };
  });
}

/** The HubSpot ids of the deal's notes DealBooks knows it posted. */
export async function postedNoteIds(db: Queryable, portalId: number, dealId: string): Promise<Set<string>> {
  const { rows } = await db.query('SELECT hubspot_note_id FROM deal_notes WHERE portal_id = $1 AND deal_id = $2 AND hubspot_note_id IS NOT NULL', [portalId, dealId]);
  return new Set(rows.map((r) => parseRow('deal_notes', z.object({ hubspot_note_id: z.string() }), r).hubspot_note_id));
}

export async function markNotePosted(db: Queryable, portalId: number, key: string, hubspotNoteId: string): Promise<void> {
  await db.query('UPDATE deal_notes SET hubspot_note_id = $3 WHERE portal_id = $1 AND note_key = $2', [portalId, key, hubspotNoteId]);
}
