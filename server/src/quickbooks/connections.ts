import type pg from 'pg';
import type { Clock } from '../clock';
import { ConnectionBlockedError, GrantRevokedError, RefreshFailedError } from '../errors';
import { SingleFlight, withRowLock } from '../connections/single-flight';
import type { Logger } from '../logger';
import type { TokenVault } from '../security/token-vault';
import type { IntuitOAuth, IntuitTokens } from './intuit-oauth';

/**
 * The QuickBooks Online connection of each HubSpot account and its tokens. Access tokens live one hour; they are
 * refreshed when less than REFRESH_MARGIN_MS remains, and on a 401 (once: `newerThan`). Refreshing is single-flight
 * per connection across processes (row lock, re-read under the lock), and the rotated refresh token is committed
 * before the new access token is returned. `invalid_grant` marks the connection `needs_reconnect`: work waits
 * for a person instead of retrying forever.
 */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export type ConnectionStatus = 'connected' | 'needs_reconnect' | 'disconnected';

export interface CompanyFacts {
  companyName: string | null;
  country: string | null;
  homeCurrency: string | null;
  multicurrencyEnabled: boolean | null;
  bookCloseDate: string | null;
  customTxnNumbers: boolean | null;
}

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

export interface AccessToken {
  token: string;
  realmId: string;
  connectionId: number;
  /** Pass back as `newerThan` after a 401 with this token. */
  version: number;
}

const COLUMNS = `id, portal_id, realm_id, environment, status, company_name, country, home_currency, multicurrency_enabled,
  to_char(book_close_date, 'YYYY-MM-DD') AS book_close_date, custom_txn_numbers, access_token_cipher, refresh_token_cipher,
  key_id, access_expires_at, refresh_expires_at, refresh_hard_expires_at, failed_refresh_count, last_error,
  last_refreshed_at, connected_by_user_id, connected_by_user_email, connected_at, disconnected_at, token_version, utc_offset_minutes`;

const sealContext = (portalId: number, realmId: string, field: 'access' | 'refresh') => `qbo:${portalId}:${realmId}:${field}`;

function toView(row: Record<string, any>): ConnectionView {
  return {
    id: Number(row.id),
    portalId: Number(row.portal_id),
    realmId: row.realm_id,
    environment: row.environment,
    status: row.status,
    companyName: row.company_name,
    country: row.country,
    homeCurrency: row.home_currency,
    multicurrencyEnabled: row.multicurrency_enabled,
    bookCloseDate: row.book_close_date,
    customTxnNumbers: row.custom_txn_numbers,
    connectedAt: row.connected_at,
    connectedByUserId: row.connected_by_user_id === null ? null : Number(row.connected_by_user_id),
    connectedByUserEmail: row.connected_by_user_email,
    lastRefreshedAt: row.last_refreshed_at,
    accessExpiresAt: row.access_expires_at,
    refreshExpiresAt: row.refresh_expires_at,
    refreshHardExpiresAt: row.refresh_hard_expires_at,
    failedRefreshCount: row.failed_refresh_count,
    lastError: row.last_error,
    disconnectedAt: row.disconnected_at,
    utcOffsetMinutes: row.utc_offset_minutes ?? null,
  };
}

export interface QuickbooksConnectionsDeps {
  pool: pg.Pool;
  vault: TokenVault;
  oauth: IntuitOAuth;
  clock: Clock;
  logger: Logger;
  environment: 'sandbox' | 'production';
}

export class QuickbooksConnections {
  private readonly flights = new SingleFlight<number>();
  private readonly logger: Logger;

  constructor(private readonly deps: QuickbooksConnectionsDeps) {
    this.logger = deps.logger.child({ component: 'quickbooks-connections' });
  }

  /** The account's live connection (connected or needing a reconnect), if any. */
  async live(portalId: number): Promise<ConnectionView | undefined> {
    const { rows } = await this.deps.pool.query(`SELECT ${COLUMNS} FROM qbo_connections WHERE portal_id = $1 AND status <> 'disconnected'`, [portalId]);
    return rows[0] ? toView(rows[0]) : undefined;
  }

