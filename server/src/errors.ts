/**
 * The errors that cross module boundaries, in one place.
 *
 * - One class per HTTP meaning (AppError and its subclasses). Routes and use-cases throw these; the central error
 *   handler turns them into `{"error":{"code","message"}}` with the class's status. Anything else becomes a 500 with
 *   a generic message: the stack trace and the original message go to the log, never to the client.
 * - What a job may throw to change how the queue treats it: PermanentJobError (never retried) and JobMustWaitError
 *   (parked until a person repairs the account, without spending an attempt).
 * - What connections report: a connection a person must repair, a grant the OAuth server declared dead, a refresh
 *   that failed for a reason that may pass.
 *
 * Adapter-specific failures (QuickbooksApiError, HubSpotApiError) stay with their adapters: they carry the upstream
 * details (status, fault code, intuit_tid) that only their callers interpret. Both are UpstreamErrors, so the edge
 * can answer any of them the same way (502/503 with words and a retry hint) without knowing either adapter.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra, client-safe facts (e.g. which fields were invalid). */
  readonly details: unknown;

  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

export class BadRequestError extends AppError {
  readonly status = 400;
  readonly code: string;
  constructor(message: string, options?: { code?: string; cause?: unknown; details?: unknown }) {
    super(message, options);
    this.code = options?.code ?? 'bad_request';
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
}

/** The request is understood but cannot be carried out as things stand (e.g. an invoice with no address to send to). */
export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly code: string;
  constructor(message: string, options?: { code?: string; cause?: unknown; details?: unknown }) {
    super(message, options);
    this.code = options?.code ?? 'unprocessable';
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class RateLimitError extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
  /** Sent as Retry-After: when asking again makes sense. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options?: { details?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** QuickBooks answered, but not with what was asked: the fault is upstream, in words, with Intuit's trace id. */
export class QuickbooksFailedError extends AppError {
  readonly status = 502;
  readonly code = 'quickbooks_failed';
}

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'unavailable';
}

/** A person is waiting (the card) and QuickBooks or HubSpot did not answer within the time the card can wait. */
export class UpstreamSlowError extends AppError {
  readonly status = 503;
  readonly code = 'quickbooks_slow';
}

// ---------------------------------------------------------------------------------------------------------------
// Upstream trouble

export type Upstream = 'quickbooks' | 'hubspot';
export const UPSTREAM_NAMES: Record<Upstream, string> = { quickbooks: 'QuickBooks', hubspot: 'HubSpot' };

/**
 * A call to HubSpot or QuickBooks that failed, as its adapter raises it: `status` is the upstream HTTP status
 * (undefined or 0 when no answer came: timeout, reset, refused), `retryAfterMs` the wait the answer asked for.
 * What it means for a person waiting on a request is `trouble`:
 * - `rate_limited`: the service throttled DealBooks (429); trying again after the wait works;
 * - `unavailable`: no answer, or the service said it is unavailable (503, 504); trying again later may work;
 * - `failed`: the service answered with a failure of its own (500, 502, an answer DealBooks cannot read, a refusal).
 */
export abstract class UpstreamError extends Error {
  abstract readonly provider: Upstream;
  abstract readonly status: number | undefined;
  abstract readonly retryAfterMs: number | undefined;

