import type pg from 'pg';
import { readStoredSettings, type Settings } from '../sync/settings';

/** An account's settings row: the settings (defaults filled in) and a version for optimistic concurrency. */
export interface StoredSettings {
  settings: Settings;
  version: number;
  updatedAt: Date | null;
  updatedByUserId: number | null;
}

export async function readSettings(db: pg.Pool | pg.PoolClient, portalId: number): Promise<StoredSettings> {
  const { rows } = await db.query(`SELECT settings, version, updated_at, updated_by_user_id FROM portal_settings WHERE portal_id = $1`, [portalId]);
  const row = rows[0];
  if (!row) return { settings: readStoredSettings({}), version: 0, updatedAt: null, updatedByUserId: null };
  return {
    settings: readStoredSettings(row.settings),
    version: row.version,
    updatedAt: row.updated_at,
    updatedByUserId: row.updated_by_user_id === null ? null : Number(row.updated_by_user_id),
  };
}

/**
 * Writes the settings if the stored version is still `expectedVersion` (0: none stored yet). Returns the new
 * version, or null when someone else saved in between (the caller answers 409 and the page reloads).
 */
export async function writeSettings(
  pool: pg.Pool,
  portalId: number,
  settings: Settings,
  expectedVersion: number,
  userId: number | null,
  now: Date,
): Promise<number | null> {
  if (expectedVersion === 0) {
    const { rows } = await pool.query(
      `INSERT INTO portal_settings (portal_id, settings, version, updated_by_user_id, updated_at) VALUES ($1, $2, 1, $3, $4)
       ON CONFLICT (portal_id) DO NOTHING RETURNING version`,
      [portalId, JSON.stringify(settings), userId, now],
    );
    return rows[0]?.version ?? null;
  }
  const { rows } = await pool.query(
    `UPDATE portal_settings SET settings = $2, version = version + 1, updated_by_user_id = $3, updated_at = $4
      WHERE portal_id = $1 AND version = $5 RETURNING version`,
    [portalId, JSON.stringify(settings), userId, now, expectedVersion],
  );
  return rows[0]?.version ?? null;
}