  /** The newest connection of the account, disconnected ones included (status pages show "disconnected on ..."). */
  async latest(portalId: number): Promise<ConnectionView | undefined> {
    const { rows } = await this.deps.pool.query(
      `SELECT ${COLUMNS} FROM qbo_connections WHERE portal_id = $1 ORDER BY (status <> 'disconnected') DESC, id DESC LIMIT 1`,
      [portalId],
    );
    return rows[0] ? toView(rows[0]) : undefined;
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
    const access = vault.seal(input.tokens.accessToken, sealContext(input.portalId, input.realmId, 'access'));
    const refresh = vault.seal(input.tokens.refreshToken, sealContext(input.portalId, input.realmId, 'refresh'));
    const f = input.facts;
    const now = clock.now();
    const values = [
      input.portalId, input.realmId, this.deps.environment, f.companyName, f.country, f.homeCurrency, f.multicurrencyEnabled,
      f.bookCloseDate, f.customTxnNumbers, access.cipher, refresh.cipher, access.keyId, input.tokens.accessExpiresAt,
      input.tokens.refreshExpiresAt, input.tokens.refreshHardExpiresAt, input.userId, input.userEmail, now,
    ];
    const updated = await pool.query(
      `UPDATE qbo_connections SET status = 'connected', environment = $3, company_name = $4, country = $5, home_currency = $6,
              multicurrency_enabled = $7, book_close_date = $8, custom_txn_numbers = $9, access_token_cipher = $10,
              refresh_token_cipher = $11, key_id = $12, access_expires_at = $13, refresh_expires_at = $14,
              refresh_hard_expires_at = $15, connected_by_user_id = $16, connected_by_user_email = $17,
              last_refreshed_at = $18, failed_refresh_count = 0, last_error = NULL, token_version = token_version + 1,
              updated_at = $18
        WHERE portal_id = $1 AND realm_id = $2 AND status <> 'disconnected'
        RETURNING ${COLUMNS}`,
      values,
    );
    if (updated.rows[0]) return toView(updated.rows[0]);
    const inserted = await pool.query(
      `INSERT INTO qbo_connections (portal_id, realm_id, environment, company_name, country, home_currency, multicurrency_enabled,
              book_close_date, custom_txn_numbers, access_token_cipher, refresh_token_cipher, key_id, access_expires_at,
              refresh_expires_at, refresh_hard_expires_at, connected_by_user_id, connected_by_user_email, last_refreshed_at,
              connected_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $18, $18)
       RETURNING ${COLUMNS}`,
      values,
    );
    return toView(inserted.rows[0]);
  }

  /** Remembers the company's UTC offset (learned from QBO's answers) when it changed. */
  async noteUtcOffset(connectionId: number, minutes: number | null): Promise<void> {
    if (minutes === null) return;
    await this.deps.pool.query(`UPDATE qbo_connections SET utc_offset_minutes = $2 WHERE id = $1 AND utc_offset_minutes IS DISTINCT FROM $2`, [connectionId, minutes]);
  }

  async updateFacts(connectionId: number, facts: CompanyFacts): Promise<void> {
    await this.deps.pool.query(
      `UPDATE qbo_connections SET company_name = $2, country = $3, home_currency = $4, multicurrency_enabled = $5,
              book_close_date = $6, custom_txn_numbers = $7, updated_at = now()
        WHERE id = $1`,
      [connectionId, facts.companyName, facts.country, facts.homeCurrency, facts.multicurrencyEnabled, facts.bookCloseDate, facts.customTxnNumbers],
    );
  }

