import type pg from 'pg';
import type { Clock } from '../clock';
import { TokenStore, type TokenAdapter, type TokenStoreDeps } from './token-store';
import {
  forgetConnectionTokens,
  idleConnections,
  insertConnection,
  latestConnection,
  liveConnection,
  lockConnectionGrant,
  lockLiveConnectionGrant,
  readLiveConnectionGrant,
  recordConnectionRefreshFailure,
  renewLiveConnection,
  saveRefreshedConnectionTokens,
  updateCompanyFacts,
  updateUtcOffset,
  type ConnectionGrant,
  type ConnectionView,
} from '../db/qbo-connections';
import { withTransaction } from '../db/transaction';
import type { Logger } from '../logger';
import type { TokenVault } from '../security/token-vault';
import type { AccessToken } from '../quickbooks/api';
import type { CompanyFacts } from '../sync/model';
import type { IntuitOAuth, IntuitTokens } from '../quickbooks/intuit-oauth';

/**
 * The QuickBooks Online connection of each HubSpot account and its tokens. Access tokens live one hour; they are
 * refreshed when less than REFRESH_MARGIN_MS remains, and on a 401 (once: `newerThan`), by the shared algorithm in
 * connections/token-store.ts. `invalid_grant` marks the connection `needs_reconnect`: work waits for a person
 * instead of retrying forever.
 */
export const REFRESH_MARGIN_MS = 5 * 60_000;
export type { ConnectionStatus, ConnectionView } from '../db/qbo-connections';

/** The seal contexts of QuickBooks tokens: stored tokens open only with exactly these strings. */
export const qboSealContext = (portalId: number, realmId: string, field: 'access' | 'refresh') => `qbo:${portalId}:${realmId}:${field}`;

interface ConnectionRef {
  portalId: number;
  realmId: string;
  connectionId: number;
}

function tokenAdapter(oauth: IntuitOAuth): TokenAdapter<ConnectionGrant, ConnectionRef, IntuitTokens> {
  return {
    provider: 'quickbooks',
    refreshMarginMs: REFRESH_MARGIN_MS,
    absent: 'not_connected',
    read: readLiveConnectionGrant,
    lock: lockConnectionGrant,
    refOf: ({ connection: c }) => ({ portalId: c.portalId, realmId: c.realmId, connectionId: c.id }),
    lockKey: (ref) => ref.connectionId,
    blockedOf: ({ connection: c }) => (c.status === 'connected' ? null : c.status === 'needs_reconnect' ? 'needs_reconnect' : 'not_connected'),
    sealContext: (ref, field) => qboSealContext(ref.portalId, ref.realmId, field),
    refresh: (refreshToken, now) => oauth.refresh(refreshToken, now),
    saveRefreshed: (db, ref, sealed, fresh, now) => saveRefreshedConnectionTokens(
        db,
        ref.connectionId,
        { sealed, accessExpiresAt: fresh.accessExpiresAt, refreshExpiresAt: fresh.refreshExpiresAt, refreshHardExpiresAt: fresh.refreshHardExpiresAt },
        now,
      ),
    markRevoked: async (db, ref, reason, now) => {
      await recordConnectionRefreshFailure(db, ref.connectionId, { reason, now, status: 'needs_reconnect' });
      return 'needs_reconnect';
    },
    recordFailure: (db, ref, reason, now) => recordConnectionRefreshFailure(db, ref.connectionId, { reason, now }),
    logFields: (ref) => ({ portalId: ref.portalId, connectionId: ref.connectionId }),
    messages: {
      ready: 'QuickBooks access token ready',
      revoked: 'QuickBooks refused the refresh token; the connection needs a reconnect',
      failed: 'QuickBooks token refresh failed; it will be tried again',
      revokedReason: 'QuickBooks refused the saved authorization (invalid_grant). Reconnect QuickBooks.',
    },
  };
}

export interface QuickbooksConnectionsDeps {
  pool: pg.Pool;
  vault: TokenVault;
  oauth: IntuitOAuth;
  clock: Clock;
  logger: Logger;
  environment: 'sandbox' | 'production';
  /** Told how each token refresh ended (token-store.ts). */
  onRefresh?: TokenStoreDeps['onRefresh'];
}

export class QuickbooksConnections {
  private readonly tokens: TokenStore<ConnectionGrant, ConnectionRef, IntuitTokens>;

  constructor(private readonly deps: QuickbooksConnectionsDeps) {
    const logger = deps.logger.child({ component: 'quickbooks-connections' });
    this.tokens = new TokenStore(tokenAdapter(deps.oauth), { pool: deps.pool, vault: deps.vault, clock: deps.clock, logger, onRefresh: deps.onRefresh });
  }

