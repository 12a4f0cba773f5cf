import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import type { ChangeOrigin } from './account';
import { integrationSourceId, type HubSpotFidelity } from './lifecycle-fidelity';
import { CrmError, hubspotError } from './errors';
import type { HubSpotAccount, HubSpotAccounts } from './store';

/** The portal the shell authenticated (`res.locals.portalId`), or HubSpot's 401 when there is none. */
export function accountOf(accounts: HubSpotAccounts, res: Response): HubSpotAccount {
  const portalId = Number(res.locals.portalId);
  const account = Number.isInteger(portalId) ? accounts.get(portalId) : undefined;
  if (!account) {
    throw new CrmError(401, 'INVALID_AUTHENTICATION', `Authentication credentials not found: no HubSpot portal ${String(res.locals.portalId)} in the simulator`);
  }
  return account;
}

/**
 * Who API writes come from. A write with an app's OAuth token (the shell sets `res.locals.appId`) is reported as
 * HubSpot reports an integration's own changes: `changeSource: "INTEGRATION"` with the app as `sourceId` (format:
 * fidelity `integrationSourceId`, see lifecycle-fidelity.ts for the captured deliveries it follows), so an app can recognise
 * its own echo. Without a known app (the CRM tests' bare router), `API` without a sourceId.
 */
export function apiOrigin(res: Response, fidelity: HubSpotFidelity): ChangeOrigin {
  const appId: unknown = res.locals.appId;
  if (appId === undefined || appId === null) return { changeSource: 'API' };
  return { changeSource: 'INTEGRATION', sourceId: integrationSourceId(fidelity, String(appId)) };
}

/** A single query parameter as text (express 5 may give arrays for repeated keys). */
export function queryText(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}

export function queryBool(req: Request, name: string): boolean {
  return queryText(req, name) === 'true';
}

/** Express route parameters are always present on matched routes; this keeps noUncheckedIndexedAccess honest. */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new Error(`route parameter ${name} missing`);
  return value;
}

/** Turns CrmError (and malformed JSON) into HubSpot's error body; anything else is a simulator bug (500). */
export const crmErrorHandler: ErrorRequestHandler = (err: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (res.headersSent) return next(err);
  if (err instanceof CrmError) return sendError(res, err.httpStatus, err.body());
  const parseFailure = (err as { type?: string } | null)?.type === 'entity.parse.failed';
  if (parseFailure) return sendError(res, 400, hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: the request body is not valid JSON'));
  next(err);
};

/**
 * HubSpot repeats an error's correlationId in the `X-HubSpot-Correlation-Id` header (the shell's errors do the
 * same, server-errors.ts), so a client can log it from the headers alone whichever part of the API failed.
 */
function sendError(res: Response, status: number, body: object): void {
  const correlationId = (body as { correlationId?: unknown }).correlationId;
  if (typeof correlationId === 'string') res.setHeader('X-HubSpot-Correlation-Id', correlationId);
  res.status(status).json(body);
}
