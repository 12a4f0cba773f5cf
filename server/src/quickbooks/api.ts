import { UpstreamError } from '../errors';
import type { Logger } from '../logger';
import { isRetryable, networkFailureOf, outcomeUnknown, retryAfterMs, type NetworkFailure } from './retry';

/**
 * The thin QuickBooks Online API layer: the account's token (refreshed as needed) or one the caller holds (GetOptions),
 * `minorversion`, JSON, a timeout, `intuit_tid` on every result and error, and one retry after a 401 with a newer
 * stored token. It uses fetch rather than intuit-oauth's makeApiCall, which keeps only the first JSON fault shape and
 * drops the lower-case and XML faults QBO also returns (fault shapes:
 * https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes, and
 * test/fixtures/quickbooks/fault_*.json).
 *
 * It does not retry anything else: whether and when to try again is the caller's decision, made from the error's
 * `retryable`, `outcomeUnknown` and `retryAfterMs` (retry.ts). It does keep this process under QBO's limit of 10
 * concurrent requests per company and app, so one busy account cannot earn itself 429s; a request waiting for a
 * slot still honours its AbortSignal. A caller's own abort rejects with the signal's reason, as fetch does; every
 * other failure is a QuickbooksApiError (status 0 when no answer came back).
 *
 * Longer than most files on purpose: the error class, fault parsing, the per-company gate and the client are one
 * unit that every QBO call goes through, and its tests (test/quickbooks-adapter/) read them from here.
 */
export const MINOR_VERSION = '75';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONCURRENT_PER_REALM = 10;
/** QBO takes a requestid of at most 50 characters, unique per company. */
export const MAX_REQUEST_ID_LENGTH = 50;

export interface QuickbooksApiErrorDetails {
  method?: string;
  /** Fault `type`: ValidationFault, SystemFault, AuthenticationFault, AuthorizationFault, SERVICE. */
  faultType?: string;
  /** The first error's Detail (for the sync log; the message already has its Message). */
  detail?: string;
  retryAfterMs?: number;
  /** Set when no HTTP answer came back (status 0). */
  network?: NetworkFailure;
  cause?: unknown;
}

export class QuickbooksApiError extends UpstreamError {
  override name = 'QuickbooksApiError';
  readonly provider = 'quickbooks' as const;
  readonly method: string | undefined;
  readonly faultType: string | undefined;
  readonly detail: string | undefined;
  readonly network: NetworkFailure | undefined;
  /** How long to wait before trying again, when the answer said (a 429: 60 s unless Retry-After says otherwise). */
  readonly retryAfterMs: number | undefined;
  /** Trying the same call again later may succeed (retry.ts isRetryable). */
  readonly retryable: boolean;
  /** The write may have been carried out: look for its result before writing again (retry.ts outcomeUnknown). */
  readonly outcomeUnknown: boolean;

  constructor(
    message: string,
    /** HTTP status; 0 when QuickBooks did not answer (timeout, connection reset or refused). */
    readonly status: number,
    readonly code: string | undefined,
    readonly intuitTid: string | undefined,
    details: QuickbooksApiErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.method = details.method;
    this.faultType = details.faultType;
    this.detail = details.detail;
    this.network = details.network;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = isRetryable(this);
    this.outcomeUnknown = outcomeUnknown(this);
  }
}

export interface QuickbooksResponse<T> {
  status: number;
  json: T;
  intuitTid: string | undefined;
}

/** A usable access token for an account's QBO company. */
export interface AccessToken {
  token: string;
  realmId: string;
  connectionId: number;
  /** Pass back as `newerThan` after a 401 with this token. */
  version: number;
}

/** Where the API layer gets an account's token and connection (connections/quickbooks-connections.ts). */
export interface QuickbooksTokenSource {
  live(portalId: number): Promise<{ environment: 'sandbox' | 'production' } | undefined>;
  /** `newerThan`: the version of a token QBO just refused; the answer is a newer one. */
  accessToken(portalId: number, options?: { newerThan?: number }): Promise<AccessToken>;
}

export interface QuickbooksApiDeps {
  apiBaseUrl: string;
  connections: QuickbooksTokenSource;
  logger: Logger;
  timeoutMs?: number;
  /** Requests in flight at once per QBO company from this process (default 10, QBO's own limit). */
  maxConcurrentPerRealm?: number;
  /**
   * Told of every HTTP exchange with QuickBooks (each try of a 401 retry too): the status it answered (undefined when
   * no answer came) and how long it took, waiting for the company's slot not included. Must not throw.
   */
  onCall?: (call: { status: number | undefined; seconds: number }) => void;
}