  get trouble(): 'rate_limited' | 'unavailable' | 'failed' {
    if (this.status === 429) return 'rate_limited';
    if (!this.status || this.status === 503 || this.status === 504) return 'unavailable';
    return 'failed';
  }
}

/**
 * How upstream trouble reaches a person over HTTP: the service's name in the code (`quickbooks_rate_limited`,
 * `hubspot_failed`...), words that say whose fault it is and when to try again, and the wait in seconds when it is
 * known (sent as `Retry-After` too, https://www.rfc-editor.org/rfc/rfc9110#field.retry-after).
 */
export abstract class UpstreamHttpError extends AppError {
  readonly code: string;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    suffix: string,
    message: string,
    options: { provider?: Upstream; upstreamStatus?: number | undefined; retryAfterSeconds?: number | undefined; trace?: Record<string, string>; cause?: unknown },
  ) {
    super(message, {
      cause: options.cause,
      details: {
        provider: options.provider ?? null,
        upstreamStatus: options.upstreamStatus || null,
        ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
        ...options.trace,
      },
    });
    this.code = `${options.provider ?? 'upstream'}_${suffix}`;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** HubSpot or QuickBooks is throttling DealBooks: 503 with the wait (a 429 of ours would blame the caller). */
export class UpstreamRateLimitedError extends UpstreamHttpError {
  readonly status = 503;
  constructor(message: string, options: ConstructorParameters<typeof UpstreamHttpError>[2]) {
    super('rate_limited', message, options);
  }
}

/** HubSpot or QuickBooks did not answer, or said it is unavailable. */
export class UpstreamUnavailableError extends UpstreamHttpError {
  readonly status = 503;
  constructor(message: string, options: ConstructorParameters<typeof UpstreamHttpError>[2]) {
    super('unavailable', message, options);
  }
}

/** HubSpot or QuickBooks answered with a failure of its own (a bad gateway, from the caller's side). */
export class UpstreamFailedError extends UpstreamHttpError {
  readonly status = 502;
  constructor(message: string, options: ConstructorParameters<typeof UpstreamHttpError>[2]) {
    super('failed', message, options);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs

/** A job that must not be retried (its input can never work); it goes straight to the dead letters. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/**
 * The job cannot run until a person acts for one account (reconnect QuickBooks, reinstall in HubSpot). It is neither
 * failed nor retried: it waits, without spending an attempt, until the queue's `wake(portalId)` (called on reconnect),
 * and is looked at again on a slow schedule in case the account was repaired some other way.
 */
export class JobMustWaitError extends Error {
  constructor(
    message: string,
    readonly portalId: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JobMustWaitError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Connections

/**
 * A connection a person must repair: QuickBooks not connected or needing a reconnect, DealBooks uninstalled from
 * HubSpot. Work that needs it waits (it is a JobMustWaitError); a request answers 409 with these words and a code
 * the card can act on (`quickbooks_needs_reconnect`, `quickbooks_not_connected`, `hubspot_uninstalled`).
 */
export type BlockedState = 'not_connected' | 'needs_reconnect' | 'uninstalled';

export class ConnectionBlockedError extends JobMustWaitError {
  constructor(
    readonly provider: 'quickbooks' | 'hubspot',
    readonly state: BlockedState,
    portalId: number,
    options?: { cause?: unknown },
  ) {
    super(blockedMessage(provider, state), portalId, options);
    this.name = 'ConnectionBlockedError';
  }
}

export function blockedMessage(provider: 'quickbooks' | 'hubspot', state: BlockedState): string {
  if (provider === 'quickbooks') {
    return state === 'not_connected'
      ? 'QuickBooks is not connected. Connect QuickBooks in the DealBooks settings.'
      : 'QuickBooks needs to be reconnected: the connection was revoked or expired. Reconnect QuickBooks in the DealBooks settings.';
  }
  return 'DealBooks is no longer installed in this HubSpot account (or its access was revoked). Install DealBooks again from the HubSpot marketplace.';
}

/** How a blocked connection reaches a person over HTTP: 409, the words to fix it, and a code the card acts on. */
export class ConnectionNeedsPersonError extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(blocked: ConnectionBlockedError) {
    super(blocked.message, { details: { provider: blocked.provider, state: blocked.state } });
    this.code = `${blocked.provider}_${blocked.state}`;
  }
}

/** The OAuth server said the grant is dead (invalid_grant): only a person can fix it. */
export class GrantRevokedError extends Error {
  override name = 'GrantRevokedError';
}

/** A refresh that failed for a reason that may pass (network, 5xx, throttling): retried later, the grant kept. */
export class RefreshFailedError extends Error {
  override name = 'RefreshFailedError';
}
