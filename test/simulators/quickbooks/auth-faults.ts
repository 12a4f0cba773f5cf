/**
 * The bodies QBO answers a bad bearer token with. Real 401s come in three shapes (sources below), and a client
 * must handle all of them, so the simulator can send any (option/control `authFaultStyle`):
 * - 'lowercase' (default): the lower-case JSON of fixture fault_3200_authentication_401.json (routablehq/
 *   python-quickbooks#250), epoch-millisecond `time`, `type: "AUTHENTICATION"`;
 * - 'json': the usual upper-case Fault envelope with code 3200;
 * - 'xml': `<IntuitResponse>` with an AuthenticationFault code 100, as quoted in intuit/oauth-jsclient#135 and
 *   routablehq/python-quickbooks#120 (sent even when JSON was asked for).
 */
import type { Response } from 'express';
import type { SimClock } from '../common/clock';
import type { FaultResponse } from '../common/faults';
import { APPLICATION_AUTHORIZATION_FAILED, authorizationFault, faultBody, lowercaseFaultBody } from './fault';
import type { AccessCheck } from './oauth';
import { qboEnvelopeTime } from './time';

export type AuthFaultStyle = 'lowercase' | 'json' | 'xml';
export const AUTH_FAULT_STYLES: readonly AuthFaultStyle[] = ['lowercase', 'json', 'xml'];

const AUTHENTICATION_FAILED = 'message=AuthenticationFailed; errorCode=003200; statusCode=401';

/** Why the token failed, in words. The malformed text is Intuit's (fixture); the others are the simulator's. */
export function authFailureDetail(reason: Exclude<AccessCheck, { ok: true }>['reason']): string {
  switch (reason) {
    case 'missing':
    case 'malformed':
      return 'Malformed bearer token: too short or too long';
    case 'expired':
      return 'Token expired';
    case 'revoked':
      return 'Token revoked';
    case 'unknown':
      return 'Token invalid';
  }
}

export function authenticationFault(style: AuthFaultStyle, detail: string, clock: SimClock): FaultResponse {
  if (style === 'xml') {
    return {
      status: 401,
      contentType: 'application/xml',
      body:
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
        `<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="${qboEnvelopeTime(clock.nowMs())}">\n` +
        `  <Fault type="AuthenticationFault">\n` +
        `    <Error code="100">\n` +
        `      <Message>General Authentication Error</Message>\n` +
        `      <Detail>AuthenticationErrorGeneral: SRV-110-Authentication Failure , statusCode: 401</Detail>\n` +
        `    </Error>\n` +
        `  </Fault>\n` +
        `</IntuitResponse>`,
    };
  }
  if (style === 'json') {
    return {
      status: 401,
      contentType: 'application/json',
      body: { Fault: { Error: [{ Message: AUTHENTICATION_FAILED, Detail: detail, code: '3200' }], type: 'AUTHENTICATION' }, time: qboEnvelopeTime(clock.nowMs()) },
    };
  }
  return { status: 401, contentType: 'application/json', body: lowercaseFaultBody('AUTHENTICATION', [{ Message: AUTHENTICATION_FAILED, Detail: detail, code: '3200' }], clock) };
}

/**
 * 403 for a token that may not use this company. The lower-case body is QBO's (fault.ts authorizationFault,
 * quoted from frappe/erpnext#29161: `detail: null`, `type: "SERVICE"`); the 'json' and 'xml' styles, which stand
 * for the upper-case front door, get the same error in the usual `{"Fault": ...}` envelope as an AuthorizationFault.
 */
export function authorizationFaultResponse(style: AuthFaultStyle, realmId: string, clock: SimClock): FaultResponse {
  if (style === 'lowercase') return { status: 403, contentType: 'application/json', body: authorizationFault().toBody(clock) };
  const error = { Message: APPLICATION_AUTHORIZATION_FAILED, Detail: `errorCode=003100, statusCode=403, companyId=${realmId}`, code: '3100' };
  return { status: 403, contentType: 'application/json', body: faultBody('AuthorizationFault', [error], clock) };
}

/** Writes a FaultResponse (the same shape the common FaultInjector uses for its default bodies). */
export function sendFaultResponse(res: Response, fault: FaultResponse): void {
  res.status(fault.status);
  for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
  if (fault.contentType) res.type(fault.contentType);
  if (typeof fault.body === 'string' || Buffer.isBuffer(fault.body)) res.send(fault.body);
  else res.json(fault.body);
}
