import type { Logger } from '../logger';
import type { QuickbooksConnections } from './connections';

/**
 * The thin QuickBooks Online API layer: the account's token (refreshed as needed), `minorversion`, JSON, a timeout,
 * `intuit_tid` on every result and error, and one retry after a 401 with a newer token. It uses fetch rather than
 * intuit-oauth's makeApiCall, which keeps only the first JSON fault shape and drops the lower-case and XML faults
 * QBO also returns (reference "Errors"). Issue 5 grows it into the full client (requestid, throttling, retries).
 */
export const MINOR_VERSION = '75';

export class QuickbooksApiError extends Error {
  override name = 'QuickbooksApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly intuitTid: string | undefined,
  ) {
    super(message);
  }
}

export interface QuickbooksResponse<T> {
  status: number;
  json: T;
  intuitTid: string | undefined;
}

export interface QuickbooksApiDeps {
  apiBaseUrl: string;
  connections: QuickbooksConnections;
  logger: Logger;
  timeoutMs?: number;
}

/** The first error of any QBO fault shape: `Fault.Error[]`, `fault.error[]`, or XML `<Error code=..><Message>`. */
export function parseFault(body: string): { code: string | undefined; message: string | undefined } {
  try {
    const json = JSON.parse(body) as Record<string, any>;
    const fault = json.Fault ?? json.fault;
    const first = (fault?.Error ?? fault?.error)?.[0];
    if (first) return { code: first.code !== undefined ? String(first.code) : undefined, message: first.Message ?? first.message ?? first.Detail ?? first.detail };
    if (typeof json.error === 'string') return { code: json.error, message: json.error_description };
  } catch {
    const code = /<Error[^>]*\bcode="([^"]+)"/.exec(body)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
    if (code || message) return { code, message };
  }
  return { code: undefined, message: undefined };
}

export class QuickbooksApi {
  constructor(private readonly deps: QuickbooksApiDeps) {}

  get<T = Record<string, any>>(portalId: number, path: string, query: Record<string, string> = {}, signal?: AbortSignal): Promise<QuickbooksResponse<T>> {
    return this.request<T>(portalId, 'GET', path, query, undefined, signal);
  }

  post<T = Record<string, any>>(portalId: number, path: string, body: unknown, query: Record<string, string> = {}, signal?: AbortSignal): Promise<QuickbooksResponse<T>> {
    return this.request<T>(portalId, 'POST', path, query, body, signal);
  }

  async request<T>(portalId: number, method: string, path: string, query: Record<string, string>, body: unknown, signal?: AbortSignal): Promise<QuickbooksResponse<T>> {
    let token = await this.deps.connections.accessToken(portalId);
    let response = await this.send(token.token, token.realmId, method, path, query, body, signal);
    if (response.status === 401) {
      // Once: a token QBO refuses is replaced by a newer one (refreshed here, or already by another process).
      this.deps.logger.info({ portalId, realmId: token.realmId, intuitTid: response.headers.get('intuit_tid') ?? undefined }, 'QuickBooks answered 401; retrying once with a refreshed token');
      token = await this.deps.connections.accessToken(portalId, { newerThan: token.version });
      response = await this.send(token.token, token.realmId, method, path, query, body, signal);
    }
    const text = await response.text();
    const intuitTid = response.headers.get('intuit_tid') ?? undefined;
    if (!response.ok) {
      const fault = parseFault(text);
      throw new QuickbooksApiError(
        `QuickBooks answered ${response.status}${fault.code ? ` (code ${fault.code})` : ''}${fault.message ? `: ${fault.message}` : ''}`,
        response.status,
        fault.code,
        intuitTid,
      );
    }
    let json: T;
    try {
      json = JSON.parse(text) as T;
    } catch {
      throw new QuickbooksApiError('QuickBooks answered with a body that is not JSON', response.status, undefined, intuitTid);
    }
    return { status: response.status, json, intuitTid };
  }

  private send(accessToken: string, realmId: string, method: string, path: string, query: Record<string, string>, body: unknown, signal?: AbortSignal): Promise<Response> {
    const url = new URL(`${this.deps.apiBaseUrl}/v3/company/${encodeURIComponent(realmId)}${path}`);
    url.searchParams.set('minorversion', MINOR_VERSION);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const timeout = AbortSignal.timeout(this.deps.timeoutMs ?? 30_000);
    return fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  }
}
