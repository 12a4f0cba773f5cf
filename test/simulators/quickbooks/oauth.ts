/**
 * Intuit's OAuth 2.0 server, in memory: registered apps, the consent a simulated user gives, authorization codes,
 * grants (one per connection of an app to a company) and their tokens, all timed on the simulator's clock.
 * HTTP lives in oauth-routes.ts; this file holds the rules
 * (developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0):
 * - a code is good once, for AUTHORIZATION_CODE_TTL_MS, and only with the redirect_uri it was issued for;
 * - access tokens live 3600 s; refresh tokens roll (each refresh returns a new one, good for 8726400 s) within a
 *   5-year hard maximum counted from the first authorization;
 * - a replaced refresh token keeps working for `refreshTokenGraceMs` (Intuit: "about 24 h"). Our choice for what it
 *   returns, since Intuit does not say: the grant's CURRENT pair, without rotating again (the current access token,
 *   or a new one if that one has expired). So two workers racing with the same refresh token end up holding the
 *   same tokens, and `refreshCalls` still counts both calls.
 * - memory stays bounded in a sandbox that runs for weeks: every token call first forgets codes, access tokens,
 *   replaced refresh tokens and whole grants (revoked or past their last usable refresh token) that stopped working
 *   more than PRUNE_AFTER_MS ago. Until then a dead token keeps its precise answer ("Token expired", revoked); after,
 *   it is simply unknown ("Token invalid", invalid_grant): the same 401/400 status, so clients behave the same.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimClock } from '../common/clock';

export interface QboOAuthApp {
  clientId: string;
  clientSecret: string;
  /** Exact URLs the app registered; authorize refuses any other. */
  redirectUris: string[];
}

export const DEMO_CLIENT_ID = 'ABsimDealBooksDemoClientIdForTheQboSimulator0';
export const DEMO_CLIENT_SECRET = 'simDemoClientSecretForTheQboSimulator000';
export const DEMO_REDIRECT_URIS: readonly string[] = [
  'http://localhost:3000/oauth/quickbooks/callback',
  'http://127.0.0.1:3000/oauth/quickbooks/callback',
];
export const DEMO_APP: Readonly<QboOAuthApp> = {
  clientId: DEMO_CLIENT_ID,
  clientSecret: DEMO_CLIENT_SECRET,
  redirectUris: [...DEMO_REDIRECT_URIS],
};

export const ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting';
/** Scopes Intuit accepts (intuit-oauth's OAuthClient.scopes). */
export const KNOWN_SCOPES: readonly string[] = [
  ACCOUNTING_SCOPE,
  'com.intuit.quickbooks.payment',
  'com.intuit.quickbooks.payroll',
  'com.intuit.quickbooks.payroll.timetracking',
  'com.intuit.quickbooks.payroll.benefits',
  'openid',
  'profile',
  'email',
  'phone',
  'address',
  'intuit_name',
];

const SECOND = 1000;
const DAY = 86_400 * SECOND;
export const AUTHORIZATION_CODE_TTL_MS = 10 * 60 * SECOND;
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
/** What Intuit returns as x_refresh_token_expires_in for a new refresh token (fixtures). */
export const REFRESH_TOKEN_TTL_SECONDS = 8_726_400;
/**
 * The 5-year hard maximum of a connection (blogs.intuit.com/2025/11/12/important-changes-to-refresh-token-policy/);
 * counted from the first authorization.
 */
export const REFRESH_TOKEN_HARD_MAX_SECONDS = 5 * 365 * 86_400;
export const DEFAULT_REFRESH_TOKEN_GRACE_MS = 1 * DAY;
/** How long a dead code, token or grant is remembered before a token call forgets it. */
export const PRUNE_AFTER_MS = 1 * DAY;

/** How much the OAuth server holds (for tests of its pruning, and the control API). */
export interface OAuthStoreSizes {
  codes: number;
  grants: number;
  accessTokens: number;
  refreshTokens: number;
}

/** What the next authorize call(s) do: the simulated user's answer on Intuit's consent page. */
export interface ConsentPlan {
  /** Consent for this company (created with demo data if it does not exist). Default: the first company. */
  realmId?: string;
  /** The user clicks "Cancel": redirect with error=access_denied. */
  deny?: boolean;
  /** The user picks a different company than planned (one is created if there is no other). */
  pickOtherCompany?: boolean;
  /** How many authorize calls this plan answers (default 1); afterwards the default plan applies again. */
  times?: number;
}

