import { z } from 'zod';
import { parseRow } from './rows';
import type { Queryable } from './transaction';

/**
 * The DealBooks admins of an account (portal_admins): HubSpot user ids, as text, oldest first. Who may change what
 * is decided by the caller (connections/account-admins.ts); this only reads and writes the list.
 */
const adminRow = z.object({ user_id: z.string() });

export async function listAdmins(db: Queryable, portalId: number): Promise<string[]> {
  const { rows } = await db.query(`SELECT user_id FROM portal_admins WHERE portal_id = $1 ORDER BY added_at, user_id`, [portalId]);
  return rows.map((row) => parseRow('portal_admins', adminRow, row).user_id);
}

/** The list, with the account's row locked until the transaction ends, so two changes of the list take turns. */
export async function lockAdmins(db: Queryable, portalId: number): Promise<string[]> {
  await db.query(`SELECT portal_id FROM portals WHERE portal_id = $1 FOR UPDATE`, [portalId]);
  return listAdmins(db, portalId);
}

/** Adds one admin; an admin already listed keeps the row it has. */
export async function addAdmin(db: Queryable, portalId: number, userId: string, addedBy: string | null, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO portal_admins (portal_id, user_id, added_by_user_id, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT (portal_id, user_id) DO NOTHING`,
    [portalId, userId, addedBy, now],
  );
}

/** Makes the list exactly `admins`: the ones not in it are removed, the new ones added (kept ones keep their row). */
export async function replaceAdmins(db: Queryable, portalId: number, admins: readonly string[], addedBy: string, now: Date): Promise<void> {
  await db.query(`DELETE FROM portal_admins WHERE portal_id = $1 AND NOT (user_id = ANY($2::text[]))`, [portalId, admins]);
  for (const userId of admins) await addAdmin(db, portalId, userId, addedBy, now);
}
