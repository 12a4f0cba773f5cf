import { z } from 'zod';
import { parseRow } from './rows';
import type { Queryable } from './transaction';

/**
 * The HubSpot accounts that installed DealBooks (portals). Every other row of an account references its portal row
 * ON DELETE CASCADE, so deleting the portal row deletes the account's data.
 */

/** True when DealBooks is installed in the account now (the gate of every signed request and of connecting QuickBooks). */
export async function portalInstalled(db: Queryable, portalId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT status FROM portals WHERE portal_id = $1', [portalId]);
  return rows[0] !== undefined && parseRow('portals', z.object({ status: z.string() }), rows[0]).status === 'installed';
}

/**
 * Records an install: a new account, or an existing one installed again (its row is updated, never duplicated; an
 * account installed again after an uninstall gets a new install date). `firstInstall` is true for a new account.
 */
export async function recordInstall(db: Queryable, install: { portalId: number; hubDomain: string | null; now: Date }): Promise<{ firstInstall: boolean }> {
  const { rows } = await db.query(
    `INSERT INTO portals (portal_id, hub_domain, status, installed_at, created_at, updated_at)
     VALUES ($1, $2, 'installed', $3, $3, $3)
     ON CONFLICT (portal_id) DO UPDATE SET hub_domain = COALESCE(EXCLUDED.hub_domain, portals.hub_domain), status = 'installed',
            installed_at = CASE WHEN portals.status = 'installed' THEN portals.installed_at ELSE EXCLUDED.installed_at END,
            uninstalled_at = NULL, updated_at = EXCLUDED.updated_at
     RETURNING (xmax = 0) AS inserted`,
    [install.portalId, install.hubDomain, install.now],
  );
  return { firstInstall: parseRow('portals', z.object({ inserted: z.boolean() }), rows[0]).inserted };
}

export async function markPortalUninstalled(db: Queryable, portalId: number, now: Date): Promise<void> {
  await db.query(`UPDATE portals SET status = 'uninstalled', uninstalled_at = $2, updated_at = $2 WHERE portal_id = $1`, [portalId, now]);
}

/** Deletes the account and, by cascade, every row that belongs to it. Returns how many portal rows went (0 or 1). */
export async function deletePortal(db: Queryable, portalId: number): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM portals WHERE portal_id = $1', [portalId]);
  return rowCount ?? 0;
}
