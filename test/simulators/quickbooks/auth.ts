/**
 * API authentication for `/v3/company/:realmId/...`: the bearer token must be one the OAuth server issued, not
 * expired, not revoked, with the accounting scope, and for THIS company. A bad token answers 401 (in the configured
 * style, auth-faults.ts); a good token for another company (or without the accounting scope) answers 403 with
 * code 3100, "application authorization failed" in Intuit's list of error codes
 * (developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes).
 */
import type { NextFunction, Request, Response } from 'express';
import type { SimClock } from '../common/clock';
import { authenticationFault, authFailureDetail, authorizationFaultResponse, sendFaultResponse, type AuthFaultStyle } from './auth-faults';
import { ACCOUNTING_SCOPE, type QboOAuth } from './oauth';

export interface BearerAuthDeps {
  oauth: QboOAuth;
  clock: SimClock;
  /** Read on every request so the control API can switch it at run time. */
  authFaultStyle(): AuthFaultStyle;
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Mount under a path with a `:realmId` parameter (express mergeParams). */
export function qboBearerAuth(deps: BearerAuthDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const realmId = String(req.params.realmId ?? '');
    const check = deps.oauth.checkAccessToken(bearerToken(req.headers.authorization));
    if (!check.ok) {
      sendFaultResponse(res, authenticationFault(deps.authFaultStyle(), authFailureDetail(check.reason), deps.clock));
      return;
    }
    if (check.grant.realmId !== realmId || !check.grant.scopes.includes(ACCOUNTING_SCOPE)) {
      sendFaultResponse(res, authorizationFaultResponse(deps.authFaultStyle(), realmId, deps.clock));
      return;
    }
    res.locals.account = realmId;
    res.locals.grant = check.grant;
    next();
  };
}
