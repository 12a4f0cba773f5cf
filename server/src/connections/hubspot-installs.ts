import { Client } from '@hubspot/api-client';
import type pg from 'pg';
import type { Clock } from '../clock';
import { TokenStore, type TokenAdapter, type TokenStoreDeps } from './token-store';
import { addInstaller } from './account-admins';
import {
  idleCredentials,
  lockCredentialsGrant,
  readCredentialsGrant,
  readInstall,
  recordCredentialsRefreshFailure,
  saveRefreshedCredentials,
  storeCredentials,
  type CredentialsGrant,
  type InstallView,
} from '../db/hubspot-credentials';
import { markPortalUninstalled, recordInstall } from '../db/portals';
import { withTransaction } from '../db/transaction';
import type { Logger } from '../logger';
import type { TokenVault } from '../security/token-vault';
import type { HubSpotOAuth, HubSpotTokens } from '../hubspot/oauth';

/**
 * DealBooks' installs in HubSpot accounts and their OAuth grants. Access tokens live 30 minutes and are refreshed
 * when less than HUBSPOT_REFRESH_MARGIN_MS remains or after a 401 (`newerThan`), by the same single-flight algorithm
 * as QuickBooks tokens (connections/token-store.ts). HubSpot does not push uninstalls to project apps: a refresh
 * refused with invalid_grant is how DealBooks learns the app was uninstalled (or its access revoked), and the
 * account is marked uninstalled.
 */
export const HUBSPOT_REFRESH_MARGIN_MS = 5 * 60_000;

export type { InstallView };

/** The seal contexts of HubSpot tokens: stored tokens open only with exactly these strings. */
export const hubspotSealContext = (portalId: number, field: 'access' | 'refresh') => `hubspot:${portalId}:${field}`;

export interface HubSpotAccessToken {
  token: string;
  version: number;
}

function tokenAdapter(oauth: HubSpotOAuth): TokenAdapter<CredentialsGrant, number, HubSpotTokens> {
  return {
    provider: 'hubspot',
    refreshMarginMs: HUBSPOT_REFRESH_MARGIN_MS,
    absent: 'uninstalled',
    read: readCredentialsGrant,
    lock: lockCredentialsGrant,
    refOf: (grant) => grant.portalId,
    lockKey: (portalId) => portalId,
    blockedOf: (grant) => (grant.portalStatus === 'installed' && grant.status === 'active' ? null : 'uninstalled'),
    sealContext: hubspotSealContext,
    refresh: (refreshToken, now) => oauth.refresh(refreshToken, now),
    saveRefreshed: (db, portalId, sealed, fresh, now) => saveRefreshedCredentials(db, portalId, { sealed, accessExpiresAt: fresh.accessExpiresAt }, now),
    markRevoked: async (db, portalId, reason, now) => {
      await recordCredentialsRefreshFailure(db, portalId, { reason, now, status: 'revoked' });
      await markPortalUninstalled(db, portalId, now);
      return 'uninstalled';
    },
    recordFailure: (db, portalId, reason, now) => recordCredentialsRefreshFailure(db, portalId, { reason, now }),
    logFields: (portalId) => ({ portalId }),
    messages: {
      ready: 'HubSpot access token ready',
      revoked: 'HubSpot refused the refresh token; the account is marked uninstalled',
      failed: 'HubSpot token refresh failed; it will be tried again',
      revokedReason: 'HubSpot refused the saved authorization: DealBooks was uninstalled or its access revoked.',
    },
  };
}

export interface HubSpotInstallsDeps {
  pool: pg.Pool;
  vault: TokenVault;
  oauth: HubSpotOAuth;
  clock: Clock;
  logger: Logger;
  apiBaseUrl: string;
  /** Told how each token refresh ended (token-store.ts). */
  onRefresh?: TokenStoreDeps['onRefresh'];
}

export class HubSpotInstalls {
  private readonly tokens: TokenStore<CredentialsGrant, number, HubSpotTokens>;
  private readonly logger: Logger;

  constructor(private readonly deps: HubSpotInstallsDeps) {
    this.logger = deps.logger.child({ component: 'hubspot-installs' });
    this.tokens = new TokenStore(tokenAdapter(deps.oauth), { pool: deps.pool, vault: deps.vault, clock: deps.clock, logger: this.logger, onRefresh: deps.onRefresh });
  }

  get(portalId: number): Promise<InstallView | undefined> {
    return readInstall(this.deps.pool, portalId);
  }

  /** Stores an install (new or repeated: the account row is updated, never duplicated) with its sealed tokens. */
  async store(input: { portalId: number; hubDomain: string | null; tokens: HubSpotTokens; scopes: string[]; userId: number | null }): Promise<{ firstInstall: boolean }> {
    const { pool, vault, clock } = this.deps;
    const now = clock.now();
    const access = vault.seal(input.tokens.accessToken, hubspotSealContext(input.portalId, 'access'));
    const refresh = vault.seal(input.tokens.refreshToken, hubspotSealContext(input.portalId, 'refresh'));
    return withTransaction(pool, async (client) => {
      const installed = await recordInstall(client, { portalId: input.portalId, hubDomain: input.hubDomain, now });
      await storeCredentials(client, {
        portalId: input.portalId,
        sealed: { access: access.cipher, refresh: refresh.cipher, keyId: access.keyId },
        accessExpiresAt: input.tokens.accessExpiresAt,
        scopes: input.scopes,
        userId: input.userId,
        now,
      });
      await addInstaller(client, input.portalId, input.userId, now);
      return installed;
    });
  }

  async accessToken(portalId: number, options: { newerThan?: number } = {}): Promise<HubSpotAccessToken> {
    const { token, version } = await this.tokens.accessToken(portalId, options);
    return { token, version };
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
    const { token, version } = await this.tokens.refreshNow(portalId);
    return { token, version };
  }

  /** Installs the keep-alive schedule should refresh: idle for `idleMs`, or sealed under a retired key. */
  idleInstalls(idleMs: number): Promise<number[]> {
    return idleCredentials(this.deps.pool, new Date(this.deps.clock.now().getTime() - idleMs), this.deps.vault.currentKeyId);
  }
}
