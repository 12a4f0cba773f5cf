/**
 * Test helpers for the QBO shell's tests: connect an app the way DealBooks does (authorize redirect, then the
 * token endpoint), call the API with a token, and read fixtures. Plain fetch over real HTTP.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ACCOUNTING_SCOPE, DEMO_APP, type QboOAuthApp, type TokenResponse } from './oauth';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/quickbooks');

export function fixtureText(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

export function basicAuth(app: Pick<QboOAuthApp, 'clientId' | 'clientSecret'> = DEMO_APP): string {
  return `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
}

export interface AuthorizeOptions {
  app?: QboOAuthApp;
  redirectUri?: string;
  scope?: string;
  state?: string;
  responseType?: string;
}

/** GET /connect/oauth2 without following the redirect. */
export async function authorize(baseUrl: string, options: AuthorizeOptions = {}): Promise<Response> {
  const app = options.app ?? DEMO_APP;
  const params = new URLSearchParams({
    client_id: app.clientId,
    response_type: options.responseType ?? 'code',
    scope: options.scope ?? ACCOUNTING_SCOPE,
    redirect_uri: options.redirectUri ?? app.redirectUris[0] ?? '',
    state: options.state ?? 'state-123',
  });
  return fetch(`${baseUrl}/connect/oauth2?${params}`, { redirect: 'manual' });
}

/** The query of the redirect an authorize call answered with. */
export function redirectParams(response: Response): URLSearchParams {
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(location).searchParams;
}

export async function tokenCall(
  baseUrl: string,
  form: Record<string, string>,
  options: { app?: Pick<QboOAuthApp, 'clientId' | 'clientSecret'>; authorization?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...options.headers };
  const authorization = options.authorization === undefined ? basicAuth(options.app) : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(`${baseUrl}/oauth2/v1/tokens/bearer`, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** Authorize + code exchange: what a user clicking "Connect to QuickBooks" produces. */
export async function connect(
  baseUrl: string,
  options: AuthorizeOptions & { headers?: Record<string, string> } = {},
): Promise<{ realmId: string; tokens: TokenResponse }> {
  const params = redirectParams(await authorize(baseUrl, options));
  const app = options.app ?? DEMO_APP;
  const result = await tokenCall(
    baseUrl,
    { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: options.redirectUri ?? app.redirectUris[0] ?? '' },
    { app, headers: options.headers },
  );
  if (result.status !== 200) throw new Error(`token exchange failed: ${result.status} ${JSON.stringify(result.body)}`);
  return { realmId: params.get('realmId') ?? '', tokens: result.body as unknown as TokenResponse };
}

export async function refresh(baseUrl: string, refreshToken: string, headers?: Record<string, string>) {
  return tokenCall(baseUrl, { grant_type: 'refresh_token', refresh_token: refreshToken }, { headers });
}

/** An Accounting API call as DealBooks makes it. */
export async function api(
  baseUrl: string,
  realmId: string,
  accessToken: string | undefined,
  pathAndQuery: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${baseUrl}/v3/company/${realmId}${pathAndQuery}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

export async function control(baseUrl: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}/_sim${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
