import type pg from 'pg';
import { z } from 'zod';
import type { SealedPair } from './qbo-connections';
import { camelKeys } from './camel-keys';
import { bigintColumn, integerColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * The HubSpot OAuth grant of each account (hubspot_credentials, one per portal; installing again replaces it).
 * Tokens are only ever stored sealed; this module moves the sealed bytes and never opens them.
 */
export type CredentialStatus = 'active' | 'needs_reconnect' | 'revoked';

export interface InstallView {
  portalId: number;
  status: 'installed' | 'uninstalled';
  hubDomain: string | null;
  installedAt: Date;
  uninstalledAt: Date | null;
  credentialStatus: CredentialStatus | null;
  scopes: string[];
  lastError: string | null;
}

/** The grant with its sealed tokens, the account's install status and the version of its access token. */
export interface CredentialsGrant {
  portalId: number;
  portalStatus: 'installed' | 'uninstalled';
  status: CredentialStatus;
  sealed: SealedPair;
  accessExpiresAt: Date;
  tokenVersion: number;
}

const portalStatus = z.enum(['installed', 'uninstalled']);
const credentialStatus = z.enum(['active', 'needs_reconnect', 'revoked']);

const installRow = z.object({
  portal_id: bigintColumn,
  status: portalStatus,
  hub_domain: z.string().nullable(),
  installed_at: timestampColumn,
  uninstalled_at: timestampColumn.nullable(),
  credential_status: credentialStatus.nullable(),
  scopes: z.array(z.string()).nullable(),
  last_error: z.string().nullable(),
});

const grantRow = z.object({
  portal_id: bigintColumn,
  portal_status: portalStatus,
  status: credentialStatus,
  access_token_cipher: z.instanceof(Buffer),
  refresh_token_cipher: z.instanceof(Buffer),
  key_id: z.string(),
  access_expires_at: timestampColumn,
  token_version: integerColumn,
});

const GRANT_SELECT = `SELECT c.portal_id, p.status AS portal_status, c.status, c.access_token_cipher, c.refresh_token_cipher, c.key_id,
       c.access_expires_at, c.token_version
  FROM hubspot_credentials c JOIN portals p USING (portal_id) WHERE c.portal_id = $1`;

function toGrant(raw: unknown): CredentialsGrant {
  const row = parseRow('hubspot_credentials', grantRow, raw);
  return {
    portalId: row.portal_id,
    portalStatus: row.portal_status,
    status: row.status,
    sealed: { access: row.access_token_cipher, refresh: row.refresh_token_cipher, keyId: row.key_id },
    accessExpiresAt: row.access_expires_at,
    tokenVersion: row.token_version,
  };
}

/** The account's install and the state of its grant, if DealBooks ever was installed there. */
export async function readInstall(db: Queryable, portalId: number): Promise<InstallView | undefined> {
  const { rows } = await db.query(
    `SELECT p.portal_id, p.status, p.hub_domain, p.installed_at, p.uninstalled_at, c.status AS credential_status, c.scopes, c.last_error
       FROM portals p LEFT JOIN hubspot_credentials c USING (portal_id) WHERE p.portal_id = $1`,
    [portalId],
  );
  if (!rows[0]) return undefined;
  const install = camelKeys(parseRow('portals', installRow, rows[0]));
  return { ...install, scopes: install.scopes ?? [] };
}

/** The account's grant, read without a lock. */
export async function readCredentialsGrant(db: Queryable, portalId: number): Promise<CredentialsGrant | undefined> {
  const { rows } = await db.query(GRANT_SELECT, [portalId]);
  return rows[0] ? toGrant(rows[0]) : undefined;
}

/**
 * Locks the account's credentials row (SELECT ... FOR UPDATE) until the caller's transaction ends, and reads it
 * under the lock. This lock is what keeps a refresh single-flight across processes: a second refresher waits here
 * and then sees the tokens the first one committed.
 */
export async function lockCredentialsGrant(client: pg.PoolClient, portalId: number): Promise<CredentialsGrant | undefined> {
  const { rows } = await client.query(`${GRANT_SELECT} FOR UPDATE OF c`, [portalId]);
  return rows[0] ? toGrant(rows[0]) : undefined;
}

/** Stores an install's grant: new, or replacing the account's previous one (which becomes active again). */
export async function storeCredentials(
  db: Queryable,
  grant: { portalId: number; sealed: SealedPair; accessExpiresAt: Date; scopes: string[]; userId: number | null; now: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO hubspot_credentials (portal_id, access_token_cipher, refresh_token_cipher, key_id, access_expires_at, scopes,
            installed_by_user_id, status, last_refreshed_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8, $8)
     ON CONFLICT (portal_id) DO UPDATE SET access_token_cipher = EXCLUDED.access_token_cipher,
            refresh_token_cipher = EXCLUDED.refresh_token_cipher, key_id = EXCLUDED.key_id, access_expires_at = EXCLUDED.access_expires_at,
            scopes = EXCLUDED.scopes, installed_by_user_id = COALESCE(EXCLUDED.installed_by_user_id, hubspot_credentials.installed_by_user_id),
            status = 'active', failed_refresh_count = 0, last_error = NULL, last_refreshed_at = EXCLUDED.last_refreshed_at,
            token_version = hubspot_credentials.token_version + 1, updated_at = EXCLUDED.updated_at`,
    [grant.portalId, grant.sealed.access, grant.sealed.refresh, grant.sealed.keyId, grant.accessExpiresAt, grant.scopes, grant.userId, grant.now],
  );
}

/** Stores a refreshed pair and returns the new token_version. */
export async function saveRefreshedCredentials(db: Queryable, portalId: number, tokens: { sealed: SealedPair; accessExpiresAt: Date }, now: Date): Promise<number> {
  const { rows } = await db.query(
    `UPDATE hubspot_credentials SET access_token_cipher = $2, refresh_token_cipher = $3, key_id = $4, access_expires_at = $5,
            last_refreshed_at = $6, failed_refresh_count = 0, last_error = NULL, token_version = token_version + 1, updated_at = $6
      WHERE portal_id = $1 RETURNING token_version`,
    [portalId, tokens.sealed.access, tokens.sealed.refresh, tokens.sealed.keyId, tokens.accessExpiresAt, now],
  );
  return parseRow('hubspot_credentials', z.object({ token_version: integerColumn }), rows[0]).token_version;
}

/**
 * Counts a refresh that failed. `status`: the grant is dead (HubSpot refused it: DealBooks was uninstalled or its
 * access revoked).
 */
export async function recordCredentialsRefreshFailure(db: Queryable, portalId: number, failure: { reason: string; now: Date; status?: 'revoked' }): Promise<void> {
  const sql = `UPDATE hubspot_credentials SET status = COALESCE($4, status), failed_refresh_count = failed_refresh_count + 1, last_error = $2, updated_at = $3 WHERE portal_id = $1`;
  await db.query(sql, [portalId, failure.reason, failure.now, failure.status ?? null]);
}

/** Active grants of installed accounts last refreshed before `idleSince`, or sealed under another key than `currentKeyId`. */
export async function idleCredentials(db: Queryable, idleSince: Date, currentKeyId: string): Promise<number[]> {
  const { rows } = await db.query(
    `SELECT c.portal_id FROM hubspot_credentials c JOIN portals p USING (portal_id)
      WHERE p.status = 'installed' AND c.status = 'active' AND (COALESCE(c.last_refreshed_at, c.created_at) < $1 OR c.key_id <> $2)
      ORDER BY COALESCE(c.last_refreshed_at, c.created_at) LIMIT 1000`,
    [idleSince, currentKeyId],
  );
  return rows.map((r) => parseRow('hubspot_credentials', z.object({ portal_id: bigintColumn }), r).portal_id);
}
