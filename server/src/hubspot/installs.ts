import { Client } from '@hubspot/api-client';
import type pg from 'pg';
import type { Clock } from '../clock';
import { ConnectionBlockedError, GrantRevokedError } from '../errors';
import { SingleFlight, withRowLock } from '../connections/single-flight';
import type { Logger } from '../logger';
import type { TokenVault } from '../security/token-vault';
import type { HubSpotOAuth, HubSpotTokens } from './oauth';

/**
 * DealBooks' installs in HubSpot accounts and their OAuth grants. Access tokens live 30 minutes and are refreshed
 * when less than REFRESH_MARGIN_MS remains or after a 401 (`newerThan`), single-flight across processes as for
 * QuickBooks. HubSpot does not push uninstalls to project apps: a refresh refused with invalid_grant is how DealBooks
 * learns the app was uninstalled (or its access revoked), and the account is marked uninstalled.
 */
export const HUBSPOT_REFRESH_MARGIN_MS = 5 * 60_000;

const sealContext = (portalId: number, field: 'access' | 'refresh') => `hubspot:${portalId}:${field}`;

export interface InstallView {
  portalId: number;
  status: 'installed' | 'uninstalled';
  hubDomain: string | null;
  installedAt: Date;
  uninstalledAt: Date | null;
  credentialStatus: 'active' | 'needs_reconnect' | 'revoked' | null;
  scopes: string[];
  lastError: string | null;
}

export interface HubSpotAccessToken {
  token: string;
  version: number;
}

export interface HubSpotInstallsDeps {
  pool: pg.Pool;
  vault: TokenVault;
  oauth: HubSpotOAuth;
  clock: Clock;
  logger: Logger;
  apiBaseUrl: string;
}

export class HubSpotInstalls {
  private readonly flights = new SingleFlight<number>();
  private readonly logger: Logger;

  constructor(private readonly deps: HubSpotInstallsDeps) {
    this.logger = deps.logger.child({ component: 'hubspot-installs' });
  }

  async get(portalId: number): Promise<InstallView | undefined> {
    const { rows } = await this.deps.pool.query(
      `SELECT p.portal_id, p.status, p.hub_domain, p.installed_at, p.uninstalled_at, c.status AS credential_status, c.scopes, c.last_error
         FROM portals p LEFT JOIN hubspot_credentials c USING (portal_id) WHERE p.portal_id = $1`,
      [portalId],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      portalId: Number(r.portal_id),
      status: r.status,
      hubDomain: r.hub_domain,
      installedAt: r.installed_at,
      uninstalledAt: r.uninstalled_at,
      credentialStatus: r.credential_status,
      scopes: r.scopes ?? [],
      lastError: r.last_error,
    };
  }

