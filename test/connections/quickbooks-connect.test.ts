import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuthClient from 'intuit-oauth';
import { SimClock } from '../simulators/common/clock';
import * as Hs from '../simulators/hubspot';
import * as Qbo from '../simulators/quickbooks';
import { captureLogger, DATABASE_KIND, startTestService, type TestService } from '../support/harness';
import { pageText } from '../support/world';

/**
 * "Connect QuickBooks" end to end, as a person and HubSpot drive it: the settings page asks for a connect URL with
 * a signed card request (made by the HubSpot simulator), the browser opens it, Intuit's consent page (the QBO
 * simulator) redirects back, and DealBooks exchanges the code through the real intuit-oauth. Then status, test and
 * disconnect, again as signed card requests. Every failure path checks that nothing was half-stored.
 */
const PORTAL_A = Hs.DEMO_PORTAL_ID;
const PORTAL_B = 62_515_777;
const QBO_CLIENT_ID = 'ABconnectTestClientIdForTheQuickbooksSimulator';
const QBO_CLIENT_SECRET = 'connect-test-qbo-client-secret';
const DEMO_COMPANY = 'DealBooks Demo Co';
const OTHER_COMPANY = 'Other Company (simulator)';

const logs = captureLogger('trace');
let simClock: SimClock;
let server: Server;
let baseUrl: string;
let qbo: Qbo.QuickbooksSimulator;
let hs: Awaited<ReturnType<typeof Hs.startHubSpotSimulator>>;
let service: TestService;
// intuit-oauth retries token calls after 1, 2 and 4 real seconds; the outage tests need the retries, not the wait.
const intuitRetryDelay = OAuthClient.retryConfig.retryDelay;

beforeAll(async () => {
  OAuthClient.retryConfig.retryDelay = 1;
  simClock = new SimClock({ freeze: true });
  // Listening first: PUBLIC_BASE_URL (what Intuit redirects to and HubSpot signs) is this server's address.
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  qbo = await Qbo.startQuickbooksSimulator({
    clock: simClock,
    seed: 'demo',
    apps: [{ clientId: QBO_CLIENT_ID, clientSecret: QBO_CLIENT_SECRET, redirectUris: [`${baseUrl}/oauth/quickbooks/callback`] }],
  });
  hs = await Hs.startHubSpotSimulator({ clock: simClock, seed: 'empty' });
  service = await startTestService({
    logger: logs.logger,
    clock: { now: () => simClock.now() },
    env: {
      PUBLIC_BASE_URL: baseUrl,
      HUBSPOT_CLIENT_ID: Hs.DEMO_CLIENT_ID,
      HUBSPOT_CLIENT_SECRET: Hs.DEMO_CLIENT_SECRET,
      HUBSPOT_APP_ID: String(Hs.DEMO_APP_ID),
      QBO_CLIENT_ID,
      QBO_CLIENT_SECRET,
      QBO_API_BASE_URL: qbo.url,
      QBO_AUTHORIZE_URL: `${qbo.url}${Qbo.OAUTH_PATHS.authorize}`,
      QBO_TOKEN_URL: `${qbo.url}${Qbo.OAUTH_PATHS.token}`,
      QBO_REVOKE_URL: `${qbo.url}${Qbo.OAUTH_PATHS.revoke}`,
    },
  });
  server.on('request', service.http);
  // Both accounts installed DealBooks (the HubSpot install flow is tested on its own).
  await service.db.pool.query('INSERT INTO portals (portal_id) VALUES ($1), ($2)', [PORTAL_A, PORTAL_B]);
  // The user who installed it, who also sends these settings-page requests, is each account's DealBooks admin.
  await service.db.pool.query('INSERT INTO portal_admins (portal_id, user_id) VALUES ($1, $3), ($2, $3)', [PORTAL_A, PORTAL_B, String(Hs.DEMO_USER.userId)]);
});

afterAll(async () => {
  OAuthClient.retryConfig.retryDelay = intuitRetryDelay;
  if (server) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  }
  await service?.close();
  await Promise.all([qbo?.close(), hs?.close()]);
});