/** The slice of QboCompanies that consent needs. */
export interface CompanyDirectory {
  list(): Array<{ realmId: string }>;
  get(realmId: string): unknown;
  create(realmId?: string, options?: { seed?: 'demo' | 'empty'; companyName?: string }): { realmId: string };
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  x_refresh_token_expires_in: number;
  id_token?: string;
  x_refresh_token_hard_expires_in?: number;
}

export type OAuthErrorCode = 'invalid_grant' | 'invalid_client' | 'invalid_request' | 'unsupported_grant_type';
/** `realmId` names the company the token belonged to, when known (for the request log). */
export type TokenResult = { ok: true; body: TokenResponse; realmId: string } | { ok: false; error: OAuthErrorCode; realmId?: string };

export interface RealmCounters {
  /** Successful authorize redirects that granted this company. */
  authorizations: number;
  codeExchanges: number;
  /** Every refresh_token grant request whose token belonged to this company, successful or not. */
  refreshCalls: number;
  refreshFailures: number;
  revocations: number;
}

interface IssuedToken {
  value: string;
  expiresAtMs: number;
}

export interface Grant {
  id: number;
  clientId: string;
  realmId: string;
  scopes: string[];
  /** A stable subject for id_token and userinfo. */
  userId: string;
  createdAtMs: number;
  hardExpiresAtMs: number;
  accessTokens: IssuedToken[];
  refreshToken: IssuedToken;
  previousRefreshTokens: Array<{ value: string; graceUntilMs: number }>;
  revokedAtMs?: number;
}

interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  realmId: string;
  scopes: string[];
  expiresAtMs: number;
  used: boolean;
}

export type AccessCheck =
  | { ok: true; grant: Grant }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' };

/** Real access tokens are JWE strings of roughly a kilobyte; ours keep the JWE header and a plausible length. */
const ACCESS_TOKEN_PREFIX = 'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..';
export const ACCESS_TOKEN_LENGTH = { min: 100, max: 4096 };

/** QboOAuth.exportState(). */
export interface QboOAuthState {
  codes: Array<[string, AuthorizationCode]>;
  grants: Grant[];
  counters: Array<[string, RealmCounters]>;
  nextGrantId: number;
}

export class QboOAuth {
  readonly apps: QboOAuthApp[];
  readonly refreshTokenGraceMs: number;
  private plan: ConsentPlan & { remaining: number } = { remaining: 0 };
  private codes = new Map<string, AuthorizationCode>();
  private grantsById = new Map<number, Grant>();
  private byAccessToken = new Map<string, Grant>();
  private byRefreshToken = new Map<string, Grant>();
  private counters = new Map<string, RealmCounters>();
  private nextGrantId = 1;

  constructor(
    private readonly deps: {
      clock: SimClock;
      companies: CompanyDirectory;
      apps?: QboOAuthApp[];
      refreshTokenGraceMs?: number;
      /** Signs an id_token for openid grants (oauth-id-token.ts). */
      idToken?: (grant: Grant, nowMs: number) => string;
    },
  ) {
    this.apps = (deps.apps ?? [DEMO_APP]).map((a) => ({ ...a, redirectUris: [...a.redirectUris] }));
    this.refreshTokenGraceMs = deps.refreshTokenGraceMs ?? DEFAULT_REFRESH_TOKEN_GRACE_MS;
  }

  app(clientId: unknown): QboOAuthApp | undefined {
    return this.apps.find((a) => a.clientId === clientId);
  }

  /** The app named by an `Authorization: Basic base64(id:secret)` header, if the secret matches. */
  authenticateClient(header: string | undefined): QboOAuthApp | undefined {
    const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const app = this.app(decoded.slice(0, colon));
    return app && sameSecret(app.clientSecret, decoded.slice(colon + 1)) ? app : undefined;
  }

  /** The app named by `client_id`/`client_secret` form fields (client_secret_post), if the secret matches. */
  authenticateClientPost(clientId: string | undefined, clientSecret: string | undefined): QboOAuthApp | undefined {
    const app = this.app(clientId);
    return app && clientSecret !== undefined && sameSecret(app.clientSecret, clientSecret) ? app : undefined;
  }

  setConsentPlan(plan: ConsentPlan): void {
    this.plan = { ...plan, remaining: plan.times ?? 1 };
  }

  consentPlan(): ConsentPlan & { remaining: number } {
    return { ...this.plan };
  }

