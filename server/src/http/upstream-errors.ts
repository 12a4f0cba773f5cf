import {
  RefreshFailedError,
  UPSTREAM_NAMES,
  UpstreamError,
  UpstreamFailedError,
  UpstreamRateLimitedError,
  UpstreamUnavailableError,
  type AppError,
} from '../errors';

/**
 * Upstream trouble in words for the person waiting, the same on every route: HubSpot or QuickBooks throttling or
 * unavailable is a 503 (try again, after the wait when it is known), a failure of theirs a 502. Never our 500: the
 * fault is not DealBooks', and the card can say so and offer to try again.
 */
export function fromUpstream(err: unknown): AppError | undefined {
  if (err instanceof RefreshFailedError) {
    return new UpstreamUnavailableError(`DealBooks could not renew its access (${err.message}). Try again in a few minutes.`, {});
  }
  if (!(err instanceof UpstreamError)) return undefined;
  const name = UPSTREAM_NAMES[err.provider];
  const retryAfterSeconds = err.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(err.retryAfterMs / 1000));
  const trace = traceOf(err);
  const options = { provider: err.provider, upstreamStatus: err.status, retryAfterSeconds, trace, cause: err };
  const detail = err.message.replace(/[.\s]+$/, '');
  switch (err.trouble) {
    case 'rate_limited':
      return new UpstreamRateLimitedError(
        `${name} is limiting how fast DealBooks may call it (${detail}). Try again in ${retryAfterSeconds ?? 60} s.`,
        { ...options, retryAfterSeconds: retryAfterSeconds ?? 60 },
      );
    case 'unavailable':
      return new UpstreamUnavailableError(
        `${name} is unavailable right now (${detail}). Try again ${retryAfterSeconds === undefined ? 'in a few minutes' : `in ${retryAfterSeconds} s`}.`,
        options,
      );
    case 'failed': {
      const passing = err.status === undefined || err.status >= 500;
      return new UpstreamFailedError(
        passing ? `${detail}. The fault is on ${name}'s side. Try again in a few minutes.` : `${detail}.`,
        options,
      );
    }
  }
}

/** The id support needs to find the call at Intuit or HubSpot. */
function traceOf(err: UpstreamError): Record<string, string> {
  const trace: Record<string, string> = {};
  const { intuitTid, correlationId } = err as { intuitTid?: unknown; correlationId?: unknown };
  if (typeof intuitTid === 'string') trace.intuitTid = intuitTid;
  if (typeof correlationId === 'string') trace.correlationId = correlationId;
  return trace;
}
