import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { AppRegistry, HubSpotApp } from './apps';
import { DEMO_USER } from './apps';
import type { HubSpotAccounts } from './crm/store';
import type { ConsentPlan } from './oauth-consent';
import { ACCESS_TOKEN_TTL_SECONDS, type AccessToken, type RefreshToken, type TokenStore } from './oauth-tokens';
import { sendHubSpotError } from './server-errors';

/**
 * HubSpot's OAuth endpoints for marketplace apps (the v1 ones are switched off on 2027-02-16:
 * developers.hubspot.com/changelog/v1-oauth-api-deprecation):
 *   GET  /oauth/authorize?client_id&redirect_uri&scope&optional_scope&state   (app.hubspot.com in real life)
 *   POST /oauth/2026-03/token and the deprecated POST /oauth/v1/token         (form body)
 *   POST /oauth/2026-03/token/introspect
 *   GET  /oauth/v1/access-tokens/:token, GET|DELETE /oauth/v1/refresh-tokens/:token   (what @hubspot/api-client 14 calls)
 * The uninstall endpoint needs a Bearer token, so it lives in `appInstallsRouter`, mounted after authentication.
 */
export interface OAuthDeps {
  apps: AppRegistry;
  tokens: TokenStore;
  consent: ConsentPlan;
  accounts: HubSpotAccounts;
}

/**
 * Token-endpoint errors, HTTP 400. The 2026-03 endpoints answer RFC 6749 fields plus HubSpot's `status`/`message`
 * (fixture oauth_error_body_2026, from the changelog "New OAuth v3 API Endpoints and Standardized Error
 * Responses"); the legacy v1 endpoint answers only `{status, message, correlationId}` (e.g. `{"status":
 * "BAD_REFRESH_TOKEN","message":"missing or invalid refresh token"}`, nango.dev/blog/hubspot-oauth-bad-refresh-token).
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly status: string,
    message: string,
    readonly portalId?: number,
    /** v1's wording when it differs. */
    readonly legacyMessage = message,
  ) {
    super(message);
  }

  body(api: 'v1' | '2026-03' = '2026-03'): object {
    if (api === 'v1') return { status: this.status, message: this.legacyMessage, correlationId: randomUUID() };
    return { error: this.error, error_description: this.message, status: this.status, message: this.message };
  }
}

const badRefreshToken = (portalId?: number) =>
  new OAuthError('invalid_grant', 'BAD_REFRESH_TOKEN', 'refresh token is invalid, expired or revoked', portalId, 'missing or invalid refresh token');

