import express from 'express';
import OAuthClient from 'intuit-oauth';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { listen } from '../common/listen';
import * as Qbo from '../quickbooks';

/**
 * What DealBooks' own integration code will do, written from the services' documentation rather than from the
 * simulators' internals: connect with the real client libraries, call the APIs over HTTP, verify signatures with
 * its own code. The consumer tests use these helpers to find where the simulators differ from the real services.
 */

// ---------------------------------------------------------------- QuickBooks Online (intuit-oauth 4.2.5)

/** intuit-oauth keeps its endpoint URLs in process-wide statics: save them so a test file can put them back. */
const INTUIT_STATICS = ['authorizeEndpoint', 'tokenEndpoint', 'revokeEndpoint', 'userinfo_endpoint_sandbox'] as const;
export function saveIntuitStatics(): () => void {
  const saved = Object.fromEntries(INTUIT_STATICS.map((name) => [name, OAuthClient[name]]));
  return () => Object.assign(OAuthClient, saved);
}

/** The real client pointed at the simulator the way DealBooks' config will do it (setAuthorizeURLs). */
export function intuitClient(sim: Qbo.QuickbooksSimulator): OAuthClient {
  const client = new OAuthClient({
    clientId: Qbo.DEMO_CLIENT_ID,
    clientSecret: Qbo.DEMO_CLIENT_SECRET,
    environment: 'sandbox',
    redirectUri: Qbo.DEMO_REDIRECT_URIS[0] ?? '',
  });
  client.setAuthorizeURLs({
    authorizeEndpoint: `${sim.url}${Qbo.OAUTH_PATHS.authorize}`,
    tokenEndpoint: `${sim.url}${Qbo.OAUTH_PATHS.token}`,
    revokeEndpoint: `${sim.url}${Qbo.OAUTH_PATHS.revoke}`,
    userInfoEndpoint: `${sim.url}${Qbo.OAUTH_PATHS.userInfo}`,
  });
  return client;
}

/** The browser's part of the consent: follow the authorize URL, return the callback URL QBO redirects to. */
export async function browserConsent(authorizeUri: string): Promise<URL> {
  const response = await fetch(authorizeUri, { redirect: 'manual' });
  if (response.status !== 302) throw new Error(`authorize answered ${response.status}`);
  return new URL(response.headers.get('location') ?? '');
}

/** Connect QBO as DealBooks will: authorize, come back with code + realmId, createToken. */
export async function connectQbo(sim: Qbo.QuickbooksSimulator): Promise<{ client: OAuthClient; realmId: string }> {
  const client = intuitClient(sim);
  const callback = await browserConsent(client.authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: 'csrf-q' }));
  if (callback.searchParams.get('state') !== 'csrf-q') throw new Error('state lost');
  await client.createToken(callback.href);
  return { client, realmId: client.getToken().realmId ?? '' };
}

/** A QBO string literal: single quotes, with `\` and `'` backslash-escaped (Intuit's query language). */
export function qboLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The thin API layer DealBooks will put over intuit-oauth's makeApiCall. */
export function qboApi(client: OAuthClient, baseUrl: string, realmId: string) {
  const url = (path: string, query: Record<string, string> = {}) => {
    const u = new URL(`${baseUrl}/v3/company/${realmId}${path}`);
    u.searchParams.set('minorversion', '75');
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u.toString();
  };
  return {
    client,
    url,
    async get<T = Record<string, any>>(path: string, query?: Record<string, string>): Promise<T> {
      return (await client.makeApiCall({ url: url(path, query) })).json as T;
    },
    async post<T = Record<string, any>>(path: string, body: unknown, query?: Record<string, string>, headers?: Record<string, string>): Promise<T> {
      return (await client.makeApiCall({ url: url(path, query), method: 'POST', body, headers })).json as T;
    },
    /** QueryResponse rows of one entity ([] when QBO leaves the array out for an empty result). */
    async query<T = Record<string, any>>(entity: string, sql: string): Promise<T[]> {
      const res = (await client.makeApiCall({ url: url('/query', { query: sql }) })).json as { QueryResponse: Record<string, unknown> };
      return (res.QueryResponse[entity] as T[] | undefined) ?? [];
    },
  };
}

/** Intuit's webhook check: base64 HMAC-SHA256 of the raw body with the verifier token, compared in constant time. */
export function intuitSignatureValid(verifierToken: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', verifierToken).update(rawBody).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ---------------------------------------------------------------- HubSpot

/** The only escapes HubSpot decodes before signing a v3 URI (developers.hubspot.com, request validation). */
const V3_DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

/** HubSpot v3 check as DealBooks will do it: URL from its own public base URL, 5-minute window, constant time. */
export function hubspotV3Valid(input: { clientSecret: string; method: string; url: string; rawBody: string; headers: Record<string, string | string[] | undefined>; nowMs: number }): boolean {
  const signature = input.headers['x-hubspot-signature-v3'];
  const timestamp = input.headers['x-hubspot-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
  if (Math.abs(input.nowMs - Number(timestamp)) > 5 * 60 * 1000) return false;
  const uri = input.url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => V3_DECODED[m.toUpperCase()] ?? m);
  const expected = createHmac('sha256', input.clientSecret).update(`${input.method}${uri}${input.rawBody}${timestamp}`).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** HubSpot's form-encoded token call on the 2026-03 path (the SDK only knows v1, so DealBooks calls it itself). */
export async function hubspotToken(baseUrl: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${baseUrl}/oauth/2026-03/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** A simulator control call (`/_sim/...`): plain JSON, no auth. */
export async function control(baseUrl: string, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

// ---------------------------------------------------------------- DealBooks' side: a tiny receiver

export interface Received {
  method: string;
  /** Path and query exactly as received. */
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** A local express endpoint that keeps the raw bytes of every request (signatures are over raw bodies). */
export async function startReceiver(answer: (req: Received) => { status: number; body?: unknown } = () => ({ status: 200 })) {
  const received: Received[] = [];
  const app = express();
  app.use(express.raw({ type: () => true, limit: '5mb' }));
  app.all('/{*path}', (req, res) => {
    const record: Received = { method: req.method, originalUrl: req.originalUrl, headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) };
    received.push(record);
    const { status, body } = answer(record);
    res.status(status).json(body ?? { ok: true });
  });
  const server = await listen(app);
  return { url: server.url, received, close: () => server.close() };
}
