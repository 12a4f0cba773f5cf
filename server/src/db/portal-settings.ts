import { z } from 'zod';
import { readStoredSettings, type Settings } from '../sync/settings';
import { bigintColumn, integerColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/** An account's settings row: the settings (defaults filled in) and a version for optimistic concurrency. */
export interface StoredSettings {
  settings: Settings;
  version: number;
  updatedAt: Date | null;
  updatedByUserId: number | null;
}

const settingsRow = z.object({ settings: z.unknown(), version: integerColumn, updated_at: timestampColumn.nullable(), updated_by_user_id: bigintColumn.nullable() });

export async function readSettings(db: Queryable, portalId: number): Promise<StoredSettings> {
  const { rows } = await db.query(`SELECT settings, version, updated_at, updated_by_user_id FROM portal_settings WHERE portal_id = $1`, [portalId]);
  if (!rows[0]) return { settings: readStoredSettings({}), version: 0, updatedAt: null, updatedByUserId: null };
  const row = parseRow('portal_settings', settingsRow, rows[0]);
  return { settings: readStoredSettings(row.settings), version: row.version, updatedAt: row.updated_at, updatedByUserId: row.updated_by_user_id };
}

/**
 * Writes the settings if the stored version is still `expectedVersion` (0: none stored yet). Returns the new
 * version, or null when someone else saved in between (the caller answers 409 and the page reloads).
 */
export async function writeSettings(
  db: Queryable,
  portalId: number,
  settings: Settings,
  expectedVersion: number,
  userId: number | null,
  now: Date,
): Promise<number | null> {
  if (expectedVersion === 0) {
    const { rows } = await db.query(
      `INSERT INTO portal_settings (portal_id, settings, version, updated_by_user_id, updated_at) VALUES ($1, $2, 1, $3, $4)
       ON CONFLICT (portal_id) DO NOTHING RETURNING version`,
      [portalId, JSON.stringify(settings), userId, now],
    );
    return rows[0] ? parseRow('portal_settings', z.object({ version: integerColumn }), rows[0]).version : null;
  }
  const { rows } = await db.query(
    `UPDATE portal_settings SET settings = $2, version = version + 1, updated_by_user_id = $3, updated_at = $4
      WHERE portal_id = $1 AND version = $5 RETURNING version`,
    [portalId, JSON.stringify(settings), userId, now, expectedVersion],
  );
  return rows[0] ? parseRow('portal_settings', z.object({ version: integerColumn }), rows[0]).version : null;
}