export interface PostOptions {
  /**
   * QBO's idempotency key (`?requestid=`, at most 50 characters): a repeat with the same id replays the first answer
   * instead of writing twice. This client sends it as given and never retries on its own; reusing the same id on
   * every retry of one logical write (and storing it before the first try) is the caller's job.
   */
  requestId?: string;
  query?: Record<string, string>;
  signal?: AbortSignal;
  /** Default `application/json`; `/invoice/{id}/send` wants `application/octet-stream`. */
  contentType?: string;
}

/** An access token the caller holds itself, for a company whose connection is not stored (yet). */
export interface ExplicitToken {
  accessToken: string;
  realmId: string;
}

export interface GetOptions {
  /**
   * Use this token instead of the account's stored one: the connect flow reads the company with the grant it just
   * received, before deciding to keep it. A 401 is then an answer like any other (there is no newer token to ask for).
   */
  token?: ExplicitToken;
}

interface Fault {
  code: string | undefined;
  message: string | undefined;
  type?: string | undefined;
  detail?: string | undefined;
}

/** The first error of any QBO fault shape: `Fault.Error[]`, `fault.error[]`, or XML `<Error code=..><Message>`. */
export function parseFault(body: string): Fault {
  try {
    const json = JSON.parse(body) as Record<string, any>;
    const fault = json.Fault ?? json.fault;
    const first = (fault?.Error ?? fault?.error)?.[0];
    if (first) {
      return {
        code: first.code !== undefined && first.code !== null ? String(first.code) : undefined,
        message: first.Message ?? first.message ?? first.Detail ?? first.detail ?? undefined,
        type: typeof fault.type === 'string' ? fault.type : undefined,
        detail: first.Detail ?? first.detail ?? undefined,
      };
    }
    if (typeof json.error === 'string') return { code: json.error, message: json.error_description };
  } catch {
    // QBO answers a 429 (and one style of 401) in XML even when JSON was asked for.
    const code = /<Error[^>]*\bcode="([^"]+)"/.exec(body)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
    const detail = /<Detail>([^<]*)<\/Detail>/.exec(body)?.[1];
    const type = /<Fault[^>]*\btype="([^"]+)"/.exec(body)?.[1];
    if (code || message) return { code, message, type, detail };
  }
  return { code: undefined, message: undefined };
}

/**
 * At most `limit` holders per key at once; the others wait in arrival order. A waiter whose signal aborts leaves the
 * queue at once with the signal's reason, taking no slot.
 */
