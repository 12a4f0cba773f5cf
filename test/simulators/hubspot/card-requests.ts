import { z } from 'zod';
import { signV3 } from './signing';

/**
 * What HubSpot sends to an app's backend when a UI extension (the DealBooks deal card or settings page) calls
 * `hubspot.fetch(url, {method, body})` (HubSpot's fetching-data page, below; the signature as in signing.ts):
 * - `userId`, `userEmail`, `portalId` and `appId` appended to the query string (by common report; the app must
 *   trust them only once the signature checks out);
 * - a JSON body (when there is one) with `Content-Type: application/json`, no custom headers;
 * - `X-HubSpot-Signature-v3` over method + final URL + body + timestamp, and `X-HubSpot-Request-Timestamp` (ms);
 * - a 15 s timeout; HubSpot retries once on a connection failure or a 5xx (so DealBooks' endpoints must be
 *   idempotent). The retry is a new request, signed with its own timestamp.
 * - "Both request and response payloads are limited to 1MB" and "each app is allowed up to 20 concurrent requests
 *   per account that it's installed in. Additional requests will be rejected with the status code 429"
 *   (developers.hubspot.com/docs/apps/developer-platform/add-features/ui-extensibility/fetching-data). That page
 *   says nothing of the 429's body or of what the extension sees for an oversized payload; see CardLimits.
 */
export const CARD_REQUEST_TIMEOUT_MS = 15_000;
/** Concurrent hubspot.fetch requests per app per account. */
export const CARD_CONCURRENCY_LIMIT = 20;
/** "1MB" each way; whether HubSpot means 10^6 bytes or 2^20 is unconfirmed: the simulator takes 2^20 (UTF-8 bytes). */
export const CARD_PAYLOAD_LIMIT_BYTES = 1_048_576;

export interface CardRequest {
  /** The app's client secret (what signs the request) and id (appended as `appId`). */
  clientSecret: string;
  appId: number;
  /** Absolute URL of the DealBooks endpoint, as the card passes it to hubspot.fetch. */
  url: string;
  method?: string;
  body?: unknown;
  portalId: number;
  userId: number;
  userEmail: string;
  /** Where the request is actually sent, when a tunnel stands between the signed URL and the listener. */
  route?: (url: string) => string;
  /** Epoch ms for the signature timestamp (the simulator's clock); default real time. */
  now?: () => number;
  timeoutMs?: number;
}

export interface CardAttempt {
  url: string;
  /** The X-HubSpot-Request-Timestamp it was signed with (epoch ms). */
  timestamp: number;
  status?: number;
  error?: string;
}

export interface CardResponse {
  /** 0 when no answer came (connection failure or timeout). */
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown;
  attempts: CardAttempt[];
  error?: string;
}

export const cardRequestControlSchema = z.object({
  appId: z.number().int().positive().optional(),
  portalId: z.number().int().positive(),
  userId: z.number().int().positive().optional(),
  userEmail: z.email().optional(),
  method: z.string().toUpperCase().default('GET'),
  /** Absolute, or a path relative to the configured DealBooks base URL. */
  url: z.string().min(1),
  body: z.unknown().optional(),
});

/** The URL HubSpot calls: the card's URL with the context parameters appended (existing query kept as is). */
export function cardRequestUrl(url: string, ctx: { userId: number; userEmail: string; portalId: number; appId: number }): string {
  const params = [
    ['userId', String(ctx.userId)],
    ['userEmail', ctx.userEmail],
    ['portalId', String(ctx.portalId)],
    ['appId', String(ctx.appId)],
  ]
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&');
  const [beforeHash] = url.split('#');
  const base = beforeHash ?? url;
  return `${base}${base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?'}${params}`;
}

/**
 * The card's side of the limits. Unconfirmed, so chosen to be easy to spot: the 21st concurrent request answers
 * status 429 with an empty body and `error: 'TOO_MANY_CONCURRENT_REQUESTS'`, without reaching DealBooks; an
 * oversized request body is never sent and an oversized answer is not handed over, both seen by the card as a
 * failed fetch (status 0, `error: 'REQUEST_TOO_LARGE'` / `'RESPONSE_TOO_LARGE'`).
 */
export class CardLimits {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly maxConcurrent = CARD_CONCURRENCY_LIMIT) {}

  async send(request: CardRequest): Promise<CardResponse> {
    const key = `${request.appId}:${request.portalId}`;
    const busy = this.inFlight.get(key) ?? 0;
    if (busy >= this.maxConcurrent) return { status: 429, headers: {}, body: '', attempts: [], error: 'TOO_MANY_CONCURRENT_REQUESTS' };
    this.inFlight.set(key, busy + 1);
    try {
      return await sendCardRequest(request);
    } finally {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    }
  }
}

export async function sendCardRequest(request: CardRequest): Promise<CardResponse> {
  const attempts: CardAttempt[] = [];
  if (request.body !== undefined && Buffer.byteLength(JSON.stringify(request.body)) > CARD_PAYLOAD_LIMIT_BYTES) {
    return { status: 0, headers: {}, body: undefined, attempts, error: 'REQUEST_TOO_LARGE' };
  }
  let response = await attempt(request, attempts);
  // A connection failure or a 5xx is retried; a timeout or an oversized answer is not.
  const retryable = response.status === 0 ? response.error !== 'timeout' && response.error !== 'RESPONSE_TOO_LARGE' : response.status >= 500;
  if (retryable) response = await attempt(request, attempts);
  return { ...response, attempts };
}

async function attempt(request: CardRequest, attempts: CardAttempt[]): Promise<Omit<CardResponse, 'attempts'>> {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = cardRequestUrl(request.url, request);
  const body = request.body === undefined || method === 'GET' || method === 'HEAD' ? '' : JSON.stringify(request.body);
  // The retry is a new request made after the first failed, so its timestamp is later, even on a frozen clock.
  const previous = attempts.at(-1)?.timestamp;
  const now = (request.now ?? Date.now)();
  const timestamp = previous !== undefined && now <= previous ? previous + 1 : now;
  const headers: Record<string, string> = {
    'X-HubSpot-Signature-v3': signV3({ clientSecret: request.clientSecret, method, uri: url, body, timestamp }),
    'X-HubSpot-Request-Timestamp': String(timestamp),
  };
  if (body !== '') headers['Content-Type'] = 'application/json';
  const record: CardAttempt = { url, timestamp };
  attempts.push(record);
  try {
    const res = await fetch(request.route?.(url) ?? url, {
      method,
      headers,
      body: body === '' ? undefined : body,
      signal: AbortSignal.timeout(request.timeoutMs ?? CARD_REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    record.status = res.status;
    if (Buffer.byteLength(text) > CARD_PAYLOAD_LIMIT_BYTES) {
      record.error = 'RESPONSE_TOO_LARGE';
      return { status: 0, headers: {}, body: undefined, error: record.error };
    }
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: Object.fromEntries(res.headers), body: isJson ? parseJson(text) : text };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    record.error = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message);
    return { status: 0, headers: {}, body: undefined, error: record.error };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
