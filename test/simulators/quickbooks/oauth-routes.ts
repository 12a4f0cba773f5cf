/**
 * Intuit's OAuth endpoints on the simulator's origin (paths as on Intuit's real hosts):
 *   GET  /connect/oauth2                  authorize (the consent page; the simulated user answers per consent plan)
 *   POST /oauth2/v1/tokens/bearer         token (Basic client auth, form body)
 *   POST /v2/oauth2/tokens/revoke         revoke (Basic client auth, JSON {token})
 *   GET  /v1/openid_connect/userinfo      userinfo (bearer token with the openid scope)
 *   GET  /op/v1/jwks                      keys that sign id_tokens
 *   GET  /.well-known/openid_{sandbox_,}configuration   discovery documents (oauth-discovery.ts)
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { bearerToken } from './auth';
import { DISCOVERY_PATHS, discoveryDocument } from './oauth-discovery';
import { JWKS_PATH, type IdTokenSigner } from './oauth-id-token';
import { ACCOUNTING_SCOPE, KNOWN_SCOPES, type QboOAuth, type TokenResult } from './oauth';

export const OAUTH_PATHS = {
  authorize: '/connect/oauth2',
  token: '/oauth2/v1/tokens/bearer',
  revoke: '/v2/oauth2/tokens/revoke',
  userInfo: '/v1/openid_connect/userinfo',
  jwks: JWKS_PATH,
  discoverySandbox: DISCOVERY_PATHS.sandbox,
  discoveryProduction: DISCOVERY_PATHS.production,
} as const;

const HARD_EXPIRY_HEADER = 'x-include-refresh-token-hard-expires-in';
const OPENID_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'intuit_name'];

export function quickbooksOAuthRouter(deps: { oauth: QboOAuth; idTokens: IdTokenSigner }): express.Router {
  const { oauth } = deps;
  const router = express.Router();

  router.get(OAUTH_PATHS.authorize, (req, res) => {
    const q = (name: string): string | undefined => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
    const app = oauth.app(q('client_id'));
    // Like Intuit, a request that cannot be trusted to redirect (unknown app or redirect_uri) gets an error page.
    if (!app) return errorPage(res, 'invalid_client', 'The client_id is not one of a registered app.');
    const redirectUri = q('redirect_uri');
    if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
      return errorPage(res, 'invalid_redirect_uri', 'The redirect_uri does not match one registered for this app.');
    }
    const back = (params: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      const state = q('state');
      if (state !== undefined) url.searchParams.set('state', state);
      res.redirect(302, url.toString());
    };
    if (q('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const scopes = (q('scope') ?? '').split(/[\s+]+/).filter(Boolean);
    const usable = scopes.includes(ACCOUNTING_SCOPE) || scopes.some((s) => OPENID_SCOPES.includes(s));
    if (!usable || scopes.some((s) => !KNOWN_SCOPES.includes(s))) return back({ error: 'invalid_scope' });
    const answer = oauth.consent();
    if (answer === 'denied') return back({ error: 'access_denied' });
    const code = oauth.issueCode({ clientId: app.clientId, redirectUri, realmId: answer.realmId, scopes });
    res.locals.account = answer.realmId;
    back({ code, realmId: answer.realmId });
  });

  router.post(OAUTH_PATHS.token, express.urlencoded({ extended: false }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
    // Both methods the discovery document lists: client_secret_basic (the header) and client_secret_post (form fields).
    const app = req.headers.authorization
      ? oauth.authenticateClient(req.headers.authorization)
      : oauth.authenticateClientPost(text('client_id'), text('client_secret'));
    if (!app) return oauthError(res, 'invalid_client');
    const includeHardExpiry = String(req.headers[HARD_EXPIRY_HEADER]).toLowerCase() === 'true';
    let result: TokenResult;
    if (text('grant_type') === 'authorization_code') {
      result = oauth.exchangeCode(app, { code: text('code'), redirectUri: text('redirect_uri'), includeHardExpiry });
    } else if (text('grant_type') === 'refresh_token') {
      result = oauth.refresh(app, { refreshToken: text('refresh_token'), includeHardExpiry });
    } else {
      result = { ok: false, error: text('grant_type') ? 'unsupported_grant_type' : 'invalid_request' };
    }
    if (result.realmId !== undefined) res.locals.account = result.realmId;
    if (!result.ok) return oauthError(res, result.error);
    res.setHeader('cache-control', 'no-store');
    res.json(result.body);
  });

  router.post(OAUTH_PATHS.revoke, express.json(), (req, res) => {
    const app = oauth.authenticateClient(req.headers.authorization);
    if (!app) return oauthError(res, 'invalid_client');
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '') return oauthError(res, 'invalid_request');
    oauth.revokeToken(app, token);
    res.status(200).end();
  });

  router.get(OAUTH_PATHS.userInfo, (req, res) => {
    const check = oauth.checkAccessToken(bearerToken(req.headers.authorization));
    if (!check.ok) return void res.status(401).json({ error: 'invalid_token' });
    if (!check.grant.scopes.includes('openid')) return void res.status(403).json({ error: 'insufficient_scope' });
    res.json({
      sub: check.grant.userId,
      email: `owner+${check.grant.realmId}@example.com`,
      emailVerified: true,
      givenName: 'Sim',
      familyName: 'Owner',
    });
  });

  router.get(OAUTH_PATHS.jwks, (_req, res) => {
    res.json(deps.idTokens.jwks());
  });

  // The origin the client used, so the document's URLs work from wherever the simulator is reached.
  router.get([OAUTH_PATHS.discoverySandbox, OAUTH_PATHS.discoveryProduction], (req, res) => {
    res.json(discoveryDocument(`${req.protocol}://${req.get('host') ?? 'localhost'}`, OAUTH_PATHS));
  });

  // A body the parsers cannot read is an OAuth invalid_request, not an API fault.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type === 'entity.parse.failed' && !res.headersSent) return oauthError(res, 'invalid_request');
    next(error);
  });

  return router;
}

/** `{"error":"invalid_grant","error_description":"Token invalid"}` is fixture oauth_error_invalid_grant.json. */
function oauthError(res: Response, error: Exclude<TokenResult, { ok: true }>['error']): void {
  const status = error === 'invalid_client' ? 401 : 400;
  const body = error === 'invalid_grant' ? { error_description: 'Token invalid', error } : { error };
  res.status(status).json(body);
}

function errorPage(res: Response, code: string, message: string): void {
  res
    .status(400)
    .type('html')
    .send(`<!DOCTYPE html><html><head><title>Intuit - Error</title></head><body><h1>Something went wrong</h1><p>${message}</p><p>Error code: ${code}</p></body></html>`);
}

