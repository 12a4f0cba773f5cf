import { randomBytes } from 'node:crypto';
import type { SimClock } from '../common/clock';
import type { AppRegistry, Install } from './apps';

/**
 * Authorization codes, access tokens and refresh tokens, all on the simulator's clock.
 * - Access tokens live 30 minutes (`expires_in: 1800` in HubSpot's token responses).
 * - Refresh tokens do not rotate: a refresh answers with the same refresh token, which keeps working until the app
 *   is uninstalled or the token deleted. HubSpot's docs tell apps to "store the refresh token you get when initiating
 *   your OAuth integration and use it to generate a new access token once the initial one expires"
 *   (developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token), and its
 *   changelog example of a refresh response carries a refresh_token of the same `na1-...` form
 *   (changelog/additional-details-returned-when-generating-oauth-access-tokens).
 * - Codes are single use and short-lived. HubSpot names EXPIRED_AUTH_CODE but documents no lifetime; 10 minutes is
 *   the longest RFC 6749 section 4.1.2 recommends.
 * - Every token belongs to one install (app x portal): uninstalling kills them all, even if the app is installed
 *   again later.
 * - Codes and access tokens that expired more than a day ago (on the clock) are forgotten, so a long-running sandbox
 *   does not grow. Their answers stay in the same class: a forgotten code is invalid_grant BAD_AUTH_CODE instead of
 *   EXPIRED_AUTH_CODE, a forgotten access token 401 INVALID_AUTHENTICATION instead of EXPIRED_AUTHENTICATION.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 1800;
export const AUTH_CODE_TTL_MS = 10 * 60_000;
/** How long after expiry codes and access tokens are kept (to answer "expired" rather than "unknown"). */
export const EXPIRED_TOKEN_RETENTION_MS = 24 * 3600_000;
/** Pruning runs when something is issued, at most this often (simulated time). */
const PRUNE_INTERVAL_MS = 3600_000;

interface Grant {
  appId: number;
  portalId: number;
  userId: number;
  userEmail: string;
  scopes: string[];
}

export interface AuthCode extends Grant {
  code: string;
  redirectUri: string;
  expiresAtMs: number;
  used: boolean;
}

export interface AccessToken extends Grant {
  token: string;
  expiresAtMs: number;
  issuedAtMs: number;
}

export interface RefreshToken extends Grant {
  token: string;
  clientId: string;
}

export type AccessTokenCheck =
  | { state: 'valid'; token: AccessToken; install: Install }
  | { state: 'expired'; token: AccessToken }
  | { state: 'invalid' };

export interface PortalCounters {
  /** authorization_code exchanges that issued tokens */
  codeExchanges: number;
  /** refresh_token grants that issued an access token */
  refreshes: number;
  /** token calls answered with an error (for this portal, when it could be told) */
  failedTokenCalls: number;
  introspections: number;
}

/** TokenStore.exportState(). */
export interface TokenStoreState {
  codes: AuthCode[];
  access: AccessToken[];
  refresh: RefreshToken[];
  counters: Array<[number, PortalCounters]>;
}

