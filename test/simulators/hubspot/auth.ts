import type { NextFunction, Request, Response } from 'express';
import { findObjectType, type ObjectTypeName } from './crm/object-types';
import type { HubSpotAccounts } from './crm/store';
import type { TokenStore } from './oauth-tokens';
import { sendHubSpotError } from './server-errors';

/**
 * Authentication and scopes of HubSpot's API (everything but /oauth and /_sim): a live Bearer access token of an
 * installed app. The bodies are HubSpot's as seen in real answers:
 * - no/unknown/revoked token: 401 INVALID_AUTHENTICATION "Authentication credentials not found..."
 *   (HubSpot/hubspot-api-nodejs#148, #432);
 * - expired token: 401 EXPIRED_AUTHENTICATION "The OAuth token used to make this call expired 0 second(s) ago."
 *   with `context: {"expire time": [ISO]}` (airbytehq/airbyte#74726; "5 hour(s)", "19884 day(s)" in ToolJet#17192
 *   and hubspot-api-php#363);
 * - a scope missing: 403 MISSING_SCOPES with `errors[0].context.requiredScopes` and `links.scopes`
 *   (HubSpot/hubspot-api-nodejs#268).
 * On success: res.locals.portalId / account (the portal, for the CRM router and the request log), appId, scopes.
 */
export function apiAuth(deps: { tokens: TokenStore; accounts: HubSpotAccounts }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const check = match?.[1] ? deps.tokens.checkAccess(match[1]) : ({ state: 'invalid' } as const);
    res.setHeader('X-HubSpot-Auth-Failure', '401 Unauthorized');
    if (check.state === 'expired') {
      const ago = agoText(deps.tokens, check.token.expiresAtMs);
      return sendHubSpotError(res, 401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${ago} ago.`, {
        context: { 'expire time': [new Date(check.token.expiresAtMs).toISOString()] },
      });
    }
    if (check.state === 'invalid' || !deps.accounts.get(check.token.portalId)) {
      return sendHubSpotError(
        res,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
    }
    res.removeHeader('X-HubSpot-Auth-Failure');
    res.locals.portalId = check.token.portalId;
    res.locals.account = check.token.portalId;
    res.locals.appId = check.token.appId;
    res.locals.scopes = check.token.scopes;
    next();
  };
}

/** 403 MISSING_SCOPES when the token lacks every scope that would allow the call. Mount after `apiAuth`. */
export function scopeCheck() {
  return (req: Request, res: Response, next: NextFunction) => {
    const anyOf = requiredScopes(req.method, req.path);
    const granted = new Set((res.locals.scopes as string[] | undefined) ?? []);
    if (anyOf.length === 0 || anyOf.some((s) => granted.has(s))) return next();
    sendHubSpotError(
      res,
      403,
      'MISSING_SCOPES',
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
      {
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredScopes: anyOf } }],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
      },
    );
  };
}

/**
 * The scopes that allow a call (any one of them), [] when the simulator does not check. Object scopes follow the
 * type: `crm.objects.deals.read|write`; tasks and notes are covered by the contacts scopes; reads are GETs and the
 * read-only POSTs (batch/read, search).
 */
export function requiredScopes(method: string, path: string): string[] {
  const segments = path.split('/').filter(Boolean);
  const [api, version, kind, typeName, ...rest] = segments;
  const isRead = method === 'GET' || method === 'HEAD' || (method === 'POST' && (rest.join('/') === 'batch/read' || rest.join('/') === 'search'));
  if (api === 'appinstalls') return ['oauth'];
  if (api !== 'crm') return [];
  if (kind === 'owners' || version === 'owners') return ['crm.objects.owners.read'];
  const type = typeName ? findObjectType(typeName) : undefined;
  if (!type) return [];
  const scopeName = objectScopeName(type.name);
  if (kind === 'objects') return [`crm.objects.${scopeName}.${isRead ? 'read' : 'write'}`];
  if (kind === 'properties') {
    return isRead ? [`crm.schemas.${scopeName}.read`, `crm.schemas.${scopeName}.write`, `crm.objects.${scopeName}.read`] : [`crm.schemas.${scopeName}.write`];
  }
  if (kind === 'pipelines') return isRead ? [`crm.objects.${scopeName}.read`, `crm.schemas.${scopeName}.read`] : [`crm.schemas.${scopeName}.write`];
  return [];
}

function objectScopeName(type: ObjectTypeName): string {
  return type === 'tasks' || type === 'notes' ? 'contacts' : type;
}

/** HubSpot words the age in the largest whole unit: "0 second(s)", "5 hour(s)", "19884 day(s)". */
function agoText(tokens: TokenStore, expiredAtMs: number): string {
  const seconds = Math.max(0, Math.floor((tokens.nowMs() - expiredAtMs) / 1000));
  if (seconds < 60) return `${seconds} second(s)`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} minute(s)`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} hour(s)`;
  return `${Math.floor(seconds / 86_400)} day(s)`;
}
