import { DEALBOOKS_BASE_URL } from '../../extensions/src/shared/config';

/**
 * The bridge between a UI extension under test and a running DealBooks: the extension's `hubspot.fetch` (which calls
 * `self.hsFetch`) goes through the HubSpot simulator's card-request signer to DealBooks, signed exactly as HubSpot
 * signs a card's request, and the answer comes back as a fetch `Response`, as in HubSpot. Nothing is hand-made: the
 * status and body are DealBooks' own.
 */

/** What `hubspot.fetch(url, options)` passes on to `self.hsFetch`. */
export interface HsFetchOptions {
  method?: string;
  body?: unknown;
  timeout?: number;
}

export type HsFetch = (url: string, options?: HsFetchOptions) => Promise<Response>;

/** One request the extension made, as DealBooks saw it: method, path (with query) and the answer's status. */
export interface BridgedRequest {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

/** `q.card` of useQ2C's account, or of another account (otherAccount), whose answers carry no headers. */
type CardCall = (method: string, path: string, body?: unknown, userId?: number) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

export interface Bridge {
  hsFetch: HsFetch;
  /** Every request so far, in order. */
  requests: BridgedRequest[];
}

/** The path of an absolute URL on DealBooks' built base URL; any other URL is refused (HubSpot would too). */
export function dealbooksPath(url: string): string {
  if (!url.startsWith(DEALBOOKS_BASE_URL)) throw new Error(`the extension fetched ${url}, which is not on DealBooks (${DEALBOOKS_BASE_URL})`);
  const path = url.slice(DEALBOOKS_BASE_URL.length);
  if (!path.startsWith('/')) throw new Error(`the extension fetched ${url}, which is not a path on DealBooks`);
  return path;
}

/**
 * An `hsFetch` that sends each request as `userId` of the account of `q.card` (test/quote-to-cash/support.ts) (HubSpot adds the user; the default is the
 * simulator's). `q.card` advances the shared clock 1 ms first, so a card that polls the same URL is not a replay.
 */
export function bridgeTo(q: { card: CardCall }, options: { userId?: number } = {}): Bridge {
  const requests: BridgedRequest[] = [];
  const hsFetch: HsFetch = async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const path = dealbooksPath(url);
    // hubspot.fetch takes a JSON body; a string is the same JSON already serialised.
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    const answer = await q.card(method, path, body, options.userId);
    requests.push({ method, path, body, status: answer.status });
    // No answer at all (connection refused, timeout): fetch rejects, as it does in HubSpot.
    if (answer.status === 0) throw new TypeError(`hubspot.fetch ${method} ${path}: no answer`);
    const text = answer.body === undefined || answer.body === null || answer.body === '' ? null : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    const noBody = answer.status === 204 || answer.status === 304;
    return new Response(noBody ? null : text, { status: answer.status, headers: { 'content-type': answer.headers?.['content-type'] ?? 'application/json' } });
  };
  return { hsFetch, requests };
}

/**
 * Makes `fetcher` the `self.hsFetch` that `hubspot.fetch` calls (jest runs in Node, which has no `self`); returns
 * a function that puts back what was there.
 */
export function installHsFetch(fetcher: HsFetch): () => void {
  const global = globalThis as any;
  const hadSelf = 'self' in global;
  if (!hadSelf) global.self = globalThis;
  const previous = global.self.hsFetch;
  global.self.hsFetch = fetcher;
  return () => {
    global.self.hsFetch = previous;
    if (!hadSelf) delete global.self;
  };
}