  /**
   * A usable access token for the account. `newerThan`: the version of a token QBO just refused with a 401; the
   * caller gets a newer one (refreshing only if no other process already did).
   */
  async accessToken(portalId: number, options: { newerThan?: number } = {}): Promise<AccessToken> {
    const { rows } = await this.deps.pool.query(
      `SELECT id, portal_id, realm_id, status, access_token_cipher, key_id, access_expires_at, token_version
         FROM qbo_connections WHERE portal_id = $1 AND status <> 'disconnected'`,
      [portalId],
    );
    const row = rows[0];
    if (!row) throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
    if (row.status !== 'connected') throw new ConnectionBlockedError('quickbooks', 'needs_reconnect', portalId);
    if (this.usable(row, options.newerThan)) return this.openAccess(row);
    return this.flights.run(Number(row.id), () => this.refreshLocked(Number(row.id), portalId, options.newerThan, 'expiry'));
  }

  /** Refreshes now (the keep-alive schedule for idle connections), unless another process just did. */
  async refreshNow(portalId: number): Promise<AccessToken> {
    const live = await this.live(portalId);
    if (!live) throw new ConnectionBlockedError('quickbooks', 'not_connected', portalId);
    const { rows } = await this.deps.pool.query('SELECT token_version FROM qbo_connections WHERE id = $1', [live.id]);
    return this.flights.run(live.id, () => this.refreshLocked(live.id, portalId, Number(rows[0]?.token_version ?? 0), 'keep-alive'));
  }

  private usable(row: Record<string, any>, newerThan: number | undefined): boolean {
    const fresh = new Date(row.access_expires_at).getTime() - REFRESH_MARGIN_MS > this.deps.clock.now().getTime();
    return fresh && (newerThan === undefined || Number(row.token_version) > newerThan);
  }

  private openAccess(row: Record<string, any>): AccessToken {
    const portalId = Number(row.portal_id);
    return {
      token: this.deps.vault.open(row.access_token_cipher, row.key_id, sealContext(portalId, row.realm_id, 'access')),
      realmId: row.realm_id,
      connectionId: Number(row.id),
      version: Number(row.token_version),
    };
  }

  private async refreshLocked(connectionId: number, portalId: number, newerThan: number | undefined, why: string): Promise<AccessToken> {
    const { vault, oauth, clock } = this.deps;
    const log = this.logger.child({ portalId, connectionId });
    type Outcome = { kind: 'token'; token: AccessToken } | { kind: 'blocked'; state: 'needs_reconnect' | 'not_connected'; cause?: Error } | { kind: 'failed'; error: Error };
    const outcome = await withRowLock<Outcome>(
      this.deps.pool,
      `SELECT ${COLUMNS} FROM qbo_connections WHERE id = $1 FOR UPDATE`,
      [connectionId],
      async (client, row) => {
        if (!row || row.status === 'disconnected') return { kind: 'blocked', state: 'not_connected' };
        if (row.status !== 'connected') return { kind: 'blocked', state: 'needs_reconnect' };
        // Re-read under the lock: another process may have refreshed while we waited.
        if (this.usable(row, newerThan)) return { kind: 'token', token: this.openAccess(row) };
        const realmId: string = row.realm_id;
        const refreshToken = vault.open(row.refresh_token_cipher, row.key_id, sealContext(portalId, realmId, 'refresh'));
        const now = clock.now();
        let tokens: IntuitTokens;
        try {
          tokens = await oauth.refresh(refreshToken, now);
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          if (err instanceof GrantRevokedError) {
            await client.query(
              `UPDATE qbo_connections SET status = 'needs_reconnect', last_error = $2, failed_refresh_count = failed_refresh_count + 1,
                      updated_at = $3 WHERE id = $1`,
              [connectionId, 'QuickBooks refused the saved authorization (invalid_grant). Reconnect QuickBooks.', now],
            );
            return { kind: 'blocked', state: 'needs_reconnect', cause: error };
          }
          await client.query(
            'UPDATE qbo_connections SET failed_refresh_count = failed_refresh_count + 1, last_error = $2, updated_at = $3 WHERE id = $1',
            [connectionId, error.message.slice(0, 500), now],
          );
          return { kind: 'failed', error };
        }
        // The rotated refresh token is written (and committed by withRowLock) before anyone uses the new access token.
        const access = vault.seal(tokens.accessToken, sealContext(portalId, realmId, 'access'));
        const refresh = vault.seal(tokens.refreshToken, sealContext(portalId, realmId, 'refresh'));
        const { rows } = await client.query(
          `UPDATE qbo_connections SET access_token_cipher = $2, refresh_token_cipher = $3, key_id = $4, access_expires_at = $5,
                  refresh_expires_at = COALESCE($6, refresh_expires_at), refresh_hard_expires_at = COALESCE($7, refresh_hard_expires_at),
                  last_refreshed_at = $8, failed_refresh_count = 0, last_error = NULL, token_version = token_version + 1, updated_at = $8
            WHERE id = $1 RETURNING token_version`,
          [connectionId, access.cipher, refresh.cipher, access.keyId, tokens.accessExpiresAt, tokens.refreshExpiresAt, tokens.refreshHardExpiresAt, now],
        );
        return { kind: 'token', token: { token: tokens.accessToken, realmId, connectionId, version: Number(rows[0].token_version) } };
      },
    );
    if (outcome.kind === 'token') {
      log.debug({ why, version: outcome.token.version }, 'QuickBooks access token ready');
      return outcome.token;
    }
    if (outcome.kind === 'blocked') {
      if (outcome.cause) log.warn({ reason: outcome.cause.message }, 'QuickBooks refused the refresh token; the connection needs a reconnect');
      throw new ConnectionBlockedError('quickbooks', outcome.state, portalId);
    }
    log.warn({ reason: outcome.error.message }, 'QuickBooks token refresh failed; it will be tried again');
    throw outcome.error;
  }

