import { z } from 'zod';
import { camelKeys } from './camel-keys';
import { bigintColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * Single-use OAuth states and QuickBooks connect tickets (oauth_states). Only a hash of each value is stored, so a
 * read of this table hands out no live state.
 */
export type StateProvider = 'hubspot' | 'quickbooks';
export type StatePurpose = 'authorize' | 'connect_ticket';

export interface StoredState {
  provider: StateProvider;
  purpose: StatePurpose;
  portalId: number | null;
  userId: number | null;
  userEmail: string | null;
  redirectUri: string;
}

const stateRow = z.object({
  provider: z.enum(['hubspot', 'quickbooks']),
  purpose: z.enum(['authorize', 'connect_ticket']),
  portal_id: bigintColumn.nullable(),
  user_id: bigintColumn.nullable(),
  user_email: z.string().nullable(),
  redirect_uri: z.string(),
  expires_at: timestampColumn,
});

export async function insertState(db: Queryable, stateHash: Buffer, state: StoredState, expiresAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO oauth_states (state_hash, provider, purpose, portal_id, user_id, user_email, redirect_uri, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [stateHash, state.provider, state.purpose, state.portalId, state.userId, state.userEmail, state.redirectUri, expiresAt],
  );
}

/**
 * Marks the state used and returns what it was bound to; undefined when it is unknown or was used already. "AND
 * used_at IS NULL" is re-checked on the row's newest version when two callbacks race, so exactly one of them wins.
 */
export async function useState(db: Queryable, stateHash: Buffer, now: Date): Promise<(StoredState & { expiresAt: Date }) | undefined> {
  const { rows } = await db.query(
    `UPDATE oauth_states SET used_at = $2
      WHERE state_hash = $1 AND used_at IS NULL
      RETURNING provider, purpose, portal_id, user_id, user_email, redirect_uri, expires_at`,
    [stateHash, now],
  );
  return rows[0] ? camelKeys(parseRow('oauth_states', stateRow, rows[0])) : undefined;
}

export async function stateExists(db: Queryable, stateHash: Buffer): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM oauth_states WHERE state_hash = $1', [stateHash]);
  return Boolean(rowCount);
}

/** Deletes states that expired more than a day ago: a state is single-use and lives 10 minutes, so these are dead. */
export async function deleteExpiredStates(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM oauth_states WHERE expires_at < now() - interval '1 day'`);
  return rowCount ?? 0;
}
