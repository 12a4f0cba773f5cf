/**
 * QBO-shaped bodies for injected faults (the common FaultInjector asks for one per status) and for paths the
 * simulator does not serve. 401 and 429 are what the shell itself sends (auth-faults.ts, limits.ts); 500 is the
 * SystemFault text QBO prints for its own failures; the 503 text is the simulator's (no real sample at hand).
 */
import type { NextFunction, Request, Response } from 'express';
import type { SimClock } from '../common/clock';
import type { FaultResponse } from '../common/faults';
import { authenticationFault, authorizationFaultResponse, sendFaultResponse, type AuthFaultStyle } from './auth-faults';
import { QboFault, faultBody } from './fault';
import { throttleFault } from './limits';

export function qboFaultResponse(status: number, realmId: string, deps: { clock: SimClock; authFaultStyle: AuthFaultStyle }): FaultResponse {
  const { clock } = deps;
  const json = (type: string, error: { Message: string; Detail: string; code: string }): FaultResponse => ({
    status,
    contentType: 'application/json',
    body: faultBody(type, [error], clock),
  });
  switch (status) {
    case 401:
      return authenticationFault(deps.authFaultStyle, 'Token expired', clock);
    case 403:
      return authorizationFaultResponse(deps.authFaultStyle, realmId, clock);
    case 429:
      return throttleFault(clock);
    case 400:
      return json('ValidationFault', { Message: 'A validation error occurred', Detail: 'Injected validation fault', code: '2000' });
    case 503:
      return json('SERVICE', {
        Message: 'Service Unavailable',
        Detail: 'The service is temporarily unavailable. Please try again later.',
        code: '10000',
      });
    default:
      return json('SystemFault', {
        Message: 'An application error has occurred while processing your request',
        Detail:
          'System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again. If the problem persists, contact customer support.',
        code: '10000',
      });
  }
}

/** The JSON 404 for a path no QBO endpoint has (the simulator's wording; QBO's own varies by front door). */
export function notFoundFault(method: string, path: string, clock: SimClock): FaultResponse {
  return {
    status: 404,
    contentType: 'application/json',
    body: faultBody('SystemFault', [{ Message: 'Resource not found', Detail: `No QuickBooks Online endpoint answers ${method} ${path}`, code: '404' }], clock),
  };
}

/**
 * The last error handler: QboFaults as their Fault body; a client error from a body parser (not JSON, too large)
 * as the validation fault QBO gives a malformed request; anything else as a 500 SystemFault.
 */
export function qboErrorHandler(deps: { clock: SimClock; authFaultStyle(): AuthFaultStyle }) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    if (error instanceof QboFault) return void res.status(error.status).json(error.toBody(deps.clock));
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500) {
      const detail = error instanceof Error ? error.message : String(error);
      res.status(400).json(faultBody('ValidationFault', [{ Message: 'Request has invalid or unsupported property', Detail: detail, code: '2010' }], deps.clock));
      return;
    }
    sendFaultResponse(res, qboFaultResponse(500, '', { clock: deps.clock, authFaultStyle: deps.authFaultStyle() }));
  };
}
