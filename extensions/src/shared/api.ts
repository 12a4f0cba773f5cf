import { hubspot } from '@hubspot/ui-extensions';
import { DEALBOOKS_BASE_URL } from './config';

/**
 * The one way the extensions talk to DealBooks: HubSpot's signed `hubspot.fetch` (JSON bodies only, no custom
 * headers, a 15 s timeout). HubSpot signs each request and adds the account and user to it, so the extensions never
 * send who they are; DealBooks reads it from the signed request.
 */

/** DealBooks' error answer: `{ error: { code, message, details? } }`, the message written for the person reading it. */
export class DealBooksError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DealBooksError';
  }
}

/** What a person is told when DealBooks cannot be reached at all (no answer, a timeout). */
export const UNREACHABLE = "DealBooks can't be reached right now. Check your connection and try again.";

/**
 * What a person is told when an answer came but is not DealBooks' JSON (HubSpot's own 429 or 5xx page, a proxy's
 * error): the connection works, so telling them to check it would send them the wrong way.
 */
export const unexpectedAnswer = (status: number) => `DealBooks answered unexpectedly (HTTP ${status}). Try again in a moment.`;

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: Record<string, unknown>;
  /** Milliseconds; HubSpot's default is 15 s. */
  timeout?: number;
}

/** Calls `path` (e.g. `/api/deals/123/summary`) on DealBooks; resolves with the JSON body of a 2xx answer. */
export async function callDealBooks<T>(path: string, options: CallOptions = {}): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await hubspot.fetch(`${DEALBOOKS_BASE_URL}${path}`, {
      method: options.method ?? 'GET',
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    });
  } catch {
    throw new DealBooksError(0, 'unreachable', UNREACHABLE);
  }
  let body: any;
  try {
    const text = await response.text();
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new DealBooksError(response.status, `http_${response.status}`, unexpectedAnswer(response.status));
  }
  if (response.status >= 200 && response.status < 300) return { status: response.status, body: body as T };
  const error = body?.error;
  throw new DealBooksError(
    response.status,
    typeof error?.code === 'string' ? error.code : `http_${response.status}`,
    typeof error?.message === 'string' ? error.message : unexpectedAnswer(response.status),
    error?.details,
  );
}
