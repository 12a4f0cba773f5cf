import express from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimClock } from '../common/clock';
import { listen, type RunningServer } from '../common/listen';
import { DEALBOOKS_SCOPES, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URIS, startHubSpotSimulator, type HubSpotSimulator, type HubSpotSimulatorOptions } from './index';

/** Helpers shared by the shell's tests (*.shell.test.ts): a simulator on a frozen clock, a receiver, the OAuth dance. */

export const FIXTURES = join(__dirname, '../../fixtures/hubspot');
export const payloads = JSON.parse(readFileSync(join(FIXTURES, 'payloads.json'), 'utf8')) as Record<string, { body: unknown; [k: string]: unknown }>;
export const REDIRECT_URI = DEMO_REDIRECT_URIS[0]!;

/** A simulator whose scheduled work runs only when a test advances the clock. */
export async function startTestSimulator(options: HubSpotSimulatorOptions = {}): Promise<HubSpotSimulator> {
  return startHubSpotSimulator({ clock: new SimClock({ rate: 0 }), ...options });
}

export interface ReceivedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

/** An HTTP endpoint that records what it receives and answers what `respond` says (default 200 {}). */
export async function startReceiver(respond: (req: ReceivedRequest, index: number) => { status: number; body?: unknown; delayMs?: number } = () => ({ status: 200 })) {
  const received: ReceivedRequest[] = [];
  const app = express();
  app.use(express.raw({ type: () => true }));
  app.all('/{*path}', async (req, res) => {
    const record: ReceivedRequest = {
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      rawBody: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '',
    };
    received.push(record);
    const answer = respond(record, received.length - 1);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    res.status(answer.status).json(answer.body ?? {});
  });
  const server: RunningServer = await listen(app);
  return { url: server.url, received, close: () => server.close() };
}

/**
 * An HTTP endpoint that holds every request until the test releases it (oldest first) and tells when N have
 * arrived: for concurrency limits, without sleeping. `respond` says what a released request answers.
 */
export async function startHoldingReceiver(respond: () => { status: number; body?: unknown } = () => ({ status: 200 })) {
  const pending: Array<() => void> = [];
  let count = 0;
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  const app = express();
  app.all('/{*path}', (_req, res) => {
    count += 1;
    pending.push(() => {
      const answer = respond();
      res.status(answer.status).json(answer.body ?? {});
    });
    waiters = waiters.filter((w) => (count >= w.n ? (w.resolve(), false) : true));
  });
  const server: RunningServer = await listen(app);
  return {
    url: server.url,
    get count() {
      return count;
    },
    /** Resolves once `n` requests have arrived in all. */
    received: (n: number) => new Promise<void>((resolve) => (count >= n ? resolve() : waiters.push({ n, resolve }))),
    releaseOne: () => pending.shift()?.(),
    releaseAll: () => pending.splice(0).forEach((answer) => answer()),
    close: () => server.close(),
  };
}

/** Goes through /oauth/authorize like a browser (not following the redirect) and returns the redirect URL. */
export async function authorize(sim: HubSpotSimulator, params: Record<string, string> = {}): Promise<{ status: number; location: URL | undefined; text: string }> {
  const query = new URLSearchParams({ client_id: DEMO_CLIENT_ID, redirect_uri: REDIRECT_URI, scope: DEALBOOKS_SCOPES.join(' '), state: 'st-1', ...params });
  const res = await fetch(`${sim.url}/oauth/authorize?${query}`, { redirect: 'manual' });
  const location = res.headers.get('location');
  return { status: res.status, location: location ? new URL(location) : undefined, text: await res.text() };
}

export async function postForm(url: string, form: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() };
}

/** The whole install: authorize, then exchange the code on the 2026-03 endpoint. */
export async function connect(sim: HubSpotSimulator): Promise<{ access_token: string; refresh_token: string; hub_id: number; expires_in: number; scopes: string[] }> {
  const { location } = await authorize(sim);
  const code = location?.searchParams.get('code');
  if (!code) throw new Error('authorize did not give a code');
  const { status, body } = await postForm(`${sim.url}/oauth/2026-03/token`, {
    grant_type: 'authorization_code',
    client_id: DEMO_CLIENT_ID,
    client_secret: DEMO_CLIENT_SECRET,
    redirect_uri: REDIRECT_URI,
    code,
  });
  if (status !== 200) throw new Error(`token exchange failed: ${status} ${JSON.stringify(body)}`);
  return body;
}

export async function api(sim: HubSpotSimulator, path: string, token: string | undefined, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
}

export async function control(sim: HubSpotSimulator, path: string, body?: unknown, method = 'POST') {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
}
