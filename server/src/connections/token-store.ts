import type pg from 'pg';
import type { Clock } from '../clock';
import type { SealedPair } from '../db/qbo-connections';
import { withTransaction, type Queryable } from '../db/transaction';
import { ConnectionBlockedError, GrantRevokedError, type BlockedState } from '../errors';
import type { Logger } from '../logger';
import type { TokenVault } from '../security/token-vault';
import { SingleFlight } from './single-flight';

/**
 * One refresh algorithm for every OAuth grant DealBooks holds (QuickBooks connections, HubSpot installs), after
 * Nango's (https://github.com/NangoHQ/nango/blob/master/packages/shared/lib/services/connections/credentials/refresh.ts):
 *
 * 1. Read the grant. An access token with more than the provider's margin left (and, after a 401, newer than the
 *    refused one: `newerThan`, compared with token_version) is used as stored.
 * 2. Otherwise refresh, once: callers in this process share one promise (SingleFlight, per grant), and processes
 *    queue on the grant's row lock (SELECT ... FOR UPDATE in a transaction). Under the lock the row is read again: a
 *    refresh another process finished while we waited is used instead of repeated.
 * 3. The provider's OAuth client refreshes. The rotated refresh token is committed before the new access token is
 *    handed to anyone: no work runs on a refresh whose new refresh token could still be lost.
 * 4. The provider calling the grant dead (GrantRevokedError, OAuth `invalid_grant`) marks it as needing a person and
 *    throws ConnectionBlockedError: work waits instead of retrying. Any other failure is counted on the row (failed
 *    attempts, last error) and rethrown; the next call tries again.
 *
 * What differs per provider (which row, the seal contexts, what "blocked" means, the OAuth call) is a TokenAdapter.
 * Tokens are never logged.
 */

/** How long a refresher waits for another process's refresh of the same grant (whose HTTP call has its own timeout). */
const LOCK_TIMEOUT_MS = 60_000;

/** What every stored grant row holds, whichever provider. */
export interface GrantState {
  /** Null only on a grant that is blocked (a disconnected QuickBooks connection holds no tokens). */
  sealed: SealedPair | null;
  accessExpiresAt: Date | null;
  tokenVersion: number;
}

/** What any provider's OAuth client answers to a refresh. */
export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
}

export interface IssuedToken<Ref> {
  token: string;
  /** Pass back as `newerThan` after a 401 with this token. */
  version: number;
  ref: Ref;
}

/** What differs per provider. `Ref` is what names a grant to its db functions and logs. */
export interface TokenAdapter<Row extends GrantState, Ref, Fresh extends RefreshedTokens> {
  provider: 'quickbooks' | 'hubspot';
  /** An access token with less than this left is refreshed before use. */
  refreshMarginMs: number;
  /** What a missing grant means to the work that wanted it. */
  absent: BlockedState;
  /** The account's grant, read without a lock. */
  read(db: Queryable, portalId: number): Promise<Row | undefined>;
  /** The same grant read under its row lock (SELECT ... FOR UPDATE) inside the refresh transaction. */
  lock(client: pg.PoolClient, lockKey: number): Promise<Row | undefined>;
  refOf(row: Row): Ref;
  /** What single-flight and the row lock are keyed on (a QuickBooks connection id, a HubSpot portal id). */
  lockKey(ref: Ref): number;
  /** Why the grant cannot be used now, or null when it can. */
  blockedOf(row: Row): BlockedState | null;
  /** The additional data each sealed token is bound to; changing it makes every stored token unreadable. */
  sealContext(ref: Ref, field: 'access' | 'refresh'): string;
  /** The provider's OAuth refresh. Throws GrantRevokedError when the grant is dead. */
  refresh(refreshToken: string, now: Date): Promise<Fresh>;
  /** Stores the rotated pair (sealed) and returns the new token_version. */
  saveRefreshed(db: Queryable, ref: Ref, sealed: SealedPair, fresh: Fresh, now: Date): Promise<number>;
  /** Counts a failed refresh and marks a grant the provider declared dead as needing a person; returns what work now sees. */
  markRevoked(db: Queryable, ref: Ref, reason: string, now: Date): Promise<BlockedState>;
  /** Counts a refresh that failed for a reason that may pass. */
  recordFailure(db: Queryable, ref: Ref, reason: string, now: Date): Promise<void>;
  /** Log fields that say which grant (never a token). */
  logFields(ref: Ref): Record<string, unknown>;
  /** Log lines (ready, revoked, failed) and the reason a dead grant's row shows a person (revokedReason). */
  messages: { ready: string; revoked: string; failed: string; revokedReason: string };
}

/**
 * How a refresh under the lock ended: refreshed at the provider; already_refreshed (another process did while we
 * waited for the lock); revoked (the provider declared the grant dead: a person must reconnect); failed (may pass).
 */
export type RefreshOutcome = 'refreshed' | 'already_refreshed' | 'revoked' | 'failed';

export interface TokenStoreDeps {
  pool: pg.Pool;
  vault: TokenVault;
  clock: Clock;
  logger: Logger;
  /** Told how each refresh ended, once its transaction has settled. Must not throw. */
  onRefresh?: (provider: 'quickbooks' | 'hubspot', outcome: RefreshOutcome) => void;
}

type Outcome<Ref> =
  | { kind: 'token'; token: IssuedToken<Ref>; refreshed: boolean }
  | { kind: 'blocked'; state: BlockedState; cause?: Error }
  | { kind: 'failed'; error: Error };

export class TokenStore<Row extends GrantState, Ref, Fresh extends RefreshedTokens> {
  private readonly flights = new SingleFlight<number>();