  /** Forgets the tokens and keeps the row (history, links). Returns the refresh token so the caller can revoke it. */
  async disconnect(portalId: number): Promise<{ connection: ConnectionView; refreshToken: string } | undefined> {
    return withRowLock(
      this.deps.pool,
      `SELECT ${COLUMNS} FROM qbo_connections WHERE portal_id = $1 AND status <> 'disconnected' FOR UPDATE`,
      [portalId],
      async (client, row) => {
        if (!row) return undefined;
        let refreshToken = '';
        try {
          refreshToken = this.deps.vault.open(row.refresh_token_cipher, row.key_id, sealContext(portalId, row.realm_id, 'refresh'));
        } catch {
          // An unreadable token cannot be revoked; it is forgotten all the same.
        }
        const { rows } = await client.query(
          `UPDATE qbo_connections SET status = 'disconnected', access_token_cipher = NULL, refresh_token_cipher = NULL, key_id = NULL,
                  access_expires_at = NULL, disconnected_at = $2, updated_at = $2
            WHERE id = $1 RETURNING ${COLUMNS}`,
          [row.id, this.deps.clock.now()],
        );
        return { connection: toView(rows[0]), refreshToken };
      },
    );
  }

  /**
   * Connections the keep-alive schedule should refresh: idle for `idleMs`, or sealed under a retired key (a refresh
   * re-seals both tokens under the current one, so a key rotation completes within a day).
   */
  async idleConnections(idleMs: number): Promise<Array<{ portalId: number; connectionId: number }>> {
    const { rows } = await this.deps.pool.query(
      `SELECT id, portal_id FROM qbo_connections
        WHERE status = 'connected' AND (COALESCE(last_refreshed_at, connected_at) < $1 OR key_id <> $2)
        ORDER BY COALESCE(last_refreshed_at, connected_at) LIMIT 1000`,
      [new Date(this.deps.clock.now().getTime() - idleMs), this.deps.vault.currentKeyId],
    );
    return rows.map((r) => ({ portalId: Number(r.portal_id), connectionId: Number(r.id) }));
  }
}