  /** Stores an install (new or repeated: the account row is updated, never duplicated) with its sealed tokens. */
  async store(input: { portalId: number; hubDomain: string | null; tokens: HubSpotTokens; scopes: string[]; userId: number | null }): Promise<{ firstInstall: boolean }> {
    const { pool, vault, clock } = this.deps;
    const now = clock.now();
    const access = vault.seal(input.tokens.accessToken, sealContext(input.portalId, 'access'));
    const refresh = vault.seal(input.tokens.refreshToken, sealContext(input.portalId, 'refresh'));
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `INSERT INTO portals (portal_id, hub_domain, status, installed_at, created_at, updated_at)
         VALUES ($1, $2, 'installed', $3, $3, $3)
         ON CONFLICT (portal_id) DO UPDATE SET hub_domain = COALESCE(EXCLUDED.hub_domain, portals.hub_domain), status = 'installed',
                installed_at = CASE WHEN portals.status = 'installed' THEN portals.installed_at ELSE EXCLUDED.installed_at END,
                uninstalled_at = NULL, updated_at = EXCLUDED.updated_at
         RETURNING (xmax = 0) AS inserted`,
        [input.portalId, input.hubDomain, now],
      );
      await client.query(
        `INSERT INTO hubspot_credentials (portal_id, access_token_cipher, refresh_token_cipher, key_id, access_expires_at, scopes,
                installed_by_user_id, status, last_refreshed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8, $8)
         ON CONFLICT (portal_id) DO UPDATE SET access_token_cipher = EXCLUDED.access_token_cipher,
                refresh_token_cipher = EXCLUDED.refresh_token_cipher, key_id = EXCLUDED.key_id, access_expires_at = EXCLUDED.access_expires_at,
                scopes = EXCLUDED.scopes, installed_by_user_id = COALESCE(EXCLUDED.installed_by_user_id, hubspot_credentials.installed_by_user_id),
                status = 'active', failed_refresh_count = 0, last_error = NULL, last_refreshed_at = EXCLUDED.last_refreshed_at,
                token_version = hubspot_credentials.token_version + 1, updated_at = EXCLUDED.updated_at`,
        [input.portalId, access.cipher, refresh.cipher, access.keyId, input.tokens.accessExpiresAt, input.scopes, input.userId, now],
      );
      await client.query('COMMIT');
      return { firstInstall: Boolean(rows[0]?.inserted) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async accessToken(portalId: number, options: { newerThan?: number } = {}): Promise<HubSpotAccessToken> {
    const { rows } = await this.deps.pool.query(
      `SELECT p.status AS portal_status, c.status, c.access_token_cipher, c.key_id, c.access_expires_at, c.token_version
         FROM portals p JOIN hubspot_credentials c USING (portal_id) WHERE p.portal_id = $1`,
      [portalId],
    );
    const row = rows[0];
    if (!row || row.portal_status !== 'installed' || row.status !== 'active') throw new ConnectionBlockedError('hubspot', 'uninstalled', portalId);
    if (this.usable(row, options.newerThan)) return this.openAccess(portalId, row);
    return this.flights.run(portalId, () => this.refreshLocked(portalId, options.newerThan));
  }

  /** A @hubspot/api-client for the account, with a token that is fresh now. */
  async client(portalId: number): Promise<Client> {
    const { token } = await this.accessToken(portalId);
    return this.clientWith(token);
  }

  /**
   * Runs HubSpot calls for the account; when HubSpot answers 401 (a token it no longer accepts, though not expired
   * by our clock) they run once more with a newer token, refreshed here or already by another process.
   */
  async call<T>(portalId: number, work: (client: Client) => Promise<T>): Promise<T> {
    const first = await this.accessToken(portalId);
    try {
      return await work(this.clientWith(first.token));
    } catch (err) {
      if ((err as { code?: unknown })?.code !== 401) throw err;
      this.logger.info({ portalId }, 'HubSpot answered 401; retrying once with a refreshed token');
      const next = await this.accessToken(portalId, { newerThan: first.version });
      return work(this.clientWith(next.token));
    }
  }

  private clientWith(token: string): Client {
    return new Client({ accessToken: token, basePath: this.deps.apiBaseUrl, numberOfApiCallRetries: 0 });
  }

  /** Refreshes now unless another process just did: the keep-alive schedule's check that the install still exists. */
  async refreshNow(portalId: number): Promise<HubSpotAccessToken> {
    const { rows } = await this.deps.pool.query('SELECT token_version FROM hubspot_credentials WHERE portal_id = $1', [portalId]);
    if (!rows[0]) throw new ConnectionBlockedError('hubspot', 'uninstalled', portalId);
    return this.flights.run(portalId, () => this.refreshLocked(portalId, Number(rows[0].token_version)));
  }

  /** Installs the keep-alive schedule should refresh: idle for `idleMs`, or sealed under a retired key. */
  async idleInstalls(idleMs: number): Promise<number[]> {
    const { rows } = await this.deps.pool.query(
      `SELECT c.portal_id FROM hubspot_credentials c JOIN portals p USING (portal_id)
        WHERE p.status = 'installed' AND c.status = 'active' AND (COALESCE(c.last_refreshed_at, c.created_at) < $1 OR c.key_id <> $2)
        ORDER BY COALESCE(c.last_refreshed_at, c.created_at) LIMIT 1000`,
      [new Date(this.deps.clock.now().getTime() - idleMs), this.deps.vault.currentKeyId],
    );
    return rows.map((r) => Number(r.portal_id));
  }

  private usable(row: Record<string, any>, newerThan: number | undefined): boolean {
    const fresh = new Date(row.access_expires_at).getTime() - HUBSPOT_REFRESH_MARGIN_MS > this.deps.clock.now().getTime();
    return fresh && (newerThan === undefined || Number(row.token_version) > newerThan);
  }

  private openAccess(portalId: number, row: Record<string, any>): HubSpotAccessToken {
    return { token: this.deps.vault.open(row.access_token_cipher, row.key_id, sealContext(portalId, 'access')), version: Number(row.token_version) };
  }

  private async refreshLocked(portalId: number, newerThan: number | undefined): Promise<HubSpotAccessToken> {
    const { vault, oauth, clock } = this.deps;
    type Outcome = { kind: 'token'; token: HubSpotAccessToken } | { kind: 'uninstalled'; cause?: Error } | { kind: 'failed'; error: Error };
    const outcome = await withRowLock<Outcome>(
      this.deps.pool,
      `SELECT c.*, p.status AS portal_status FROM hubspot_credentials c JOIN portals p USING (portal_id) WHERE c.portal_id = $1 FOR UPDATE OF c`,
      [portalId],
      async (client, row) => {
        if (!row || row.portal_status !== 'installed' || row.status !== 'active') return { kind: 'uninstalled' };
        if (this.usable(row, newerThan)) return { kind: 'token', token: this.openAccess(portalId, row) };
        const now = clock.now();
        try {
          const tokens = await oauth.refresh(vault.open(row.refresh_token_cipher, row.key_id, sealContext(portalId, 'refresh')), now);
          const access = vault.seal(tokens.accessToken, sealContext(portalId, 'access'));
          const refresh = vault.seal(tokens.refreshToken, sealContext(portalId, 'refresh'));
          const { rows } = await client.query(
            `UPDATE hubspot_credentials SET access_token_cipher = $2, refresh_token_cipher = $3, key_id = $4, access_expires_at = $5,
                    last_refreshed_at = $6, failed_refresh_count = 0, last_error = NULL, token_version = token_version + 1, updated_at = $6
              WHERE portal_id = $1 RETURNING token_version`,
            [portalId, access.cipher, refresh.cipher, access.keyId, tokens.accessExpiresAt, now],
          );
          return { kind: 'token', token: { token: tokens.accessToken, version: Number(rows[0].token_version) } };
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          if (err instanceof GrantRevokedError) {
            await client.query(
              `UPDATE hubspot_credentials SET status = 'revoked', last_error = $2, failed_refresh_count = failed_refresh_count + 1, updated_at = $3
                WHERE portal_id = $1`,
              [portalId, 'HubSpot refused the saved authorization: DealBooks was uninstalled or its access revoked.', now],
            );
            await client.query(`UPDATE portals SET status = 'uninstalled', uninstalled_at = $2, updated_at = $2 WHERE portal_id = $1`, [portalId, now]);
            return { kind: 'uninstalled', cause: error };
          }
          await client.query(
            'UPDATE hubspot_credentials SET failed_refresh_count = failed_refresh_count + 1, last_error = $2, updated_at = $3 WHERE portal_id = $1',
            [portalId, error.message.slice(0, 500), now],
          );
          return { kind: 'failed', error };
        }
      },
    );
    if (outcome.kind === 'token') return outcome.token;
    if (outcome.kind === 'uninstalled') {
      if (outcome.cause) this.logger.warn({ portalId, reason: outcome.cause.message }, 'HubSpot refused the refresh token; the account is marked uninstalled');
      throw new ConnectionBlockedError('hubspot', 'uninstalled', portalId);
    }
    this.logger.warn({ portalId, reason: outcome.error.message }, 'HubSpot token refresh failed; it will be tried again');
    throw outcome.error;
  }
}