  constructor(
    private readonly adapter: TokenAdapter<Row, Ref, Fresh>,
    private readonly deps: TokenStoreDeps,
  ) {}

  /**
   * A usable access token for the account. `newerThan`: the version of a token the provider just refused with a 401;
   * the caller gets a newer one (refreshing only if no other caller or process already did).
   */
  async accessToken(portalId: number, options: { newerThan?: number } = {}): Promise<IssuedToken<Ref>> {
    const row = await this.adapter.read(this.deps.pool, portalId);
    const blocked = row ? this.adapter.blockedOf(row) : this.adapter.absent;
    if (!row || blocked) throw new ConnectionBlockedError(this.adapter.provider, blocked ?? this.adapter.absent, portalId);
    if (this.usable(row, options.newerThan)) return this.openAccess(row);
    return this.refreshOnce(portalId, row, options.newerThan, 'expiry');
  }

  /** Refreshes now unless another caller or process just did (the keep-alive schedule for idle grants). */
  async refreshNow(portalId: number): Promise<IssuedToken<Ref>> {
    const row = await this.adapter.read(this.deps.pool, portalId);
    if (!row) throw new ConnectionBlockedError(this.adapter.provider, this.adapter.absent, portalId);
    return this.refreshOnce(portalId, row, row.tokenVersion, 'keep-alive');
  }

  private refreshOnce(portalId: number, row: Row, newerThan: number | undefined, why: string): Promise<IssuedToken<Ref>> {
    const ref = this.adapter.refOf(row);
    const key = this.adapter.lockKey(ref);
    return this.flights.run(key, () => this.refreshLocked(portalId, key, ref, newerThan, why));
  }

  private usable(row: Row, newerThan: number | undefined): boolean {
    if (!row.accessExpiresAt) return false;
    const fresh = row.accessExpiresAt.getTime() - this.adapter.refreshMarginMs > this.deps.clock.now().getTime();
    return fresh && (newerThan === undefined || row.tokenVersion > newerThan);
  }

  private openAccess(row: Row): IssuedToken<Ref> {
    const ref = this.adapter.refOf(row);
    const sealed = row.sealed!;
    return { token: this.deps.vault.open(sealed.access, sealed.keyId, this.adapter.sealContext(ref, 'access')), version: row.tokenVersion, ref };
  }

  private async refreshLocked(portalId: number, key: number, ref: Ref, newerThan: number | undefined, why: string): Promise<IssuedToken<Ref>> {
    const { adapter } = this;
    const { vault, clock } = this.deps;
    const log = this.deps.logger.child(adapter.logFields(ref));
    // The transaction commits what the refresh wrote (the rotated tokens, or the failure) before anything is returned.
    const outcome = await withTransaction<Outcome<Ref>>(
      this.deps.pool,
      async (client) => {
        const locked = await adapter.lock(client, key);
        const blocked = locked ? adapter.blockedOf(locked) : adapter.absent;
        if (!locked || blocked || !locked.sealed) return { kind: 'blocked', state: blocked ?? adapter.absent };
        // Read again under the lock: another process may have refreshed while we waited.
        if (this.usable(locked, newerThan)) return { kind: 'token', token: this.openAccess(locked), refreshed: false };
        const lockedRef = adapter.refOf(locked);
        const now = clock.now();
        let fresh: Fresh;
        try {
          fresh = await adapter.refresh(vault.open(locked.sealed.refresh, locked.sealed.keyId, adapter.sealContext(lockedRef, 'refresh')), now);
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          if (err instanceof GrantRevokedError) return { kind: 'blocked', state: await adapter.markRevoked(client, lockedRef, adapter.messages.revokedReason, now), cause: error };
          await adapter.recordFailure(client, lockedRef, error.message.slice(0, 500), now);
          return { kind: 'failed', error };
        }
        // Sealed under the current key, so a refresh also completes a key rotation for this grant.
        const access = vault.seal(fresh.accessToken, adapter.sealContext(lockedRef, 'access'));
        const refresh = vault.seal(fresh.refreshToken, adapter.sealContext(lockedRef, 'refresh'));
        const version = await adapter.saveRefreshed(client, lockedRef, { access: access.cipher, refresh: refresh.cipher, keyId: access.keyId }, fresh, now);
        return { kind: 'token', token: { token: fresh.accessToken, version, ref: lockedRef }, refreshed: true };
      },
      { lockTimeoutMs: LOCK_TIMEOUT_MS },
    ).catch((err: unknown) => {
      // The lock timed out or the rotated pair could not be saved: no new token came of this refresh.
      this.deps.onRefresh?.(adapter.provider, 'failed');
      throw err;
    });
    // Counted after the commit, so what is counted is what stayed: a grant blocked before any refresh is not counted.
    if (outcome.kind === 'token') this.deps.onRefresh?.(adapter.provider, outcome.refreshed ? 'refreshed' : 'already_refreshed');
    else if (outcome.kind === 'failed') this.deps.onRefresh?.(adapter.provider, 'failed');
    else if (outcome.cause) this.deps.onRefresh?.(adapter.provider, 'revoked');
    if (outcome.kind === 'token') {
      log.debug({ why, version: outcome.token.version }, adapter.messages.ready);
      return outcome.token;
    }
    if (outcome.kind === 'blocked') {
      if (outcome.cause) log.warn({ reason: outcome.cause.message }, adapter.messages.revoked);
      throw new ConnectionBlockedError(adapter.provider, outcome.state, portalId);
    }
    log.warn({ reason: outcome.error.message }, adapter.messages.failed);
    throw outcome.error;
  }
}
