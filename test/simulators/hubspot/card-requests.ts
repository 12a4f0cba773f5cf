import { z } from 'zod';
import { signV3 } from './signing';

/**
 * What HubSpot sends to an app's backend when a UI extension (the DealBooks deal card or settings page) calls
 * `hubspot.fetch(url, {method, body})` (reference "UI extensions" and "Request signatures"):
 * - `userId`, `userEmail`, `portalId` and `appId` appended to the query string (by common report; the app must
 *   trust them only once the signature checks out);
 * - a JSON body (when there is one) with `Content-Type: application/json`, no custom headers;
 * - `X-HubSpot-Signature-v3` over method + final URL + body + timestamp, and `X-HubSpot-Request-Timestamp` (ms);
 * - a 15 s timeout; HubSpot retries once on a connection failure or a 5xx (so DealBooks' endpoints must be
 *   idempotent). The retry is a new request, signed with its own timestamp.
 */
export const CARD_REQUEST_TIMEOUT_MS = 15_000;

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
  /** Epoch ms for the signature timestamp (the simulator's clock); default real time. */
  now?: () => number;
  timeoutMs?: number;
}

export interface CardAttempt {
  url: string;
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

export async function sendCardRequest(request: CardRequest): Promise<CardResponse> {
  const attempts: CardAttempt[] = [];
  let response = await attempt(request, attempts);
  const retryable = response.status === 0 ? response.error !== 'timeout' : response.status >= 500;
  if (retryable) response = await attempt(request, attempts);
  return { ...response, attempts };
}

async function attempt(request: CardRequest, attempts: CardAttempt[]): Promise<Omit<CardResponse, 'attempts'>> {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = cardRequestUrl(request.url, request);
  const body = request.body === undefined || method === 'GET' || method === 'HEAD' ? '' : JSON.stringify(request.body);
  const timestamp = (request.now ?? Date.now)();
  const headers: Record<string, string> = {
    'X-HubSpot-Signature-v3': signV3({ clientSecret: request.clientSecret, method, uri: url, body, timestamp }),
    'X-HubSpot-Request-Timestamp': String(timestamp),
  };
  if (body !== '') headers['Content-Type'] = 'application/json';
  const record: CardAttempt = { url };
  attempts.push(record);
  try {
    const res = await fetch(url, {
      method,
      headers,
      body: body === '' ? undefined : body,
      signal: AbortSignal.timeout(request.timeoutMs ?? CARD_REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    record.status = res.status;
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