export class TokenStore {
  private codes = new Map<string, AuthCode>();
  private access = new Map<string, AccessToken>();
  private refresh = new Map<string, RefreshToken>();
  private counters = new Map<number, PortalCounters>();
  private lastPruneMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: SimClock,
    private readonly apps: AppRegistry,
  ) {}

  /** Codes, tokens and counters as JSON data (the sandbox saves them so a restart keeps its installs working). */
  exportState(): TokenStoreState {
    return { codes: [...this.codes.values()], access: [...this.access.values()], refresh: [...this.refresh.values()], counters: [...this.counters] };
  }

  importState(state: TokenStoreState): void {
    this.codes = new Map(state.codes.map((c) => [c.code, c]));
    this.access = new Map(state.access.map((t) => [t.token, t]));
    this.refresh = new Map(state.refresh.map((t) => [t.token, t]));
    this.counters = new Map(state.counters);
  }

  issueCode(grant: Grant & { redirectUri: string }): AuthCode {
    this.pruneExpired();
    const code: AuthCode = { ...grant, code: randomToken(24), expiresAtMs: this.clock.nowMs() + AUTH_CODE_TTL_MS, used: false };
    this.codes.set(code.code, code);
    return code;
  }

  /** Looks a code up for an exchange: a code works once, and only before it expires. Call `spendCode` once used. */
  findCode(value: string): { ok: true; code: AuthCode } | { ok: false; reason: 'unknown' | 'expired' | 'used'; code?: AuthCode } {
    const code = this.codes.get(value);
    if (!code) return { ok: false, reason: 'unknown' };
    if (code.used) return { ok: false, reason: 'used', code };
    if (code.expiresAtMs <= this.clock.nowMs()) return { ok: false, reason: 'expired', code };
    return { ok: true, code };
  }

  /** Installs the app (the first exchange is what completes an install) and issues the first token pair. */
  issueForInstall(code: AuthCode, clientId: string): { access: AccessToken; refresh: RefreshToken } {
    code.used = true;
    const install = this.apps.install(code.appId, code.portalId, code);
    const grant: Grant = { appId: install.appId, portalId: install.portalId, userId: code.userId, userEmail: code.userEmail, scopes: code.scopes };
    const refresh: RefreshToken = { ...grant, token: refreshTokenValue(), clientId };
    this.refresh.set(refresh.token, refresh);
    this.count(code.portalId).codeExchanges += 1;
    return { access: this.issueAccess(grant), refresh };
  }

  /** A new access token for a live refresh token (the refresh token itself stays the same). */
  refreshAccess(value: string, clientId: string): { access: AccessToken; refresh: RefreshToken } | undefined {
    const refresh = this.refresh.get(value);
    if (!refresh || refresh.clientId !== clientId || !this.apps.getInstall(refresh.appId, refresh.portalId)) return undefined;
    this.count(refresh.portalId).refreshes += 1;
    return { access: this.issueAccess(refresh), refresh };
  }

  checkAccess(value: string): AccessTokenCheck {
    const token = this.access.get(value);
    if (!token) return { state: 'invalid' };
    const install = this.apps.getInstall(token.appId, token.portalId);
    if (!install) return { state: 'invalid' };
    if (token.expiresAtMs <= this.clock.nowMs()) return { state: 'expired', token };
    return { state: 'valid', token, install };
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Whole seconds until an access token expires, on the simulator's clock. */
  secondsLeft(token: AccessToken): number {
    return Math.max(0, Math.floor((token.expiresAtMs - this.clock.nowMs()) / 1000));
  }

  getRefresh(value: string): RefreshToken | undefined {
    const refresh = this.refresh.get(value);
    return refresh && this.apps.getInstall(refresh.appId, refresh.portalId) ? refresh : undefined;
  }

  deleteRefresh(value: string): boolean {
    return this.refresh.delete(value);
  }

  /** Seeds a token pair for an install that exists already (demo accounts installed at start). */
  issueSeeded(install: Install, clientId: string): { access: AccessToken; refresh: RefreshToken } {
    const grant: Grant = { ...install };
    const refresh: RefreshToken = { ...grant, token: refreshTokenValue(), clientId };
    this.refresh.set(refresh.token, refresh);
    return { access: this.issueAccess(grant), refresh };
  }

  /** Makes live access tokens expired now (of one portal, or all), as if 30 minutes had passed for them. */
  expireAccessTokens(portalId?: number): number {
    let n = 0;
    const now = this.clock.nowMs();
    for (const token of this.access.values()) {
      if ((portalId === undefined || token.portalId === portalId) && token.expiresAtMs > now) {
        token.expiresAtMs = now;
        n += 1;
      }
    }
    return n;
  }

  /** Forgets every code and token of an install (called when the app is uninstalled). */
  revokeInstall(appId: number, portalId: number): void {
    const belongs = (g: Grant) => g.appId === appId && g.portalId === portalId;
    for (const [k, v] of this.codes) if (belongs(v)) this.codes.delete(k);
    for (const [k, v] of this.access) if (belongs(v)) this.access.delete(k);
    for (const [k, v] of this.refresh) if (belongs(v)) this.refresh.delete(k);
  }

  countFailure(portalId: number | undefined): void {
    if (portalId !== undefined) this.count(portalId).failedTokenCalls += 1;
  }

  countIntrospection(portalId: number): void {
    this.count(portalId).introspections += 1;
  }

  countersByPortal(): Record<string, PortalCounters> {
    return Object.fromEntries([...this.counters].map(([portalId, c]) => [String(portalId), { ...c }]));
  }

  reset(): void {
    this.lastPruneMs = Number.NEGATIVE_INFINITY;
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.counters.clear();
  }

  /** How many codes and tokens are kept (what pruning bounds). */
  sizes(): { codes: number; accessTokens: number; refreshTokens: number } {
    return { codes: this.codes.size, accessTokens: this.access.size, refreshTokens: this.refresh.size };
  }

  /** Forgets codes and access tokens that expired more than EXPIRED_TOKEN_RETENTION_MS ago. */
  private pruneExpired(): void {
    const now = this.clock.nowMs();
    if (now - this.lastPruneMs < PRUNE_INTERVAL_MS) return;
    this.lastPruneMs = now;
    const cutoff = now - EXPIRED_TOKEN_RETENTION_MS;
    for (const [k, v] of this.codes) if (v.expiresAtMs < cutoff) this.codes.delete(k);
    for (const [k, v] of this.access) if (v.expiresAtMs < cutoff) this.access.delete(k);
  }

  private issueAccess(grant: Grant): AccessToken {
    this.pruneExpired();
    const now = this.clock.nowMs();
    const token: AccessToken = {
      appId: grant.appId,
      portalId: grant.portalId,
      userId: grant.userId,
      userEmail: grant.userEmail,
      scopes: [...grant.scopes],
      token: `C${randomToken(48)}`,
      issuedAtMs: now,
      expiresAtMs: now + ACCESS_TOKEN_TTL_SECONDS * 1000,
    };
    this.access.set(token.token, token);
    return token;
  }

  private count(portalId: number): PortalCounters {
    let c = this.counters.get(portalId);
    if (!c) {
      c = { codeExchanges: 0, refreshes: 0, failedTokenCalls: 0, introspections: 0 };
      this.counters.set(portalId, c);
    }
    return c;
  }
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** HubSpot refresh tokens look like `na1-ab12-cd34-ef56-gh78-abcdef123456` (changelog example above). */
function refreshTokenValue(): string {
  const hex = (n: number) => randomBytes(n).toString('hex');
  return `na1-${hex(2)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}`;
}