export function oauthRouter(deps: OAuthDeps): express.Router {
  const router = express.Router();

  router.get('/oauth/authorize', (req, res) => authorize(deps, req, res));

  router.post(['/oauth/2026-03/token', '/oauth/v1/token'], (req, res) => {
    // v1 also took its parameters in the query string; 2026-03 takes them only in the body.
    const v1 = req.path.startsWith('/oauth/v1/');
    const params = v1 ? { ...stringParams(req.query), ...stringParams(req.body) } : stringParams(req.body);
    try {
      res.json(tokenGrant(deps, params));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      deps.tokens.countFailure(error.portalId);
      res.status(400).json(error.body(v1 ? 'v1' : '2026-03'));
    }
  });

  router.post('/oauth/2026-03/token/introspect', (req, res) => {
    const params = stringParams(req.body);
    try {
      const app = authenticateClient(deps.apps, params);
      res.json(introspect(deps, app, params.token ?? ''));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      res.status(400).json(error.body());
    }
  });

  // v1 metadata lookups. Their answers for dead tokens are not documented; these reuse the API's 401 / 404 bodies.
  router.get('/oauth/v1/access-tokens/:token', (req, res) => {
    const check = deps.tokens.checkAccess(req.params.token);
    if (check.state === 'expired') return sendHubSpotError(res, 401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    if (check.state === 'invalid') return sendHubSpotError(res, 404, 'OBJECT_NOT_FOUND', 'access token not found');
    const t = check.token;
    res.json({
      token: t.token,
      user: t.userEmail,
      hub_domain: hubDomain(t.portalId),
      scopes: t.scopes,
      hub_id: t.portalId,
      app_id: t.appId,
      expires_in: deps.tokens.secondsLeft(t),
      user_id: t.userId,
      token_type: 'access',
      is_private_distribution: false,
    });
  });
  router.get('/oauth/v1/refresh-tokens/:token', (req, res) => {
    const t = deps.tokens.getRefresh(req.params.token);
    if (!t) return sendHubSpotError(res, 404, 'OBJECT_NOT_FOUND', 'refresh token not found');
    res.json({
      token: t.token,
      user: t.userEmail,
      hub_domain: hubDomain(t.portalId),
      scopes: t.scopes,
      hub_id: t.portalId,
      client_id: t.clientId,
      user_id: t.userId,
      token_type: 'refresh',
    });
  });
  // Deleting a refresh token leaves the install and its access tokens alone (HubSpot "Managing tokens" docs).
  router.delete('/oauth/v1/refresh-tokens/:token', (req, res) => {
    if (!deps.tokens.deleteRefresh(req.params.token)) return sendHubSpotError(res, 404, 'OBJECT_NOT_FOUND', 'refresh token not found');
    res.status(204).end();
  });

  return router;
}

/**
 * `DELETE /appinstalls/2026-03/external-install` (and the older v3 path): the app uninstalls itself from the portal
 * of the Bearer token; 204, no body (developers.hubspot.com/docs/api-reference/latest/app-management/app-uninstalls).
 */
export function appInstallsRouter(deps: Pick<OAuthDeps, 'apps' | 'tokens'>): express.Router {
  const router = express.Router();
  router.delete(['/appinstalls/2026-03/external-install', '/appinstalls/v3/external-install'], (_req, res) => {
    uninstall(deps, res.locals.appId as number, res.locals.portalId as number);
    res.status(204).end();
  });
  return router;
}

/** Removes an install and kills every code and token of it (also what the user uninstalling in HubSpot does). */
export function uninstall(deps: Pick<OAuthDeps, 'apps' | 'tokens'>, appId: number, portalId: number): boolean {
  const existed = deps.apps.uninstall(appId, portalId);
  deps.tokens.revokeInstall(appId, portalId);
  return existed;
}

function authorize(deps: OAuthDeps, req: Request, res: Response): void {
  const q = stringParams(req.query);
  const app = q.client_id ? deps.apps.byClientId(q.client_id) : undefined;
  // Like HubSpot, a bad client or redirect URL is shown to the user and never redirected to (RFC 6749 4.1.2.1).
  if (!app) return errorPage(res, 'The client_id is missing or does not belong to any app.');
  if (!q.redirect_uri || !app.redirectUris.includes(q.redirect_uri)) {
    return errorPage(res, `The redirect_uri ${q.redirect_uri ?? '(missing)'} is not one of the app's redirect URLs.`);
  }
  const required = splitScopes(q.scope);
  if (required.length === 0) return errorPage(res, 'The install URL has no scope.');
  const undeclared = required.filter((s) => !app.scopes.includes(s));
  if (undeclared.length > 0) {
    return errorPage(res, `Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes (${undeclared.join(', ')}).`);
  }
  const optional = splitScopes(q.optional_scope).filter((s) => app.optionalScopes.includes(s) || app.scopes.includes(s));

  const redirect = new URL(q.redirect_uri);
  const decision = deps.consent.next() ?? { deny: false };
  if (decision.deny) {
    redirect.searchParams.set('error', 'access_denied');
    redirect.searchParams.set('error_description', 'The user denied access to the app.');
    redirect.searchParams.set('state', q.state ?? '');
    return res.redirect(302, redirect.toString());
  }
  const account = consentedPortal(deps.accounts, decision.portalId);
  // With no user planned, the one at the screen is the portal's installer of the app when there is one (the sandbox's
  // story: Ada installed DealBooks, and card requests come from her), else the demo user.
  const installer = deps.apps.getInstall(app.appId, account.portalId);
  const user = decision.userId !== undefined || decision.userEmail !== undefined || !installer ? DEMO_USER : { userId: installer.userId, userEmail: installer.userEmail };
  const code = deps.tokens.issueCode({
    appId: app.appId,
    portalId: account.portalId,
    userId: decision.userId ?? user.userId,
    userEmail: decision.userEmail ?? user.userEmail,
    scopes: [...new Set([...required, ...optional])],
    redirectUri: q.redirect_uri,
  });
  redirect.searchParams.set('code', code.code);
  if (q.state !== undefined) redirect.searchParams.set('state', q.state);
  res.redirect(302, redirect.toString());
}

/** The portal the user picks: the planned one (created with demo data if new), else the first, else a new demo one. */
function consentedPortal(accounts: HubSpotAccounts, portalId: number | undefined) {
  if (portalId !== undefined) return accounts.get(portalId) ?? accounts.create(portalId, { seed: 'demo' });
  return accounts.list()[0] ?? accounts.create(undefined, { seed: 'demo' });
}

function tokenGrant(deps: OAuthDeps, p: Record<string, string>): object {
  if (p.grant_type !== 'authorization_code' && p.grant_type !== 'refresh_token') {
    throw new OAuthError('unsupported_grant_type', 'BAD_GRANT_TYPE', 'grant_type must be authorization_code or refresh_token');
  }
  const app = authenticateClient(deps.apps, p);
  let issued: { access: AccessToken; refresh: RefreshToken } | undefined;
  if (p.grant_type === 'authorization_code') {
    const found = deps.tokens.findCode(p.code ?? '');
    if (!found.ok) {
      if (found.reason === 'expired') throw new OAuthError('invalid_grant', 'EXPIRED_AUTH_CODE', 'auth code is expired', found.code?.portalId);
      throw new OAuthError('invalid_grant', 'BAD_AUTH_CODE', 'missing or unknown auth code', found.code?.portalId);
    }
    if (found.code.appId !== app.appId) throw new OAuthError('invalid_grant', 'BAD_AUTH_CODE', 'missing or unknown auth code');
    if (p.redirect_uri !== found.code.redirectUri) {
      throw new OAuthError('invalid_grant', 'MISMATCH_REDIRECT_URI_AUTH_CODE', 'redirect_uri does not match the redirect_uri used to obtain the auth code', found.code.portalId);
    }
    issued = deps.tokens.issueForInstall(found.code, app.clientId);
  } else {
    if (!p.refresh_token) throw badRefreshToken();
    issued = deps.tokens.refreshAccess(p.refresh_token, app.clientId);
    if (!issued) throw badRefreshToken();
  }
  // Fields and order of HubSpot's example (changelog "Additional details returned when generating OAuth access tokens").
  return {
    token_type: 'bearer',
    refresh_token: issued.refresh.token,
    hub_id: issued.access.portalId,
    scopes: issued.access.scopes,
    access_token: issued.access.token,
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
  };
}

function authenticateClient(apps: AppRegistry, p: Record<string, string>): HubSpotApp {
  const app = p.client_id ? apps.byClientId(p.client_id) : undefined;
  if (!app) throw new OAuthError('invalid_client', 'BAD_CLIENT_ID', 'missing or unknown client id');
  if (p.client_secret !== app.clientSecret) throw new OAuthError('invalid_client', 'BAD_CLIENT_SECRET', 'missing or invalid client secret');
  return app;
}

/**
 * Response of `POST /oauth/2026-03/token/introspect` (fields of developers.hubspot.com/docs/api-reference/latest/
 * authentication/oauth-tokens/token-introspect). A token that is unknown, expired, revoked or another app's is
 * `{active: false}` (RFC 7662 section 2.2).
 */
function introspect(deps: OAuthDeps, app: HubSpotApp, value: string): object {
  const check = deps.tokens.checkAccess(value);
  if (check.state === 'valid' && check.token.appId === app.appId) {
    const t = check.token;
    deps.tokens.countIntrospection(t.portalId);
    return {
      token_use: 'access_token',
      active: true,
      token: t.token,
      hub_id: t.portalId,
      user_id: t.userId,
      client_id: app.clientId,
      app_id: t.appId,
      scopes: t.scopes,
      signed_access_token: {
        appId: t.appId,
        expiresAt: t.expiresAtMs,
        hubId: t.portalId,
        hublet: 'na1',
        installingUserId: check.install.userId,
        isPrivateDistribution: false,
        isServiceAccount: false,
        isUserLevel: false,
        scopes: t.scopes.join(' '),
        userId: t.userId,
      },
      expires_in: deps.tokens.secondsLeft(t),
      is_private_distribution: false,
      token_type: 'bearer',
      user: t.userEmail,
      hub_domain: hubDomain(t.portalId),
    };
  }
  const refresh = deps.tokens.getRefresh(value);
  if (refresh && refresh.appId === app.appId) {
    deps.tokens.countIntrospection(refresh.portalId);
    return {
      token_use: 'refresh_token',
      active: true,
      token: refresh.token,
      hub_id: refresh.portalId,
      user_id: refresh.userId,
      client_id: app.clientId,
      app_id: refresh.appId,
      scopes: refresh.scopes,
      is_private_distribution: false,
      token_type: 'refresh',
      user: refresh.userEmail,
      hub_domain: hubDomain(refresh.portalId),
    };
  }
  return { active: false };
}

/** HubSpot reports the portal's domain; simulated portals get a stable made-up one. */
function hubDomain(portalId: number): string {
  return `portal-${portalId}.sim.hubspot.test`;
}

function splitScopes(value: string | undefined): string[] {
  return (value ?? '').split(/[\s+]+/).filter(Boolean);
}

function stringParams(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (input && typeof input === 'object') {
    for (const [k, v] of Object.entries(input)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function errorPage(res: Response, message: string): void {
  res.status(400).type('html').send(`<!doctype html><title>Couldn't complete the connection</title><h1>Couldn't complete the connection</h1><p>${escapeHtml(message)}</p>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
