import type pg from 'pg';
import { z } from 'zod';
import { camelKeys } from './camel-keys';
import { bigintColumn, integerColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';
import type { CompanyFacts } from '../sync/model';

/**
 * The QuickBooks Online connection of each HubSpot account (qbo_connections). At most one connection per account is
 * live (connected or needing a reconnect); disconnected rows stay as history, without tokens. Tokens are only ever
 * stored sealed (see security/token-vault.ts); this module moves the sealed bytes and never opens them.
 */
export type ConnectionStatus = 'connected' | 'needs_reconnect' | 'disconnected';

export interface ConnectionView extends CompanyFacts {
  id: number;
  portalId: number;
  realmId: string;
  environment: 'sandbox' | 'production';
  status: ConnectionStatus;
  connectedAt: Date;
  connectedByUserId: number | null;
  connectedByUserEmail: string | null;
  lastRefreshedAt: Date | null;
  accessExpiresAt: Date | null;
  refreshExpiresAt: Date | null;
  refreshHardExpiresAt: Date | null;
  failedRefreshCount: number;
  lastError: string | null;
  disconnectedAt: Date | null;
  /** The company's offset from UTC as QBO last printed it (its "today"); null until learned. */
  utcOffsetMinutes: number | null;
}

/** Both tokens of a grant as stored: sealed, with the id of the key that sealed them. */
export interface SealedPair {
  access: Buffer;
  refresh: Buffer;
  keyId: string;
}

/** A connection with its sealed tokens (null once disconnected), their expiry and the version of the access token. */
export interface ConnectionGrant {
  connection: ConnectionView;
  sealed: SealedPair | null;
  accessExpiresAt: Date | null;
  tokenVersion: number;
}

const COLUMNS = `id, portal_id, realm_id, environment, status, company_name, country, home_currency, multicurrency_enabled,
  to_char(book_close_date, 'YYYY-MM-DD') AS book_close_date, custom_txn_numbers, access_token_cipher, refresh_token_cipher,
  key_id, access_expires_at, refresh_expires_at, refresh_hard_expires_at, failed_refresh_count, last_error,
  last_refreshed_at, connected_by_user_id, connected_by_user_email, connected_at, disconnected_at, token_version, utc_offset_minutes`;

/** The columns a ConnectionView is made of (camelCased); the token columns are read separately. */
const viewRow = z.object({
  id: bigintColumn,
  portal_id: bigintColumn,
  realm_id: z.string(),
  environment: z.enum(['sandbox', 'production']),
  status: z.enum(['connected', 'needs_reconnect', 'disconnected']),
  company_name: z.string().nullable(),
  country: z.string().nullable(),
  home_currency: z.string().nullable(),
  multicurrency_enabled: z.boolean().nullable(),
  book_close_date: z.string().nullable(),
  custom_txn_numbers: z.boolean().nullable(),
  access_expires_at: timestampColumn.nullable(),
  refresh_expires_at: timestampColumn.nullable(),
  refresh_hard_expires_at: timestampColumn.nullable(),
  failed_refresh_count: integerColumn,
  last_error: z.string().nullable(),
  last_refreshed_at: timestampColumn.nullable(),
  connected_by_user_id: bigintColumn.nullable(),
  connected_by_user_email: z.string().nullable(),
  connected_at: timestampColumn,
  disconnected_at: timestampColumn.nullable(),
  utc_offset_minutes: integerColumn.nullable(),
});

const tokenColumns = z.object({
  access_token_cipher: z.instanceof(Buffer).nullable(),
  refresh_token_cipher: z.instanceof(Buffer).nullable(),
  key_id: z.string().nullable(),
  token_version: integerColumn,
});

function toView(raw: unknown): ConnectionView {
  return camelKeys(parseRow('qbo_connections', viewRow, raw));
}

function toGrant(raw: unknown): ConnectionGrant {
  const { access_token_cipher: access, refresh_token_cipher: refresh, key_id: keyId, token_version: tokenVersion } = parseRow('qbo_connections', tokenColumns, raw);
  const connection = toView(raw);
  return { connection, sealed: access && refresh && keyId ? { access, refresh, keyId } : null, accessExpiresAt: connection.accessExpiresAt, tokenVersion };
}

/** The account's live connection (connected or needing a reconnect), if any. */
export async function liveConnection(db: Queryable, portalId: number): Promise<ConnectionView | undefined> {
  return (await readLiveConnectionGrant(db, portalId))?.connection;
}

/** The newest connection of the account, disconnected ones included. */
export async function latestConnection(db: Queryable, portalId: number): Promise<ConnectionView | undefined> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM qbo_connections WHERE portal_id = $1 ORDER BY (status <> 'disconnected') DESC, id DESC LIMIT 1`,
    [portalId],
  );
  return rows[0] ? toView(rows[0]) : undefined;
}

/** The live connection with its sealed tokens, read without a lock. */
export async function readLiveConnectionGrant(db: Queryable, portalId: number): Promise<ConnectionGrant | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM qbo_connections WHERE portal_id = $1 AND status <> 'disconnected'`, [portalId]);
  return rows[0] ? toGrant(rows[0]) : undefined;
}