  /** The account's live connection (connected or needing a reconnect), if any. */
  live(portalId: number): Promise<ConnectionView | undefined> {
    return liveConnection(this.deps.pool, portalId);
  }

  /** The newest connection of the account, disconnected ones included (status pages show "disconnected on ..."). */
  latest(portalId: number): Promise<ConnectionView | undefined> {
    return latestConnection(this.deps.pool, portalId);
  }

  /**
   * Stores a fresh grant: updates the account's live connection to the same company, or starts a new one. The
   * caller has checked that a live connection to a different company is not being replaced by mistake.
   */
  async store(input: {
    portalId: number;
    realmId: string;
    tokens: IntuitTokens;
    facts: CompanyFacts;
    userId: number | null;
    userEmail: string | null;
  }): Promise<ConnectionView> {
    const { vault, pool, clock } = this.deps;
    const access = vault.seal(input.tokens.accessToken, qboSealContext(input.portalId, input.realmId, 'access'));
    const refresh = vault.seal(input.tokens.refreshToken, qboSealContext(input.portalId, input.realmId, 'refresh'));
    const grant = {
      portalId: input.portalId,
      realmId: input.realmId,
      environment: this.deps.environment,
      facts: input.facts,
      sealed: { access: access.cipher, refresh: refresh.cipher, keyId: access.keyId },
      accessExpiresAt: input.tokens.accessExpiresAt,
      refreshExpiresAt: input.tokens.refreshExpiresAt,
      refreshHardExpiresAt: input.tokens.refreshHardExpiresAt,
      userId: input.userId,
      userEmail: input.userEmail,
      now: clock.now(),
    };
    return (await renewLiveConnection(pool, grant)) ?? insertConnection(pool, grant);
  }

  /** Remembers the company's UTC offset (learned from QBO's answers) when it changed. */
  async noteUtcOffset(connectionId: number, minutes: number | null): Promise<void> {
    if (minutes === null) return;
    await updateUtcOffset(this.deps.pool, connectionId, minutes);
  }

  updateFacts(connectionId: number, facts: CompanyFacts): Promise<void> {
    return updateCompanyFacts(this.deps.pool, connectionId, facts);
  }

  /**
   * A usable access token for the account. `newerThan`: the version of a token QBO just refused with a 401; the
   * caller gets a newer one (refreshing only if no other process already did).
   */
  async accessToken(portalId: number, options: { newerThan?: number } = {}): Promise<AccessToken> {
    return toAccessToken(await this.tokens.accessToken(portalId, options));
  }

  /** Refreshes now (the keep-alive schedule for idle connections), unless another process just did. */
  async refreshNow(portalId: number): Promise<AccessToken> {
    return toAccessToken(await this.tokens.refreshNow(portalId));
  }

  /**
   * Forgets the tokens and keeps the row (history, links), under the same row lock as a refresh so none is half
   * done. Returns the refresh token so the caller can revoke it ('' when it could not be read).
   */
  disconnect(portalId: number): Promise<{ connection: ConnectionView; refreshToken: string } | undefined> {
    const { pool, vault, clock } = this.deps;
    return withTransaction(
      pool,
      async (client) => {
        const grant = await lockLiveConnectionGrant(client, portalId);
        if (!grant) return undefined;
        let refreshToken = '';
        try {
          if (grant.sealed) refreshToken = vault.open(grant.sealed.refresh, grant.sealed.keyId, qboSealContext(portalId, grant.connection.realmId, 'refresh'));
        } catch {
          // An unreadable token cannot be revoked; it is forgotten all the same.
        }
        return { connection: await forgetConnectionTokens(client, grant.connection.id, clock.now()), refreshToken };
      },
      { lockTimeoutMs: 60_000 },
    );
  }

  /**
   * Connections the keep-alive schedule should refresh: idle for `idleMs`, or sealed under a retired key (a refresh
   * re-seals both tokens under the current one, so a key rotation completes within a day).
   */
  idleConnections(idleMs: number): Promise<Array<{ portalId: number; connectionId: number }>> {
    return idleConnections(this.deps.pool, new Date(this.deps.clock.now().getTime() - idleMs), this.deps.vault.currentKeyId);
  }
}

function toAccessToken(issued: { token: string; version: number; ref: ConnectionRef }): AccessToken {
  return { token: issued.token, realmId: issued.ref.realmId, connectionId: issued.ref.connectionId, version: issued.version };
}
