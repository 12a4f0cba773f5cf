/**
 * What a failed QuickBooks call means for the caller, decided in one pure place (engineering.md: "a pure,
 * unit-tested isRetryable(error) decides retries"):
 * - `isRetryable`: trying the same call again later may succeed (429, 5xx, no answer, a dropped connection).
 *   A validation fault (400: 6000, 6240, 6140, 2020, 610, 5010 ...) fails the same way every time; a 401 is final
 *   because QuickbooksApi has already retried it once with a newer token; a 403 is final (3100: the app may not
 *   reach this company).
 * - `outcomeUnknown`: the request may have been carried out although no success came back (a write that timed out,
 *   lost its connection, or got a 5xx). The caller must look for the result before writing again, and must reuse
 *   the same `requestid` if it writes again.
 * - `retryAfterMs`: how long to wait; Intuit advises 60 s after a 429 and sends no Retry-After that anyone
 *   has seen, so a header wins only when present.
 * Pure: no I/O, no imports of runtime code, so the same rules can run in the engine, the jobs and the tests.
 */

/** How a call failed when no HTTP answer came back. */
export type NetworkFailure = 'timeout' | 'reset' | 'refused' | 'other';

/** The facts about a failure that the rules read (QuickbooksApiError has all of them). */
export interface FailureFacts {
  /** HTTP status; 0 when no answer came back. */
  status: number;
  code?: string | undefined;
  method?: string | undefined;
  network?: NetworkFailure | undefined;
}

export const THROTTLE_WAIT_MS = 60_000;

/** Node's and undici's error codes for a connection that broke after the request may have been sent. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_CLOSED']);
/** The request never left: nothing can have been written. */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Classifies an error thrown by fetch (or by reading its body): undici hides the socket error in `cause`. */
export function networkFailureOf(error: unknown): NetworkFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; code?: unknown; cause?: unknown };
  if (e.name === 'TimeoutError') return 'timeout';
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && TIMEOUT_CODES.has(code)) return 'timeout';
  if (code && RESET_CODES.has(code)) return 'reset';
  if (code && REFUSED_CODES.has(code)) return 'refused';
  if (e.cause !== undefined && e.cause !== error) {
    const inner = networkFailureOf(e.cause);
    if (inner) return inner;
  }
  // fetch's own wrapper: a TypeError "fetch failed" whose cause said nothing we know.
  if (e.name === 'TypeError' && typeof (error as Error).message === 'string' && /fetch failed|terminated/i.test((error as Error).message)) return 'other';
  return undefined;
}

function factsOf(error: unknown): FailureFacts | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Partial<FailureFacts> & { name?: unknown };
  if (typeof e.status === 'number' && (e.name === 'QuickbooksApiError' || e.network !== undefined || e.status > 0)) {
    return { status: e.status, code: e.code, method: e.method, network: e.network };
  }
  const network = networkFailureOf(error);
  return network ? { status: 0, network } : undefined;
}

export function isRetryable(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const name = (error as { name?: unknown }).name;
    // A token refresh that failed for a passing reason is tried again; a connection a person must repair is not.
    if (name === 'RefreshFailedError') return true;
    if (name === 'ConnectionBlockedError' || name === 'AbortError') return false;
  }
  const facts = factsOf(error);
  if (!facts) return false;
  if (facts.status === 0) return facts.network !== undefined;
  return facts.status === 429 || facts.status >= 500;
}

export function outcomeUnknown(error: unknown): boolean {
  const facts = factsOf(error);
  if (!facts) return false;
  // A read changes nothing, whatever happened to it. Without a method, assume the worst.
  const write = facts.method === undefined || WRITE_METHODS.has(facts.method.toUpperCase());
  if (!write) return false;
  if (facts.status === 0) return facts.network === 'timeout' || facts.network === 'reset' || facts.network === 'other';
  return facts.status >= 500;
}

/**
 * The wait a throttled (or unavailable) answer asks for: a Retry-After header in seconds or as an HTTP date, else
 * 60 s for a 429; undefined when the answer says nothing about waiting.
 */
export function retryAfterMs(status: number, retryAfterHeader: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const header = retryAfterHeader?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) return Math.round(Number(header) * 1000);
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  return status === 429 ? THROTTLE_WAIT_MS : undefined;
}