beforeEach(async () => {
  jest.restoreAllMocks();
  await service.db.pool.query('DELETE FROM qbo_connections');
  await service.db.pool.query('DELETE FROM oauth_states');
  await service.db.pool.query(`UPDATE portals SET status = 'installed', uninstalled_at = NULL`);
  await control('POST', '/_sim/reset');
  await control('DELETE', '/_sim/faults');
});

// ---------------------------------------------------------------- helpers

async function control(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${qbo.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** A signed hubspot.fetch from the settings page of `portalId`, made by the HubSpot simulator. */
async function card(portalId: number, method: 'GET' | 'POST', path: string, body?: unknown) {
  // Each request gets its own timestamp (the clock is frozen), so two identical calls are not taken for a replay.
  await simClock.advance(1);
  return hs.cardRequest({ portalId, method, url: `${baseUrl}${path}`, body });
}

/**
 * hubspot.fetch's first try alone. HubSpot retries a 5xx with a new timestamp; under the frozen clock the
 * simulator's retry would carry the same timestamp, i.e. be a byte-identical replay that DealBooks rightly refuses.
 */
async function firstTry(portalId: number, method: 'GET' | 'POST', path: string): Promise<{ status: number; body: any }> {
  await simClock.advance(1);
  const url = Hs.cardRequestUrl(`${baseUrl}${path}`, { ...Hs.DEMO_USER, portalId, appId: Hs.DEMO_APP_ID });
  const timestamp = simClock.nowMs();
  const signature = Hs.signV3({ clientSecret: Hs.DEMO_CLIENT_SECRET, method, uri: url, body: '', timestamp });
  const response = await fetch(url, { method, headers: { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': String(timestamp) } });
  return { status: response.status, body: await response.json() };
}

async function browse(url: string): Promise<{ status: number; location: string | null; text: string; html: string }> {
  const response = await fetch(url, { redirect: 'manual' });
  const html = await response.text();
  return { status: response.status, location: response.headers.get('location'), html, text: pageText(html) };
}


/** The href of the page's only button, if any. */
function actionHref(html: string): string | undefined {
  const href = /<a class="button" href="([^"]+)"/.exec(html)?.[1];
  return href?.replace(/&amp;/g, '&');
}

async function connectUrl(portalId: number): Promise<string> {
  const res = await card(portalId, 'POST', '/api/quickbooks/connect-url');
  expect(res.status).toBe(200);
  return (res.body as { url: string }).url;
}

/** Opens a connect URL and lets Intuit's consent page answer: the callback URL the browser is sent back to. */
async function consentFrom(connect: string): Promise<string> {
  const opened = await browse(connect);
  expect(opened.status).toBe(302);
  expect(opened.location?.startsWith(`${qbo.url}${Qbo.OAUTH_PATHS.authorize}`)).toBe(true);
  const consent = await browse(opened.location!);
  expect(consent.status).toBe(302);
  const callback = consent.location!;
  expect(callback.startsWith(`${baseUrl}/oauth/quickbooks/callback?`)).toBe(true);
  return callback;
}

async function connect(portalId: number) {
  const callback = await consentFrom(await connectUrl(portalId));
  return { callback, ...(await browse(callback)) };
}

async function connectionRows(): Promise<Array<Record<string, any>>> {
  return (await service.db.pool.query('SELECT * FROM qbo_connections ORDER BY id')).rows;
}

async function grants(): Promise<Array<{ realmId: string; revoked: boolean; accessToken: { prefix: string } | null; refreshToken: { prefix: string } }>> {
  return (await control('GET', '/_sim/oauth/grants')).grants;
}

function openTokens(row: Record<string, any>): { access: string; refresh: string } {
  const vault = service.context.vault;
  const context = (field: string) => `qbo:${row.portal_id}:${row.realm_id}:${field}`;
  return {
    access: vault.open(row.access_token_cipher, row.key_id, context('access')),
    refresh: vault.open(row.refresh_token_cipher, row.key_id, context('refresh')),
  };
}

function callbackWith(callback: string, changes: Record<string, string>): string {
  const url = new URL(callback);
  for (const [k, v] of Object.entries(changes)) url.searchParams.set(k, v);
  return url.toString();
}

// ---------------------------------------------------------------- tests

describe(`QuickBooks connect, status, test and disconnect (${DATABASE_KIND})`, () => {
  it('When an admin connects QuickBooks, then the realm, sealed tokens and company facts are stored, shown on the page and in the status', async () => {
    await control('PATCH', `/_sim/quickbooks/companies/${Qbo.DEMO_REALM_ID}/preferences`, {
      AccountingInfoPrefs: { BookCloseDate: '2026-06-30' },
      CurrencyPrefs: { MultiCurrencyEnabled: true },
      SalesFormsPrefs: { CustomTxnNumbers: true },
    });
    const issued = await card(PORTAL_A, 'POST', '/api/quickbooks/connect-url');
    expect(issued.status).toBe(200);
    const { url, expiresAt } = issued.body as { url: string; expiresAt: string };
    expect(url.startsWith(`${baseUrl}/oauth/quickbooks/connect?ticket=`)).toBe(true);
    expect(new Date(expiresAt).getTime()).toBe(simClock.nowMs() + 10 * 60_000);

    const callback = await consentFrom(url);
    expect(new URL(callback).searchParams.get('realmId')).toBe(Qbo.DEMO_REALM_ID);
    const page = await browse(callback);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`HubSpot account ${PORTAL_A} is connected to the QuickBooks company ${DEMO_COMPANY}`);
    expect(page.text).toContain('Home currency USD');
    expect(page.text).toContain('Multicurrency On');
    expect(page.text).toContain('Books closed through 2026-06-30');
    expect(page.text).toContain('Custom transaction numbers On');
    expect(page.text).toContain(`Realm ID ${Qbo.DEMO_REALM_ID}`);

    const [row, ...others] = await connectionRows();
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      portal_id: String(PORTAL_A),
      realm_id: Qbo.DEMO_REALM_ID,
      status: 'connected',
      company_name: DEMO_COMPANY,
      country: 'US',
      home_currency: 'USD',
      multicurrency_enabled: true,
      custom_txn_numbers: true,
      connected_by_user_id: String(Hs.DEMO_USER.userId),
      connected_by_user_email: Hs.DEMO_USER.userEmail,
      key_id: service.context.vault.currentKeyId,
    });
    expect(new Date(row!.book_close_date).toISOString().slice(0, 10)).toBe('2026-06-30');

    // Sealed: the columns hold ciphertext, and what they open to is the live grant Intuit issued.
    const tokens = openTokens(row!);
    expect(row!.access_token_cipher.includes(Buffer.from(tokens.access))).toBe(false);
    expect(row!.refresh_token_cipher.includes(Buffer.from(tokens.refresh))).toBe(false);
    const [grant] = await grants();
    expect(tokens.access).toContain(grant!.accessToken!.prefix.replace(/…$/, ''));
    expect(tokens.refresh).toContain(grant!.refreshToken.prefix.replace(/…$/, ''));
    const api = await fetch(`${qbo.url}/v3/company/${Qbo.DEMO_REALM_ID}/companyinfo/${Qbo.DEMO_REALM_ID}`, {
      headers: { authorization: `Bearer ${tokens.access}`, accept: 'application/json' },
    });
    expect(api.status).toBe(200);

    // DealBooks read the company with the new token before storing, at minorversion 75.
    const reads = qbo.requests.list({ method: 'GET', path: `/v3/company/${Qbo.DEMO_REALM_ID}/` });
    expect(reads.map((r) => [r.path.split('/').pop(), r.query.minorversion, r.status])).toEqual(
      expect.arrayContaining([
        [Qbo.DEMO_REALM_ID, '75', 200],
        ['preferences', '75', 200],
      ]),
    );

    const status = await card(PORTAL_A, 'GET', '/api/quickbooks/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      status: 'connected',
      company: {
        realmId: Qbo.DEMO_REALM_ID,
        name: DEMO_COMPANY,
        homeCurrency: 'USD',
        multicurrencyEnabled: true,
        bookCloseDate: '2026-06-30',
        customTxnNumbers: true,
        country: 'US',
      },
      connectedBy: Hs.DEMO_USER.userEmail,
      problem: null,
      action: null,
      waitingJobs: 0,
    });
    expect(new Date((status.body as { connectedAt: string }).connectedAt).getTime()).toBeLessThanOrEqual(simClock.nowMs());
    expect((status.body as { refreshExpiresAt: string }).refreshExpiresAt).toEqual(expect.any(String));

    // No token, state or code in any log line of the whole flow. (The connect ticket still appears in the request log
    // line until http/app.ts redacts `ticket` as it does `state`.)
    const text = logs.text();
    for (const secret of [tokens.access, tokens.refresh, new URL(callback).searchParams.get('code')!, new URL(callback).searchParams.get('state')!, QBO_CLIENT_SECRET]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('QuickBooks connected');
  });

  it('When a connect URL is opened twice, then the second time shows a page that it was already used and starts nothing', async () => {
    const url = await connectUrl(PORTAL_A);
    const first = await browse(url);
    expect(first.status).toBe(302);
    const again = await browse(url);
    expect(again.status).toBe(400);
    expect(again.location).toBeNull();
    expect(again.text).toContain('This connect link was already used');
    expect(again.text).toContain('Connect QuickBooks');
    // It named no account DealBooks can trust any more: no retry button, the way back is through HubSpot.
    expect(actionHref(again.html)).toBeUndefined();

    const forged = await browse(`${baseUrl}/oauth/quickbooks/connect?ticket=${encodeURIComponent('abc.def')}`);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('was not made by DealBooks');
    const missing = await browse(`${baseUrl}/oauth/quickbooks/connect`);
    expect(missing.status).toBe(400);
    expect(await connectionRows()).toEqual([]);
  });

  it('When a connect URL is opened after 10 minutes, then it has expired and nothing starts', async () => {
    const url = await connectUrl(PORTAL_A);
    await simClock.advance(10 * 60_000 + 1000);
    const late = await browse(url);
    expect(late.status).toBe(400);
    expect(late.location).toBeNull();
    expect(late.text).toContain('expired: it works for 10 minutes');
    expect(await connectionRows()).toEqual([]);
    expect((await control('GET', '/_sim/oauth/counters')).counters).toEqual({});
  });

  it('When the account was uninstalled before the connect URL is opened, then the page says so and nothing starts', async () => {
    const url = await connectUrl(PORTAL_A);
    await service.db.pool.query(`UPDATE portals SET status = 'uninstalled', uninstalled_at = now() WHERE portal_id = $1`, [PORTAL_A]);
    const opened = await browse(url);
    expect(opened.status).toBe(403);
    expect(opened.text).toContain(`DealBooks is not installed in HubSpot account ${PORTAL_A}`);
    expect(await connectionRows()).toEqual([]);
  });

  it('When the person cancels on the QuickBooks page, then the page says so, nothing is stored, and its retry connects the same account', async () => {
    await control('POST', '/_sim/oauth/consent', { deny: true });
    const callback = await consentFrom(await connectUrl(PORTAL_A));
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const cancelled = await browse(callback);
    expect(cancelled.status).toBe(200);
    expect(cancelled.text).toContain('You cancelled the connection on the QuickBooks page, so nothing was changed.');
    expect(await connectionRows()).toEqual([]);

    const retry = actionHref(cancelled.html);
    expect(retry?.startsWith(`${baseUrl}/oauth/quickbooks/connect?ticket=`)).toBe(true);
    const done = await browse(await consentFrom(retry!));
    expect(done.status).toBe(200);
    expect((await connectionRows()).map((r) => [r.portal_id, r.status])).toEqual([[String(PORTAL_A), 'connected']]);
    // The cancelled callback's state was spent: replaying it changes nothing.
    const replay = await browse(callback);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('already used');
  });

  it('When the callback carries an invalid code, then Intuit refuses it, the page offers a retry, and nothing is stored', async () => {
    const callback = await consentFrom(await connectUrl(PORTAL_A));
    const page = await browse(callbackWith(callback, { code: 'AB11-not-a-real-code' }));
    expect(page.status).toBe(400);
    expect(page.text).toContain('Intuit refused the authorization code');
    expect(actionHref(page.html)?.startsWith(`${baseUrl}/oauth/quickbooks/connect?ticket=`)).toBe(true);
    expect(await connectionRows()).toEqual([]);
    expect((await grants()).length).toBe(0);
  });

  it('When a code that was already exchanged comes back with a fresh state, then it is refused and the connection is unchanged', async () => {
    const first = await connect(PORTAL_A);
    expect(first.status).toBe(200);
    const before = await connectionRows();
    const usedCode = new URL(first.callback).searchParams.get('code')!;

    const second = await consentFrom(await connectUrl(PORTAL_A));
    const page = await browse(callbackWith(second, { code: usedCode }));
    expect(page.status).toBe(400);
    expect(page.text).toContain('already used');
    expect(await connectionRows()).toEqual(before);
  });

  it('When the same callback is opened again, then its state was used: the page says so and the code is not exchanged again', async () => {
    const first = await connect(PORTAL_A);
    expect(first.status).toBe(200);
    const before = await connectionRows();
    const exchanges = (await control('GET', `/_sim/oauth/counters?realmId=${Qbo.DEMO_REALM_ID}`)).codeExchanges;

    const again = await browse(first.callback);
    expect(again.status).toBe(400);
    expect(again.text).toContain('This answer from QuickBooks was already used');
    expect(actionHref(again.html)).toBeUndefined();
    expect(await connectionRows()).toEqual(before);
    expect((await control('GET', `/_sim/oauth/counters?realmId=${Qbo.DEMO_REALM_ID}`)).codeExchanges).toBe(exchanges);
  });

  it('When the callback carries a state of another flow (a connect ticket, a HubSpot install state, a forged one), then it is refused and nothing is stored', async () => {
    const callback = await consentFrom(await connectUrl(PORTAL_A));
    const ticket = new URL(await connectUrl(PORTAL_A)).searchParams.get('ticket')!;
    const installState = await service.context.states.create({ provider: 'hubspot', purpose: 'authorize', redirectUri: `${baseUrl}/oauth/hubspot/callback` });

    for (const state of [ticket, installState]) {
      const page = await browse(callbackWith(callback, { state }));
      expect(page.status).toBe(400);
      expect(page.text).toContain('belongs to another DealBooks step');
    }
    const forged = await browse(callbackWith(callback, { state: 'forged.value' }));
    expect(forged.status).toBe(400);
    const missing = new URL(callback);
    missing.searchParams.delete('state');
    expect((await browse(missing.toString())).status).toBe(400);
    expect(await connectionRows()).toEqual([]);
    expect((await grants()).length).toBe(0);
  });

  it("When account A's flow comes back naming account B in the query, then only A is connected: the account comes from the state alone", async () => {
    const callback = await consentFrom(await connectUrl(PORTAL_A));
    const page = await browse(callbackWith(callback, { portalId: String(PORTAL_B), portal_id: String(PORTAL_B), hub_id: String(PORTAL_B) }));
    expect(page.status).toBe(200);
    expect(page.text).toContain(`HubSpot account ${PORTAL_A} is connected`);
    expect((await connectionRows()).map((r) => r.portal_id)).toEqual([String(PORTAL_A)]);

    const b = await card(PORTAL_B, 'GET', '/api/quickbooks/status');
    expect(b.body).toMatchObject({ status: 'not_connected', company: null, action: { label: 'Connect QuickBooks', method: 'POST', path: '/api/quickbooks/connect-url' } });
  });

  it('When the person picks another company while the account is connected to the first, then it is refused, the first stays intact and the new grant is revoked', async () => {
    expect((await connect(PORTAL_A)).status).toBe(200);
    const before = await connectionRows();

    await control('POST', '/_sim/oauth/consent', { pickOtherCompany: true });
    const callback = await consentFrom(await connectUrl(PORTAL_A));
    const otherRealm = new URL(callback).searchParams.get('realmId')!;
    expect(otherRealm).not.toBe(Qbo.DEMO_REALM_ID);
    const page = await browse(callback);
    expect(page.status).toBe(409);
    expect(page.text).toContain(`This HubSpot account is connected to ${DEMO_COMPANY} (realm ${Qbo.DEMO_REALM_ID}), but you chose ${OTHER_COMPANY}`);
    expect(page.text).toContain(`Choose ${DEMO_COMPANY} on the QuickBooks page, or disconnect it first`);
    expect(actionHref(page.html)?.startsWith(`${baseUrl}/oauth/quickbooks/connect?ticket=`)).toBe(true);

    expect(await connectionRows()).toEqual(before);
    const byRealm = Object.fromEntries((await grants()).map((g) => [g.realmId, g.revoked]));
    expect(byRealm).toEqual({ [Qbo.DEMO_REALM_ID]: false, [otherRealm]: true });
    const test = await card(PORTAL_A, 'POST', '/api/quickbooks/test');
    expect(test.status).toBe(200);
  });

  it('When reading the company fails, then nothing is stored, the new grant is revoked and the page explains it', async () => {
    await control('POST', '/_sim/faults', { path: '/preferences', status: 500 });
    const page = (await connect(PORTAL_A));
    expect(page.status).toBe(502);
    expect(page.text).toContain("DealBooks could not read the company's settings from QuickBooks");
    expect(page.text).toContain('withdrew the access you just gave');
    expect(actionHref(page.html)).toBeDefined();
    expect(await connectionRows()).toEqual([]);
    expect((await grants()).map((g) => g.revoked)).toEqual([true]);
    const failure = logs.entries().find((e) => e.msg === 'reading the QuickBooks company failed' && e.path === '/preferences');
    expect(failure).toMatchObject({ portalId: PORTAL_A, realmId: Qbo.DEMO_REALM_ID, status: 500, intuitTid: expect.any(String) });
  });

  it("When Intuit's token endpoint is down, then the page says to try again and nothing is stored", async () => {
    // The first try and intuit-oauth's three retries.
    await control('POST', '/_sim/faults', { path: Qbo.OAUTH_PATHS.token, status: 503, times: 4 });
    const page = await connect(PORTAL_A);
    expect(page.status).toBe(502);
    expect(page.text).toContain('DealBooks could not finish the connection with Intuit');
    expect(page.text).toContain('Try again in a few minutes');
    expect(await connectionRows()).toEqual([]);
  });

  it('When QuickBooks refuses the saved grant, then status says Reconnect; reconnecting the same company restores it and wakes waiting work', async () => {
    expect((await connect(PORTAL_A)).status).toBe(200);
    const [connected] = await connectionRows();

    // The person disconnected DealBooks inside QuickBooks: the API refuses the token and the refresh is invalid_grant.
    await control('POST', '/_sim/oauth/revoke', { realmId: Qbo.DEMO_REALM_ID });
    const test = await card(PORTAL_A, 'POST', '/api/quickbooks/test');
    expect(test.status).toBe(409);
    expect(test.body).toMatchObject({ error: { code: 'conflict', message: expect.stringContaining('Reconnect QuickBooks'), details: { status: 'needs_reconnect' } } });

    const blocked = await card(PORTAL_A, 'GET', '/api/quickbooks/status');
    expect(blocked.body).toMatchObject({
      status: 'needs_reconnect',
      company: { realmId: Qbo.DEMO_REALM_ID, name: DEMO_COMPANY },
      problem: expect.stringContaining('Reconnect QuickBooks'),
      action: { label: 'Reconnect QuickBooks', method: 'POST', path: '/api/quickbooks/connect-url' },
    });

    const wake = jest.spyOn(service.context.jobs, 'wake');
    const page = await connect(PORTAL_A);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`HubSpot account ${PORTAL_A} is reconnected to the QuickBooks company ${DEMO_COMPANY}`);
    expect(wake).toHaveBeenCalledWith(PORTAL_A);

    const rows = await connectionRows();
    expect(rows.map((r) => [r.id, r.status, r.failed_refresh_count, r.last_error])).toEqual([[connected!.id, 'connected', 0, null]]);
    expect((await card(PORTAL_A, 'GET', '/api/quickbooks/status')).body).toMatchObject({ status: 'connected', problem: null, action: null });
    expect((await card(PORTAL_A, 'POST', '/api/quickbooks/test')).status).toBe(200);
  });

  it('When the admin tests and then disconnects, then the test makes a real call, and disconnect revokes at Intuit, forgets the tokens and keeps the history', async () => {
    expect((await connect(PORTAL_A)).status).toBe(200);
    const test = await card(PORTAL_A, 'POST', '/api/quickbooks/test');
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: true, company: { realmId: Qbo.DEMO_REALM_ID, name: DEMO_COMPANY, country: 'US' }, intuitTid: expect.any(String) });
    expect(new Date((test.body as { checkedAt: string }).checkedAt).getTime()).toBe(simClock.nowMs());

    // QBO failing: 502 with words and Intuit's trace id.
    await control('POST', '/_sim/faults', { path: '/companyinfo/', status: 503 });
    const failing = await firstTry(PORTAL_A, 'POST', '/api/quickbooks/test');
    expect(failing.status).toBe(502);
    const error = (failing.body as { error: { code: string; message: string; details: { intuitTid: string } } }).error;
    expect(error.code).toBe('quickbooks_failed');
    expect(error.message).toMatch(/^QuickBooks answered 503.*Try again in a few minutes/);
    expect(error.details.intuitTid).toEqual(expect.any(String));
    expect(JSON.stringify(failing.body)).not.toMatch(/Fault|"type"/);

    const out = await card(PORTAL_A, 'POST', '/api/quickbooks/disconnect');
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ status: 'disconnected', disconnected: true, revoked: true, company: { name: DEMO_COMPANY } });
    expect((await grants()).map((g) => g.revoked)).toEqual([true]);
    const [row, ...none] = await connectionRows();
    expect(none).toEqual([]);
    expect(row).toMatchObject({ status: 'disconnected', access_token_cipher: null, refresh_token_cipher: null, key_id: null, company_name: DEMO_COMPANY, realm_id: Qbo.DEMO_REALM_ID });
    expect(row!.disconnected_at).toBeInstanceOf(Date);

    const again = await card(PORTAL_A, 'POST', '/api/quickbooks/disconnect');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'disconnected', disconnected: false, revoked: null });
    expect((await control('GET', `/_sim/oauth/counters?realmId=${Qbo.DEMO_REALM_ID}`)).revocations).toBe(1);

    const status = await card(PORTAL_A, 'GET', '/api/quickbooks/status');
    expect(status.body).toMatchObject({
      status: 'disconnected',
      company: { realmId: Qbo.DEMO_REALM_ID, name: DEMO_COMPANY },
      problem: expect.stringContaining('was disconnected'),
      action: { label: 'Connect QuickBooks' },
    });
    const afterwards = await card(PORTAL_A, 'POST', '/api/quickbooks/test');
    expect(afterwards.status).toBe(409);
    expect(afterwards.body).toMatchObject({ error: { details: { status: 'not_connected' } } });

    // Connecting again starts a new connection; the old one stays as history.
    expect((await connect(PORTAL_A)).status).toBe(200);
    expect((await connectionRows()).map((r) => r.status)).toEqual(['disconnected', 'connected']);
  });

  it("When Intuit's revoke endpoint fails during disconnect, then the tokens are forgotten all the same and the answer says how to remove the app by hand", async () => {
    expect((await connect(PORTAL_A)).status).toBe(200);
    await control('POST', '/_sim/faults', { path: Qbo.OAUTH_PATHS.revoke, status: 500, times: 4 });
    const out = await card(PORTAL_A, 'POST', '/api/quickbooks/disconnect');
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ status: 'disconnected', disconnected: true, revoked: false });
    expect((out.body as { message: string }).message).toContain('sign in to QuickBooks, open Apps > My apps, and disconnect DealBooks');
    const [row] = await connectionRows();
    expect(row).toMatchObject({ status: 'disconnected', access_token_cipher: null, refresh_token_cipher: null });
    // Intuit never heard of it: the grant is still alive there, which is what the words ask the person to fix.
    expect((await grants()).map((g) => g.revoked)).toEqual([false]);
  });

  it("When account B asks, then it never sees or changes account A's connection", async () => {
    expect((await connect(PORTAL_A)).status).toBe(200);
    const before = await connectionRows();

    const status = await card(PORTAL_B, 'GET', '/api/quickbooks/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'not_connected', company: null, connectedBy: null, problem: expect.stringContaining('not connected') });
    const test = await card(PORTAL_B, 'POST', '/api/quickbooks/test');
    expect(test.status).toBe(409);
    expect(test.body).toMatchObject({ error: { details: { status: 'not_connected' } } });
    const out = await card(PORTAL_B, 'POST', '/api/quickbooks/disconnect');
    expect(out.body).toMatchObject({ status: 'not_connected', disconnected: false });

    expect(await connectionRows()).toEqual(before);
    expect((await grants()).map((g) => g.revoked)).toEqual([false]);
    expect((await card(PORTAL_A, 'GET', '/api/quickbooks/status')).body).toMatchObject({ status: 'connected' });
  });
});