  /** The simulated user answers the consent page: the company granted, or "denied". */
  consent(): { realmId: string } | 'denied' {
    const plan: ConsentPlan = this.plan.remaining > 0 ? this.plan : {};
    if (this.plan.remaining > 0) this.plan.remaining -= 1;
    if (plan.deny) return 'denied';
    const companies = this.deps.companies;
    let planned = plan.realmId ?? companies.list()[0]?.realmId;
    if (planned === undefined) planned = companies.create(undefined, { seed: 'demo' }).realmId;
    else if (!companies.get(planned)) companies.create(planned, { seed: 'demo' });
    if (!plan.pickOtherCompany) return { realmId: planned };
    const other = companies.list().find((c) => c.realmId !== planned);
    return { realmId: other?.realmId ?? companies.create(undefined, { seed: 'demo', companyName: 'Other Company (simulator)' }).realmId };
  }

  issueCode(input: { clientId: string; redirectUri: string; realmId: string; scopes: string[] }): string {
    const code = `AB11${Math.floor(this.now() / 1000)}${randomText(40)}`;
    this.codes.set(code, { ...input, expiresAtMs: this.now() + AUTHORIZATION_CODE_TTL_MS, used: false });
    this.count(input.realmId).authorizations += 1;
    return code;
  }

  exchangeCode(app: QboOAuthApp, input: { code?: string; redirectUri?: string; includeHardExpiry: boolean }): TokenResult {
    this.prune();
    if (!input.code || !input.redirectUri) return { ok: false, error: 'invalid_request' };
    const code = this.codes.get(input.code);
    if (!code || code.used || code.clientId !== app.clientId || code.redirectUri !== input.redirectUri || this.now() >= code.expiresAtMs) {
      return { ok: false, error: 'invalid_grant' };
    }
    code.used = true;
    this.count(code.realmId).codeExchanges += 1;
    const grant = this.createGrant(app.clientId, code.realmId, code.scopes);
    return { ok: true, body: this.tokenResponse(grant, input.includeHardExpiry, true), realmId: grant.realmId };
  }

  refresh(app: QboOAuthApp, input: { refreshToken?: string; includeHardExpiry: boolean }): TokenResult {
    this.prune();
    if (!input.refreshToken) return { ok: false, error: 'invalid_request' };
    const grant = this.byRefreshToken.get(input.refreshToken);
    if (!grant) return { ok: false, error: 'invalid_grant' };
    const counters = this.count(grant.realmId);
    counters.refreshCalls += 1;
    const fail = (): TokenResult => {
      counters.refreshFailures += 1;
      return { ok: false, error: 'invalid_grant', realmId: grant.realmId };
    };
    const now = this.now();
    if (grant.clientId !== app.clientId || grant.revokedAtMs !== undefined || now >= grant.hardExpiresAtMs) return fail();
    if (grant.refreshToken.value === input.refreshToken) {
      if (now >= grant.refreshToken.expiresAtMs) return fail();
      grant.previousRefreshTokens.push({ value: grant.refreshToken.value, graceUntilMs: now + this.refreshTokenGraceMs });
      grant.refreshToken = this.newRefreshToken(grant);
      this.newAccessToken(grant);
      return { ok: true, body: this.tokenResponse(grant, input.includeHardExpiry, false), realmId: grant.realmId };
    }
    const previous = grant.previousRefreshTokens.find((p) => p.value === input.refreshToken);
    if (!previous || now >= previous.graceUntilMs) return fail();
    return { ok: true, body: this.tokenResponse(grant, input.includeHardExpiry, false), realmId: grant.realmId };
  }

  /** Revoke endpoint: an access or refresh token of this app revokes its whole grant. Unknown tokens are ignored. */
  revokeToken(app: QboOAuthApp, token: string): void {
    const grant = this.byAccessToken.get(token) ?? this.byRefreshToken.get(token);
    if (grant && grant.clientId === app.clientId) this.revokeGrant(grant);
  }

  /** As if the user disconnected the app inside QuickBooks: every grant on the company stops working. */
  revokeRealm(realmId: string): number {
    const grants = this.activeGrants().filter((g) => g.realmId === realmId);
    grants.forEach((g) => this.revokeGrant(g));
    return grants.length;
  }

  /** Makes every current access token (of one company, or all) expired now, so the next API call answers 401. */
  expireAccessTokens(realmId?: string): number {
    let expired = 0;
    for (const grant of this.activeGrants()) {
      if (realmId !== undefined && grant.realmId !== realmId) continue;
      for (const token of grant.accessTokens) {
        if (token.expiresAtMs > this.now()) {
          token.expiresAtMs = this.now();
          expired += 1;
        }
      }
    }
    return expired;
  }