export class KeyedGate {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<{ grant: () => void }>>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit must be a positive integer, not ${limit}`);
  }

  /** Resolves with a release function once a slot is free. */
  acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const release = this.releaser(key);
    const active = this.active.get(key) ?? 0;
    if (active < this.limit) {
      this.active.set(key, active + 1);
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(key) ?? [];
      this.waiting.set(key, queue);
      const onAbort = () => {
        const index = queue.indexOf(entry);
        if (index >= 0) queue.splice(index, 1);
        if (queue.length === 0 && this.waiting.get(key) === queue) this.waiting.delete(key);
        reject(signal?.reason);
      };
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      queue.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Holders and waiters of a key right now. */
  stats(key: string): { active: number; queued: number } {
    return { active: this.active.get(key) ?? 0, queued: this.waiting.get(key)?.length ?? 0 };
  }

  private releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.waiting.get(key);
      const next = queue?.shift();
      if (queue && queue.length === 0) this.waiting.delete(key);
      // The slot passes straight to the next waiter; the count only drops when nobody waits.
      if (next) next.grant();
      else {
        const active = (this.active.get(key) ?? 1) - 1;
        if (active <= 0) this.active.delete(key);
        else this.active.set(key, active);
      }
    };
  }
}

interface Exchange {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
  contentType?: string;
  token?: ExplicitToken;
}

function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

export class QuickbooksApi {
  private readonly gate: KeyedGate;
  private readonly timeoutMs: number;

  constructor(private readonly deps: QuickbooksApiDeps) {
    this.gate = new KeyedGate(deps.maxConcurrentPerRealm ?? DEFAULT_MAX_CONCURRENT_PER_REALM);
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get<T = Record<string, any>>(
    portalId: number,
    path: string,
    query: Record<string, string> = {},
    signal?: AbortSignal,
    options: GetOptions = {},
  ): Promise<QuickbooksResponse<T>> {
    return this.call<T>(portalId, 'GET', path, { query, signal, token: options.token });
  }

  post<T = Record<string, any>>(portalId: number, path: string, body: unknown, options: PostOptions = {}): Promise<QuickbooksResponse<T>> {
    const query = { ...options.query };
    if (options.requestId !== undefined) {
      if (options.requestId.length === 0 || options.requestId.length > MAX_REQUEST_ID_LENGTH) {
        return Promise.reject(new Error(`a QuickBooks requestid must be 1 to ${MAX_REQUEST_ID_LENGTH} characters, got ${options.requestId.length}`));
      }
      query.requestid = options.requestId;
    }
    return this.call<T>(portalId, 'POST', path, { query, body, signal: options.signal, contentType: options.contentType });
  }

  request<T>(portalId: number, method: string, path: string, query: Record<string, string>, body: unknown, signal?: AbortSignal): Promise<QuickbooksResponse<T>> {
    return this.call<T>(portalId, method, path, { query, body, signal });
  }

  /** The environment of the account's live connection (QBO web links differ between sandbox and production). */
  async environment(portalId: number): Promise<'sandbox' | 'production' | undefined> {
    return (await this.deps.connections.live(portalId))?.environment;
  }

  /** Requests of one company in flight from this process, and waiting for a slot. */
  concurrency(realmId: string): { active: number; queued: number } {
    return this.gate.stats(realmId);
  }

  private async call<T>(portalId: number, method: string, path: string, options: CallOptions): Promise<QuickbooksResponse<T>> {
    const stored = options.token ? undefined : await this.deps.connections.accessToken(portalId);
    const realmId = options.token?.realmId ?? stored!.realmId;
    const context = { portalId, realmId, method, path };
    let response = await this.exchange(options.token?.accessToken ?? stored!.token, realmId, method, path, options, context);
    if (response.status === 401 && stored) {
      // Once: a token QBO refuses is replaced by a newer one (refreshed here, or already by another process).
      this.deps.logger.info({ ...context, intuitTid: response.headers.get('intuit_tid') ?? undefined }, 'QuickBooks answered 401; retrying once with a refreshed token');
      const newer = await this.deps.connections.accessToken(portalId, { newerThan: stored.version });
      response = await this.exchange(newer.token, newer.realmId, method, path, options, context);
    }
    const intuitTid = response.headers.get('intuit_tid') ?? undefined;
    if (!response.ok) {
      const fault = parseFault(response.text);
      throw this.failed(
        context,
        new QuickbooksApiError(
          `QuickBooks answered ${response.status}${fault.code ? ` (code ${fault.code})` : ''}${fault.message ? `: ${fault.message}` : ''}`,
          response.status,
          fault.code,
          intuitTid,
          { method, faultType: fault.type, detail: fault.detail, retryAfterMs: retryAfterMs(response.status, response.headers.get('retry-after')) },
        ),
      );
    }
    let json: T;
    try {
      json = JSON.parse(response.text) as T;
    } catch {
      throw this.failed(context, new QuickbooksApiError('QuickBooks answered with a body that is not JSON', response.status, undefined, intuitTid, { method }));
    }
    return { status: response.status, json, intuitTid };
  }

  /** One HTTP exchange, body read included, inside the company's concurrency slot and the timeout. */
  private async exchange(
    accessToken: string,
    realmId: string,
    method: string,
    path: string,
    options: CallOptions,
    context: Record<string, unknown>,
  ): Promise<Exchange> {
    const release = await this.gate.acquire(realmId, options.signal);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const startedAt = performance.now();
    let status: number | undefined;
    try {
      const url = new URL(`${this.deps.apiBaseUrl}/v3/company/${encodeURIComponent(realmId)}${path}`);
      url.searchParams.set('minorversion', MINOR_VERSION);
      for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
      const hasBody = options.body !== undefined;
      const contentType = options.contentType ?? (hasBody ? 'application/json' : undefined);
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...(contentType ? { 'content-type': contentType } : {}) },
        body: !hasBody ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      status = response.status;
      const text = await response.text();
      return { status: response.status, ok: response.ok, headers: response.headers, text };
    } catch (err) {
      // The caller's own abort is theirs to handle, as with any fetch.
      if (options.signal?.aborted && !timeout.aborted) throw err;
      const network: NetworkFailure = timeout.aborted ? 'timeout' : (networkFailureOf(err) ?? 'other');
      const message =
        network === 'timeout'
          ? `QuickBooks did not answer in ${secondsText(this.timeoutMs)}`
          : network === 'reset'
            ? 'the connection to QuickBooks was reset'
            : network === 'refused'
              ? 'QuickBooks could not be reached (the connection was refused)'
              : 'the connection to QuickBooks failed';
      throw this.failed(context, new QuickbooksApiError(message, 0, undefined, undefined, { method, network, cause: err }));
    } finally {
      this.deps.onCall?.({ status, seconds: (performance.now() - startedAt) / 1000 });
      release();
    }
  }

  /** Every failure is logged with what support needs to find it at Intuit (intuit_tid), never the token. */
  private failed(context: Record<string, unknown>, error: QuickbooksApiError): QuickbooksApiError {
    this.deps.logger.warn(
      {
        ...context,
        intuitTid: error.intuitTid,
        status: error.status,
        code: error.code,
        faultType: error.faultType,
        network: error.network,
        retryable: error.retryable,
        outcomeUnknown: error.outcomeUnknown,
      },
      `QuickBooks call failed: ${error.message}`,
    );
    return error;
  }
}
