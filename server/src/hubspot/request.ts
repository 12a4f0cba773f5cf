import type { Client } from '@hubspot/api-client';
import type { z } from 'zod';
import { UpstreamError } from '../errors';
import { withDeadline } from '../lib/deadline';
import { errorBodySchema } from './deal-schemas';

/**
 * One HubSpot API call for an account, the way every DealBooks read and write goes: through the account's HubSpotClients
 * (a fresh token, one retry after a 401), bounded by a deadline, with the answer parsed by a zod schema and every
 * failure turned into a HubSpotApiError that says what DealBooks was doing.
 */
export const DEFAULT_HUBSPOT_TIMEOUT_MS = 20_000;

/**
 * A HubSpot call that failed. `status` is HubSpot's HTTP status (undefined when no answer came: timeout, reset),
 * so callers can retry 429 and 5xx; `code` mirrors it because HubSpotClients.call retries once on `code === 401`.
 * `retryAfterMs`: the wait a 429 asks for (hubspotRetryAfterMs).
 */
export class HubSpotApiError extends UpstreamError {
  override name = 'HubSpotApiError';
  readonly provider = 'hubspot' as const;
  readonly code: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly correlationId: string | undefined,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = status;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * How long a throttled HubSpot call should wait. HubSpot's 429 names the limit it hit
 * (https://developers.hubspot.com/docs/api/usage-details#rate-limits): the ten-secondly rolling window
 * (`policyName: TEN_SECONDLY_ROLLING`) frees up within 10 s, the search API's per-second limit ("secondly limit",
 * no policy name) within 1 s. A Retry-After header, should HubSpot send one, wins.
 */
export function hubspotRetryAfterMs(status: number, retryAfter: string | null, body: { policyName?: string | undefined; message?: string | undefined }): number | undefined {
  if (status !== 429) return undefined;
  const header = retryAfter?.trim();
  if (header && /^\d+(\.\d+)?$/.test(header)) return Math.round(Number(header) * 1000);
  if (body.policyName === 'TEN_SECONDLY_ROLLING') return 10_000;
  if (!body.policyName && /secondly limit/i.test(body.message ?? '')) return 1_000;
  return 10_000;
}

export interface HubSpotRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  qs?: Record<string, string>;
  body?: unknown;
  /** What DealBooks was doing, for the error message: "reading deal 123". */
  what: string;
}

/**
 * Where an account's HubSpot client comes from (connections/hubspot-installs.ts): `call` runs HubSpot calls with a
 * fresh token and runs them once more with a newer one when HubSpot answers 401.
 */
export interface HubSpotClients {
  call<T>(portalId: number, work: (client: Client) => Promise<T>): Promise<T>;
}

/**
 * Told of every HTTP request to HubSpot's API (each try of a 401 retry too): the status it answered (undefined when no
 * answer came) and how long it took. Must not throw.
 */
export type HubSpotCallObserver = (call: { status: number | undefined; seconds: number }) => void;

export class HubSpotRequester {
  constructor(
    /** Only `call` is used, so a test can hand in a client for a simulator app with other scopes. */
    private readonly installs: HubSpotClients,
    private readonly timeoutMs: number = DEFAULT_HUBSPOT_TIMEOUT_MS,
    private readonly onCall?: HubSpotCallObserver,
  ) {}

  request<S extends z.ZodType>(portalId: number, request: HubSpotRequest, schema: S): Promise<z.output<S>>;
  request<S extends z.ZodType>(portalId: number, request: HubSpotRequest, schema: S, options: { notFound: 'null' }): Promise<z.output<S> | null>;
  async request<S extends z.ZodType>(portalId: number, request: HubSpotRequest, schema: S, options?: { notFound: 'null' }): Promise<z.output<S> | null> {
    return this.installs.call(portalId, async (client) => {
      const response = await this.send(client, request);
      const body = await response.text();
      if (response.status === 404 && options?.notFound === 'null') return null;
      if (!response.ok) throw answeredError(request, response.status, body, response.headers.get('retry-after'));
      const parsed = schema.safeParse(parseJson(body));
      if (!parsed.success) {
        throw new HubSpotApiError(
          `HubSpot's answer ${request.what} is not what DealBooks expects: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          response.status,
          undefined,
        );
      }
      return parsed.data;
    });
  }

  /** apiRequest takes no AbortSignal, so a deadline races it; a late answer is dropped. */
  private async send(client: Client, request: HubSpotRequest): Promise<Response> {
    const startedAt = performance.now();
    let status: number | undefined;
    try {
      const call = client.apiRequest({
        method: request.method,
        path: request.path,
        ...(request.qs ? { qs: request.qs } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
      const response = await withDeadline(call, this.timeoutMs, () => new HubSpotApiError(`HubSpot did not answer within ${this.timeoutMs} ms ${request.what}`, undefined, undefined));
      status = response.status;
      return response;
    } catch (err) {
      if (err instanceof HubSpotApiError) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
      throw new HubSpotApiError(`HubSpot could not be reached ${request.what}: ${reason}`, undefined, undefined, { cause: err });
    } finally {
      // The status is known once the headers are in; reading the body is the caller's, as with fetch.
      this.onCall?.({ status, seconds: (performance.now() - startedAt) / 1000 });
    }
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** "HubSpot answered 502 reading deal 123: <HubSpot's message>", keeping the status and correlation id. */
function answeredError(request: HubSpotRequest, status: number, body: string, retryAfter: string | null): HubSpotApiError {
  const parsed = errorBodySchema.safeParse(parseJson(body));
  const detail = parsed.success ? parsed.data : {};
  const message = detail.message ? `: ${detail.message}` : '';
  const retryAfterMs = hubspotRetryAfterMs(status, retryAfter, detail);
  return new HubSpotApiError(`HubSpot answered ${status} ${request.what}${message}`, status, detail.correlationId, retryAfterMs === undefined ? {} : { retryAfterMs });
}