/**
 * Locks one connection row (SELECT ... FOR UPDATE) until the caller's transaction ends, and reads it under the lock.
 * This lock is what keeps a refresh single-flight across processes: a second refresher waits here and then sees the
 * tokens the first one committed.
 */
export async function lockConnectionGrant(client: pg.PoolClient, connectionId: number): Promise<ConnectionGrant | undefined> {
  const { rows } = await client.query(`SELECT ${COLUMNS} FROM qbo_connections WHERE id = $1 FOR UPDATE`, [connectionId]);
  return rows[0] ? toGrant(rows[0]) : undefined;
}

/** Locks the account's live connection row until the caller's transaction ends (disconnecting it). */
export async function lockLiveConnectionGrant(client: pg.PoolClient, portalId: number): Promise<ConnectionGrant | undefined> {
  const { rows } = await client.query(`SELECT ${COLUMNS} FROM qbo_connections WHERE portal_id = $1 AND status <> 'disconnected' FOR UPDATE`, [portalId]);
  return rows[0] ? toGrant(rows[0]) : undefined;
}

/** A fresh grant and the facts read with it, as `storeGrant` writes them. */
export interface NewGrant {
  portalId: number;
  realmId: string;
  environment: 'sandbox' | 'production';
  facts: CompanyFacts;
  sealed: SealedPair;
  accessExpiresAt: Date;
  refreshExpiresAt: Date | null;
  refreshHardExpiresAt: Date | null;
  userId: number | null;
  userEmail: string | null;
  now: Date;
}

function grantValues(g: NewGrant): unknown[] {
  const f = g.facts;
  return [
    g.portalId, g.realmId, g.environment, f.companyName, f.country, f.homeCurrency, f.multicurrencyEnabled,
    f.bookCloseDate, f.customTxnNumbers, g.sealed.access, g.sealed.refresh, g.sealed.keyId, g.accessExpiresAt,
    g.refreshExpiresAt, g.refreshHardExpiresAt, g.userId, g.userEmail, g.now,
  ];
}

/** Puts a fresh grant on the account's live connection to the same company; undefined when there is none. */
export async function renewLiveConnection(db: Queryable, grant: NewGrant): Promise<ConnectionView | undefined> {
  const { rows } = await db.query(
    `UPDATE qbo_connections SET status = 'connected', environment = $3, company_name = $4, country = $5, home_currency = $6,
            multicurrency_enabled = $7, book_close_date = $8, custom_txn_numbers = $9, access_token_cipher = $10,
            refresh_token_cipher = $11, key_id = $12, access_expires_at = $13, refresh_expires_at = $14,
            refresh_hard_expires_at = $15, connected_by_user_id = $16, connected_by_user_email = $17,
            last_refreshed_at = $18, failed_refresh_count = 0, last_error = NULL, token_version = token_version + 1,
            updated_at = $18
      WHERE portal_id = $1 AND realm_id = $2 AND status <> 'disconnected'
      RETURNING ${COLUMNS}`,
    grantValues(grant),
  );
  return rows[0] ? toView(rows[0]) : undefined;
}

/** Starts a new connection. A second live one for the account fails on the unique index (23505). */
export async function insertConnection(db: Queryable, grant: NewGrant): Promise<ConnectionView> {
  const { rows } = await db.query(
    `INSERT INTO qbo_connections (portal_id, realm_id, environment, company_name, country, home_currency, multicurrency_enabled,
            book_close_date, custom_txn_numbers, access_token_cipher, refresh_token_cipher, key_id, access_expires_at,
            refresh_expires_at, refresh_hard_expires_at, connected_by_user_id, connected_by_user_email, last_refreshed_at,
            connected_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $18, $18)
     RETURNING ${COLUMNS}`,
    grantValues(grant),
  );
  return toView(rows[0]);
}

