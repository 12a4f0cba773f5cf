import type { Request, RequestHandler, Response } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../clock';
import { requireAdmin } from '../connections/account-admins';
import { portalInstalled } from '../db/portals';
import { recordSignature } from '../db/seen-signatures';
import { BadRequestError, ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../errors';
import { HUBSPOT_SIGNATURE_WINDOW_MS, verifyHubSpotV3, type SignatureCheck } from '../security/hubspot-signature';
import { canonicalIdNumber } from '../sync/ids';

/**
 * Authentication of requests HubSpot signs for DealBooks: the deal card's and settings page's `hubspot.fetch`
 * calls (every `/api/*` route) and HubSpot's webhooks. Only v3 signatures are accepted. The account a request acts
 * for is read from its signed query and nowhere else, so a request signed for one account cannot reach another's.
 */

/** The HubSpot account and user a signed request speaks for. */
export interface SignedAccount {
  portalId: number;
  userId?: number;
  userEmail?: string;
}

/** The sandbox's demo HubSpot account (DEMO_PORTAL_ID in test/simulators/hubspot/apps.ts). */
const SANDBOX_DEMO_PORTAL_ID = 62_515_001;

const LEGACY_ONLY_MESSAGE = 'v1/v2 signatures cannot be checked for freshness; DealBooks requires v3';

const REFUSALS: Record<Exclude<SignatureCheck, { ok: true }>['reason'], string> = {
  missing_signature: 'missing HubSpot signature (X-HubSpot-Signature-v3)',
  bad_timestamp: 'missing or malformed X-HubSpot-Request-Timestamp',
  expired: 'request timestamp is outside the 5-minute window (stale or future-dated)',
  mismatch: 'invalid HubSpot signature',
};

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export interface VerifiedHubSpotRequest {
  signature: string;
  timestampMs: number;
}

/**
 * Checks a request's v3 signature over PUBLIC_BASE_URL + the path and query it arrived on, and the raw body.
 * Throws UnauthorizedError with the reason in words; ServiceUnavailableError when no client secret is configured
 * (a deployment fault: the sender should retry later rather than be told its request is forged).
 */
export function verifyHubSpotRequest(
  req: Request,
  options: { clientSecret: string | undefined; publicBaseUrl: string; rawBody: Buffer; nowMs: number; windowMs?: number; unsignedHint?: string },
): VerifiedHubSpotRequest {
  if (!options.clientSecret) throw new ServiceUnavailableError('HubSpot requests cannot be verified: HUBSPOT_CLIENT_SECRET is not configured.');
  const signature = header(req, 'x-hubspot-signature-v3');
  const timestamp = header(req, 'x-hubspot-request-timestamp');
  if (!signature && header(req, 'x-hubspot-signature')) throw new UnauthorizedError(LEGACY_ONLY_MESSAGE);
  const check = verifyHubSpotV3({
    clientSecret: options.clientSecret,
    method: req.method,
    url: `${options.publicBaseUrl}${req.originalUrl}`,
    rawBody: options.rawBody,
    signature,
    timestamp,
    nowMs: options.nowMs,
    maxAgeMs: options.windowMs ?? HUBSPOT_SIGNATURE_WINDOW_MS,
  });
  if (!check.ok) {
    const hint = check.reason === 'missing_signature' && options.unsignedHint ? `. ${options.unsignedHint}` : '';
    throw new UnauthorizedError(`${REFUSALS[check.reason]}${hint}`, { details: { reason: check.reason } });
  }
  return { signature: signature!, timestampMs: Number(timestamp) };
}

const positiveId = canonicalIdNumber;

const signedQuerySchema = z.object({
  portalId: positiveId,
  userId: positiveId.optional(),
  userEmail: z.string().min(1).max(320).optional(),
});

/** The account parameters of the signed query. A parameter given twice is refused: which one was meant? */
function accountFromSignedQuery(originalUrl: string): SignedAccount {
  const q = originalUrl.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : originalUrl.slice(q + 1));
  const fields: Record<string, string> = {};
  for (const name of ['portalId', 'userId', 'userEmail'] as const) {
    const values = params.getAll(name);
    if (values.length > 1) throw new BadRequestError(`The signed request names ${name} more than once.`, { code: 'ambiguous_account' });
    if (values[0] !== undefined && values[0] !== '') fields[name] = values[0];
  }
  if (fields.portalId === undefined) {
    throw new BadRequestError('The signed request does not name a HubSpot account (portalId is missing from its query).', { code: 'missing_portal' });
  }
  const parsed = signedQuerySchema.safeParse(fields);
  if (!parsed.success) {
    throw new BadRequestError('The signed request names its account or user in an unexpected form.', {
      code: 'invalid_account',
      details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const account: SignedAccount = { portalId: parsed.data.portalId };
  if (parsed.data.userId !== undefined) account.userId = parsed.data.userId;
  if (parsed.data.userEmail !== undefined) account.userEmail = parsed.data.userEmail;
  return account;
}

export interface HubSpotAuthDeps {
  clientSecret: string | undefined;
  publicBaseUrl: string;
  clock: Clock;
  pool: pg.Pool;
  windowMs?: number;
  /**
   * Sandbox only: the HubSpot simulator's address. Nobody can sign a card request by hand, so an unsigned one is
   * answered with how to have the simulator sign it, as HubSpot signs the card's.
   */
  sandboxHubSpotUrl?: string;
}

/** Middleware for every `/api/*` route: signature, freshness, no replay, an installed account. */
export function requireHubSpotSignature(deps: HubSpotAuthDeps): RequestHandler {
  const windowMs = deps.windowMs ?? HUBSPOT_SIGNATURE_WINDOW_MS;
  return async (req, res, next) => {
    const verified = verifyHubSpotRequest(req, {
      clientSecret: deps.clientSecret,
      publicBaseUrl: deps.publicBaseUrl,
      rawBody: req.rawBody ?? Buffer.alloc(0),
      nowMs: deps.clock.now().getTime(),
      windowMs,
      unsignedHint: deps.sandboxHubSpotUrl
        ? `In the sandbox, have the HubSpot simulator sign it as HubSpot signs the deal card's requests: curl -X POST ${deps.sandboxHubSpotUrl}/_sim/card-requests -H 'content-type: application/json' -d '${JSON.stringify({ portalId: SANDBOX_DEMO_PORTAL_ID, method: req.method, url: req.originalUrl.split('?')[0] })}' (test/simulators/README.md, section 7)`
        : undefined,
    });
    // Only after the signature verified: an attacker cannot fill the table. Kept until the signature would be
    // stale anyway (its timestamp plus the window, which also covers a timestamp up to the window ahead of us).
    const firstSeen = await recordSignature(deps.pool, verified.signature, new Date(verified.timestampMs + windowMs));
    if (!firstSeen) throw new UnauthorizedError('replayed request');

    const account = accountFromSignedQuery(req.originalUrl);
    if (!(await portalInstalled(deps.pool, account.portalId))) {
      throw new ForbiddenError(`DealBooks is not installed in HubSpot account ${account.portalId}; install it from the HubSpot marketplace`);
    }
    res.locals.account = account;
    next();
  };
}

/** The account of a request that passed requireHubSpotSignature. */
export function signedAccount(res: Response): SignedAccount {
  const account = res.locals.account as SignedAccount | undefined;
  if (!account) throw new Error('signedAccount() called on a route that is not behind requireHubSpotSignature');
  return account;
}

/**
 * For routes that change what DealBooks does in the account: only its DealBooks admins pass (after
 * requireHubSpotSignature). `what` completes "Only DealBooks admins can ..." in the 403's words.
 */
export function adminOnly(pool: pg.Pool, what: string): RequestHandler {
  return async (_req, res, next) => {
    await requireAdmin(pool, signedAccount(res), what);
    next();
  };
}