  checkAccessToken(token: string | undefined): AccessCheck {
    if (!token) return { ok: false, reason: 'missing' };
    if (token.length < ACCESS_TOKEN_LENGTH.min || token.length > ACCESS_TOKEN_LENGTH.max) return { ok: false, reason: 'malformed' };
    const grant = this.byAccessToken.get(token);
    if (!grant) return { ok: false, reason: 'unknown' };
    if (grant.revokedAtMs !== undefined) return { ok: false, reason: 'revoked' };
    const issued = grant.accessTokens.find((t) => t.value === token);
    if (!issued || this.now() >= issued.expiresAtMs) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  /** What the control API may show: never whole tokens, only a prefix to tell them apart. */
  grantSummaries(): Array<Record<string, unknown>> {
    return [...this.grantsById.values()].map((g) => {
      const access = this.currentAccessToken(g);
      return {
        id: g.id,
        realmId: g.realmId,
        clientId: g.clientId,
        scopes: g.scopes,
        createdAt: iso(g.createdAtMs),
        revoked: g.revokedAtMs !== undefined,
        revokedAt: g.revokedAtMs === undefined ? undefined : iso(g.revokedAtMs),
        accessToken: access ? { prefix: shortPrefix(access.value), expiresAt: iso(access.expiresAtMs) } : null,
        refreshToken: { prefix: shortPrefix(g.refreshToken.value), expiresAt: iso(g.refreshToken.expiresAtMs) },
        refreshTokensInGrace: g.previousRefreshTokens.filter((p) => p.graceUntilMs > this.now()).length,
        hardExpiresAt: iso(g.hardExpiresAtMs),
      };
    });
  }

  storeSizes(): OAuthStoreSizes {
    return { codes: this.codes.size, grants: this.grantsById.size, accessTokens: this.byAccessToken.size, refreshTokens: this.byRefreshToken.size };
  }

  /** Forgets what stopped working more than PRUNE_AFTER_MS ago (see the file comment). Runs on every token call. */
  prune(): void {
    const cutoff = this.now() - PRUNE_AFTER_MS;
    for (const [value, code] of this.codes) if (code.expiresAtMs < cutoff) this.codes.delete(value);
    for (const grant of [...this.grantsById.values()]) {
      if (usableUntil(grant) < cutoff) {
        this.forgetGrant(grant);
        continue;
      }
      for (const token of grant.accessTokens) if (token.expiresAtMs < cutoff) this.byAccessToken.delete(token.value);
      grant.accessTokens = grant.accessTokens.filter((token) => token.expiresAtMs >= cutoff);
      for (const previous of grant.previousRefreshTokens) if (previous.graceUntilMs < cutoff) this.byRefreshToken.delete(previous.value);
      grant.previousRefreshTokens = grant.previousRefreshTokens.filter((previous) => previous.graceUntilMs >= cutoff);
    }
  }

  realmCounters(realmId: string): RealmCounters {
    return { ...this.count(realmId) };
  }

  allCounters(): Record<string, RealmCounters> {
    return Object.fromEntries([...this.counters].map(([realm, c]) => [realm, { ...c }]));
  }

  reset(): void {
    this.plan = { remaining: 0 };
    this.codes.clear();
    this.grantsById.clear();
    this.byAccessToken.clear();
    this.byRefreshToken.clear();
    this.counters.clear();
  }

  /** Codes, grants (with their tokens) and counters as JSON data: the sandbox saves them so a restart stays connected. */
  exportState(): QboOAuthState {
    return {
      codes: [...this.codes],
      grants: [...this.grantsById.values()],
      counters: [...this.counters],
      nextGrantId: this.nextGrantId,
    };
  }

  /** Replaces codes, grants and counters with saved ones; the token look-ups are rebuilt from the grants. */
  importState(state: QboOAuthState): void {
    this.reset();
    for (const [value, code] of state.codes) this.codes.set(value, code);
    for (const grant of state.grants) {
      this.grantsById.set(grant.id, grant);
      for (const token of grant.accessTokens) this.byAccessToken.set(token.value, grant);
      this.byRefreshToken.set(grant.refreshToken.value, grant);
      for (const previous of grant.previousRefreshTokens) this.byRefreshToken.set(previous.value, grant);
    }
    for (const [realmId, counters] of state.counters) this.counters.set(realmId, counters);
    this.nextGrantId = state.nextGrantId;
  }

  private now(): number {
    return this.deps.clock.nowMs();
  }

  private activeGrants(): Grant[] {
    return [...this.grantsById.values()].filter((g) => g.revokedAtMs === undefined);
  }

  private forgetGrant(grant: Grant): void {
    for (const token of grant.accessTokens) this.byAccessToken.delete(token.value);
    this.byRefreshToken.delete(grant.refreshToken.value);
    for (const previous of grant.previousRefreshTokens) this.byRefreshToken.delete(previous.value);
    this.grantsById.delete(grant.id);
  }

  private revokeGrant(grant: Grant): void {
    if (grant.revokedAtMs !== undefined) return;
    grant.revokedAtMs = this.now();
    this.count(grant.realmId).revocations += 1;
  }

  private createGrant(clientId: string, realmId: string, scopes: string[]): Grant {
    const now = this.now();
    const grant: Grant = {
      id: this.nextGrantId++,
      clientId,
      realmId,
      scopes,
      userId: `sim-user-${realmId}`,
      createdAtMs: now,
      hardExpiresAtMs: now + REFRESH_TOKEN_HARD_MAX_SECONDS * SECOND,
      accessTokens: [],
      refreshToken: { value: '', expiresAtMs: 0 },
      previousRefreshTokens: [],
    };
    grant.refreshToken = this.newRefreshToken(grant);
    this.newAccessToken(grant);
    this.grantsById.set(grant.id, grant);
    return grant;
  }

  private newAccessToken(grant: Grant): IssuedToken {
    const token = { value: `${ACCESS_TOKEN_PREFIX}${randomText(22)}.${randomText(700)}.${randomText(22)}`, expiresAtMs: this.now() + ACCESS_TOKEN_TTL_SECONDS * SECOND };
    grant.accessTokens.push(token);
    this.byAccessToken.set(token.value, grant);
    return token;
  }

  /** `RT1-39-H3-1785429816rcysb9dns1ofreknypnm` (fixture; ours say H0): the digits after it are the token's expiry in epoch seconds. */
  private newRefreshToken(grant: Grant): IssuedToken {
    const expiresAtMs = Math.min(this.now() + REFRESH_TOKEN_TTL_SECONDS * SECOND, grant.hardExpiresAtMs);
    const value = `RT1-${10 + Math.floor(Math.random() * 90)}-H0-${Math.floor(expiresAtMs / 1000)}${randomText(20).toLowerCase()}`;
    this.byRefreshToken.set(value, grant);
    return { value, expiresAtMs };
  }

  private currentAccessToken(grant: Grant): IssuedToken | undefined {
    const last = grant.accessTokens[grant.accessTokens.length - 1];
    return last && last.expiresAtMs > this.now() ? last : undefined;
  }

  /**
   * Key order as in fixture oauth_token_response_intuit_oauth_js_mock.json. Counts are the seconds left, rounded:
   * the milliseconds spent answering must not turn a fresh 3600 into 3599.
   */
  private tokenResponse(grant: Grant, includeHardExpiry: boolean, withIdToken: boolean): TokenResponse {
    const now = this.now();
    const access = this.currentAccessToken(grant) ?? this.newAccessToken(grant);
    const body: TokenResponse = {
      access_token: access.value,
      refresh_token: grant.refreshToken.value,
      token_type: 'bearer',
      expires_in: Math.round((access.expiresAtMs - now) / SECOND),
      x_refresh_token_expires_in: Math.round((grant.refreshToken.expiresAtMs - now) / SECOND),
    };
    if (withIdToken && grant.scopes.includes('openid') && this.deps.idToken) body.id_token = this.deps.idToken(grant, now);
    if (includeHardExpiry) body.x_refresh_token_hard_expires_in = Math.round((grant.hardExpiresAtMs - now) / SECOND);
    return body;
  }

  private count(realmId: string): RealmCounters {
    let counters = this.counters.get(realmId);
    if (!counters) {
      counters = { authorizations: 0, codeExchanges: 0, refreshCalls: 0, refreshFailures: 0, revocations: 0 };
      this.counters.set(realmId, counters);
    }
    return counters;
  }
}

/** The last moment any refresh token of the grant could still be used (its access tokens end sooner). */
function usableUntil(grant: Grant): number {
  if (grant.revokedAtMs !== undefined) return grant.revokedAtMs;
  const refreshable = Math.max(grant.refreshToken.expiresAtMs, ...grant.previousRefreshTokens.map((p) => p.graceUntilMs));
  return Math.min(refreshable, grant.hardExpiresAtMs);
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomText(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}

function shortPrefix(token: string): string {
  return `${token.startsWith(ACCESS_TOKEN_PREFIX) ? token.slice(ACCESS_TOKEN_PREFIX.length, ACCESS_TOKEN_PREFIX.length + 8) : token.slice(0, 12)}…`;
}

const iso = (ms: number): string => new Date(ms).toISOString();