/** Stores a refreshed pair and returns the new token_version (a refresh may omit the refresh token's expiries). */
export async function saveRefreshedConnectionTokens(
  db: Queryable,
  connectionId: number,
  tokens: { sealed: SealedPair; accessExpiresAt: Date; refreshExpiresAt: Date | null; refreshHardExpiresAt: Date | null },
  now: Date,
): Promise<number> {
  const { rows } = await db.query(
    `UPDATE qbo_connections SET access_token_cipher = $2, refresh_token_cipher = $3, key_id = $4, access_expires_at = $5,
            refresh_expires_at = COALESCE($6, refresh_expires_at), refresh_hard_expires_at = COALESCE($7, refresh_hard_expires_at),
            last_refreshed_at = $8, failed_refresh_count = 0, last_error = NULL, token_version = token_version + 1, updated_at = $8
      WHERE id = $1 RETURNING token_version`,
    [connectionId, tokens.sealed.access, tokens.sealed.refresh, tokens.sealed.keyId, tokens.accessExpiresAt, tokens.refreshExpiresAt, tokens.refreshHardExpiresAt, now],
  );
  return parseRow('qbo_connections', z.object({ token_version: integerColumn }), rows[0]).token_version;
}

/**
 * Counts a refresh that failed. `status`: the grant is dead (Intuit answered invalid_grant) and the connection waits
 * for a person to reconnect.
 */
export async function recordConnectionRefreshFailure(db: Queryable, connectionId: number, failure: { reason: string; now: Date; status?: 'needs_reconnect' }): Promise<void> {
  const sql = `UPDATE qbo_connections SET status = COALESCE($4, status), failed_refresh_count = failed_refresh_count + 1, last_error = $2, updated_at = $3 WHERE id = $1`;
  await db.query(sql, [connectionId, failure.reason, failure.now, failure.status ?? null]);
}

/** Forgets the tokens and keeps the row (history, links point at it). */
export async function forgetConnectionTokens(db: Queryable, connectionId: number, now: Date): Promise<ConnectionView> {
  const { rows } = await db.query(
    `UPDATE qbo_connections SET status = 'disconnected', access_token_cipher = NULL, refresh_token_cipher = NULL, key_id = NULL,
            access_expires_at = NULL, disconnected_at = $2, updated_at = $2
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [connectionId, now],
  );
  return toView(rows[0]);
}

/** Remembers the company's UTC offset when it changed. */
export async function updateUtcOffset(db: Queryable, connectionId: number, minutes: number): Promise<void> {
  await db.query(`UPDATE qbo_connections SET utc_offset_minutes = $2 WHERE id = $1 AND utc_offset_minutes IS DISTINCT FROM $2`, [connectionId, minutes]);
}

export async function updateCompanyFacts(db: Queryable, connectionId: number, facts: CompanyFacts): Promise<void> {
  await db.query(
    `UPDATE qbo_connections SET company_name = $2, country = $3, home_currency = $4, multicurrency_enabled = $5,
            book_close_date = $6, custom_txn_numbers = $7, updated_at = now()
      WHERE id = $1`,
    [connectionId, facts.companyName, facts.country, facts.homeCurrency, facts.multicurrencyEnabled, facts.bookCloseDate, facts.customTxnNumbers],
  );
}

/** Connected connections last refreshed before `idleSince`, or sealed under another key than `currentKeyId`. */
export async function idleConnections(db: Queryable, idleSince: Date, currentKeyId: string): Promise<Array<{ portalId: number; connectionId: number }>> {
  const { rows } = await db.query(
    `SELECT id, portal_id FROM qbo_connections
      WHERE status = 'connected' AND (COALESCE(last_refreshed_at, connected_at) < $1 OR key_id <> $2)
      ORDER BY COALESCE(last_refreshed_at, connected_at) LIMIT 1000`,
    [idleSince, currentKeyId],
  );
  const idle = z.object({ id: bigintColumn, portal_id: bigintColumn });
  return rows.map((r) => {
    const row = parseRow('qbo_connections', idle, r);
    return { portalId: row.portal_id, connectionId: row.id };
  });
}

/** The accounts whose QuickBooks connection is connected now. */
export async function connectedPortalIds(db: Queryable): Promise<number[]> {
  const { rows } = await db.query(`SELECT portal_id FROM qbo_connections WHERE status = 'connected'`);
  return rows.map((r) => parseRow('qbo_connections', z.object({ portal_id: bigintColumn }), r).portal_id);
}
