import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEALBOOKS_DEAL_PROPERTIES, DEALBOOKS_PROPERTY_GROUP, ESTIMATE_STATUSES, INVOICE_STATUSES } from '../../server/src/hubspot/deal-properties';
import { DEAL_PROPERTIES_QUEUE } from '../../server/src/jobs/connection-jobs';
import { ensureDealProperties } from '../../server/src/connections/install-hubspot';
import { HUBSPOT_REQUIRED_SCOPES } from '../../server/src/hubspot/scopes';
import { SimClock } from '../simulators/common/clock';
import * as Hs from '../simulators/hubspot';
import { captureLogger, DATABASE_KIND, startTestService, type TestService } from '../support/harness';
import { bindLoopback, type BoundServer } from '../support/loopback';
import { pageText } from '../support/world';

/**
 * The HubSpot install as an admin's browser goes through it, over real HTTP: DealBooks' install URL -> the
 * simulator's consent screen -> DealBooks' callback -> the page. DealBooks and HubSpot share one frozen clock, so
 * "10 minutes later" is a clock move, not a wait. Each test installs into a portal of its own.
 */
const INSTALL = '/oauth/hubspot/install';
const CALLBACK = '/oauth/hubspot/callback';
const MINUTE = 60_000;

const clock = new SimClock({ freeze: true });
const logs = captureLogger();
let sim: Hs.HubSpotSimulator;
let service: TestService;
let bound: BoundServer;
let base: string;
let nextPortal = 62_600_001;
const newPortal = () => nextPortal++;


beforeAll(async () => {
  // DealBooks' public address must be known before the simulator (its redirect URL) and the config are built.
  bound = await bindLoopback();
  base = bound.url;
  sim = await Hs.startHubSpotSimulator({ clock, seed: 'none', apps: [{ ...Hs.demoApp(), redirectUris: [`${base}${CALLBACK}`] }], installed: [] });
  service = await startTestService({
    logger: logs.logger,
    clock: { now: () => clock.now() },
    env: {
      PORT: String(bound.port),
      PUBLIC_BASE_URL: base,
      HUBSPOT_CLIENT_ID: Hs.DEMO_CLIENT_ID,
      HUBSPOT_CLIENT_SECRET: Hs.DEMO_CLIENT_SECRET,
      HUBSPOT_APP_ID: String(Hs.DEMO_APP_ID),
      HUBSPOT_API_BASE_URL: sim.url,
      HUBSPOT_AUTHORIZE_URL: `${sim.url}/oauth/authorize`,
    },
  });
  service.serve(bound.server);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
});

afterAll(async () => {
  await service?.close();
  await sim?.close();
  await bound?.close();
});

// ------------------------------------------------------------------------------------------------ the browser

interface Visit {
  url: string;
  status: number;
  location: string | undefined;
  headers: Headers;
  html: string;
  /** The page as a person reads it: tags dropped, entities decoded, white space collapsed. */
  text: string;
}

async function visit(url: string): Promise<Visit> {
  const response = await fetch(url, { redirect: 'manual' });
  const html = await response.text();
  const location = response.headers.get('location') ?? undefined;
  return { url, status: response.status, location: location && new URL(location, url).toString(), headers: response.headers, html, text: pageText(html) };
}


/** Follows redirects like a browser; returns every URL visited and the page it ends on. */
async function browse(url: string): Promise<{ page: Visit; visited: string[] }> {
  const visited: string[] = [];
  let current = await visit(url);
  visited.push(url);
  while (current.status >= 300 && current.status < 400 && current.location) {
    if (visited.length > 5) throw new Error(`too many redirects: ${visited.join(' -> ')}`);
    visited.push(current.location);
    current = await visit(current.location);
  }
  return { page: current, visited };
}

async function control(pathname: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${sim.url}/_sim${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`simulator ${pathname}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** What the admin decides on HubSpot's consent screen next. */
const planConsent = (decision: { portalId?: number; deny?: boolean; userId?: number; userEmail?: string }) => control('/oauth/consent', decision);

/** The whole install, ending on DealBooks' page. */
async function install(portalId: number, consent: { userId?: number; userEmail?: string } = {}) {
  await planConsent({ portalId, ...consent });
  const { page, visited } = await browse(`${base}${INSTALL}`);
  const callback = visited.find((u) => u.startsWith(`${base}${CALLBACK}`));
  if (!callback) throw new Error(`the flow never reached the callback: ${visited.join(' -> ')}`);
  return { page, visited, callback };
}

/** The first half: DealBooks' install URL and HubSpot's consent, stopping before the browser opens the callback. */
async function consentOnly(decision: { portalId?: number; deny?: boolean }): Promise<URL> {
  await planConsent(decision);
  const start = await visit(`${base}${INSTALL}`);
  const consent = await visit(start.location!);
  expect(consent.status).toBe(302);
  return new URL(consent.location!);
}

/** A fresh state from DealBooks' install URL, without visiting HubSpot. */
async function freshState(): Promise<string> {
  const start = await visit(`${base}${INSTALL}`);
  return new URL(start.location!).searchParams.get('state')!;
}

const callbackUrl = (params: Record<string, string>) => `${base}${CALLBACK}?${new URLSearchParams(params).toString()}`;

// ------------------------------------------------------------------------------------------------ what is stored

const pool = () => service.context.pool;

interface Stored {
  portals: Array<{ status: string; hub_domain: string | null; installed_at: Date }>;
  credentials: Array<{ access_token_cipher: Buffer; refresh_token_cipher: Buffer; key_id: string; scopes: string[]; status: string; token_version: number; installed_by_user_id: string | null; as_text: string }>;
}

async function stored(portalId: number): Promise<Stored> {
  const portals = await pool().query('SELECT status, hub_domain, installed_at FROM portals WHERE portal_id = $1', [portalId]);
  const credentials = await pool().query(
    `SELECT access_token_cipher, refresh_token_cipher, key_id, scopes, status, token_version, installed_by_user_id, c::text AS as_text
       FROM hubspot_credentials c WHERE portal_id = $1`,
    [portalId],
  );
  return { portals: portals.rows, credentials: credentials.rows };
}

async function exchangesAtHubSpot(portalId: number): Promise<number> {
  const { counters } = (await (await fetch(`${sim.url}/_sim/oauth/installs`)).json()) as { counters: Record<string, { codeExchanges: number }> };
  return counters[String(portalId)]?.codeExchanges ?? 0;
}

async function introspectAtHubSpot(token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${sim.url}/oauth/2026-03/token/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: Hs.DEMO_CLIENT_ID, client_secret: Hs.DEMO_CLIENT_SECRET }),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function hubspotGet(token: string, pathname: string): Promise<any> {
  const response = await fetch(`${sim.url}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.json();
}

async function propertyWrites(portalId: number): Promise<number> {
  const query = new URLSearchParams({ method: 'POST', path: '/crm/v3/properties/deals', account: String(portalId) });
  const { requests } = (await (await fetch(`${sim.url}/_sim/requests?${query.toString()}`)).json()) as { requests: unknown[] };
  return requests.length;
}

async function expectNothingStored(portalId: number): Promise<void> {
  expect(await stored(portalId)).toEqual({ portals: [], credentials: [] });
}

const OUR_PROPERTY_NAMES = DEALBOOKS_DEAL_PROPERTIES.map((p) => p.name);

// ------------------------------------------------------------------------------------------------ the tests

describe(`HubSpot install (${DATABASE_KIND})`, () => {
  it("When the scopes DealBooks asks for are compared with the HubSpot app's app-hsmeta.json, then they are its requiredScopes exactly", () => {
    const meta = JSON.parse(readFileSync(path.join(__dirname, '../../hubspot-app/src/app/app-hsmeta.json'), 'utf8')) as { config: { auth: { requiredScopes: string[] } } };
    expect([...HUBSPOT_REQUIRED_SCOPES]).toEqual(meta.config.auth.requiredScopes);
  });

  it('When the install URL is opened, then it redirects to HubSpot with the client id, exactly the required scopes, the callback and a fresh stored state', async () => {
    const first = await visit(`${base}${INSTALL}`);
    expect(first.status).toBe(302);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const authorize = new URL(first.location!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${sim.url}/oauth/authorize`);
    expect([...authorize.searchParams.keys()].sort()).toEqual(['client_id', 'redirect_uri', 'scope', 'state']);
    expect(authorize.searchParams.get('client_id')).toBe(Hs.DEMO_CLIENT_ID);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}${CALLBACK}`);
    expect(authorize.searchParams.get('scope')!.split(' ')).toEqual([...HUBSPOT_REQUIRED_SCOPES]);
    const state = authorize.searchParams.get('state')!;
    expect(state).toMatch(/^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}$/);

    // Only a hash is kept, valid for 10 minutes; every visit gets its own state.
    const { rows } = await pool().query('SELECT provider, purpose, redirect_uri, expires_at FROM oauth_states WHERE state_hash = $1', [createHash('sha256').update(state).digest()]);
    expect(rows).toEqual([{ provider: 'hubspot', purpose: 'authorize', redirect_uri: `${base}${CALLBACK}`, expires_at: new Date(clock.nowMs() + 10 * MINUTE) }]);
    const second = new URL((await visit(`${base}${INSTALL}`)).location!);
    expect(second.searchParams.get('state')).not.toBe(state);
  });

  it('When an admin installs, then the account and its encrypted tokens are stored, the deal properties exist in HubSpot and the page says to connect QuickBooks next', async () => {
    const portalId = newPortal();
    const wake = jest.spyOn(service.context.jobs, 'wake');
    const { page, visited, callback } = await install(portalId, { userId: 7301, userEmail: 'admin.7301@customer.example' });

    expect(visited[1]).toContain(`${sim.url}/oauth/authorize?`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain(`DealBooks is installed in HubSpot account ${portalId}.`);
    expect(page.text).toContain('Next step: connect QuickBooks from the DealBooks settings page in HubSpot (Settings > Connected apps > DealBooks).');
    expect(page.text).not.toContain('could not create');

    const { portals, credentials } = await stored(portalId);
    expect(portals).toEqual([{ status: 'installed', hub_domain: `portal-${portalId}.sim.hubspot.test`, installed_at: clock.now() }]);
    expect(credentials).toHaveLength(1);
    const row = credentials[0]!;
    expect(row).toMatchObject({ status: 'active', token_version: 1, installed_by_user_id: '7301' });
    expect([...row.scopes].sort()).toEqual([...HUBSPOT_REQUIRED_SCOPES].sort());

    // The token DealBooks hands out is the one HubSpot issued for this account...
    const { token: accessToken } = await service.context.hubspot.installs.accessToken(portalId);
    expect(await introspectAtHubSpot(accessToken)).toMatchObject({ active: true, hub_id: portalId, app_id: Hs.DEMO_APP_ID });
    const refreshToken = service.context.vault.open(row.refresh_token_cipher, row.key_id, `hubspot:${portalId}:refresh`);
    const refreshMeta = await fetch(`${sim.url}/oauth/v1/refresh-tokens/${refreshToken}`);
    expect(refreshMeta.status).toBe(200);
    expect(await refreshMeta.json()).toMatchObject({ hub_id: portalId });
    // ...and neither token is in the database as it is.
    for (const token of [accessToken, refreshToken]) {
      expect(row.access_token_cipher.includes(Buffer.from(token))).toBe(false);
      expect(row.refresh_token_cipher.includes(Buffer.from(token))).toBe(false);
      expect(row.as_text).not.toContain(token);
      expect(row.as_text).not.toContain(Buffer.from(token).toString('hex'));
    }

    // The group and every property, as HubSpot now reports them.
    const group = await hubspotGet(accessToken, `/crm/v3/properties/deals/groups/${DEALBOOKS_PROPERTY_GROUP.name}`);
    expect(group).toMatchObject({ name: 'dealbooks', label: 'DealBooks' });
    const { results } = (await hubspotGet(accessToken, '/crm/v3/properties/deals')) as { results: Array<Record<string, any>> };
    const ours = new Map(results.filter((p) => p.groupName === 'dealbooks').map((p) => [p.name as string, p]));
    expect([...ours.keys()].sort()).toEqual([...OUR_PROPERTY_NAMES].sort());
    expect(Object.fromEntries([...ours].map(([name, p]) => [name, `${p.type}/${p.fieldType}`]))).toEqual({
      dealbooks_qbo_customer: 'string/text',
      dealbooks_invoice_id: 'string/text',
      dealbooks_invoice_number: 'string/text',
      dealbooks_invoice_status: 'enumeration/select',
      dealbooks_invoice_total: 'number/number',
      dealbooks_invoice_balance: 'number/number',
      dealbooks_invoice_due_date: 'date/date',
      dealbooks_invoice_link: 'string/text',
      dealbooks_amount_paid: 'number/number',
      dealbooks_last_payment_date: 'date/date',
      dealbooks_last_payment_amount: 'number/number',
      dealbooks_first_paid_date: 'date/date',
      dealbooks_days_overdue: 'number/number',
      dealbooks_estimate_status: 'enumeration/select',
      dealbooks_last_problem: 'string/textarea',
      dealbooks_last_synced: 'datetime/date',
    });
    expect(ours.get('dealbooks_invoice_status')!.options.map((o: { value: string }) => o.value)).toEqual([...INVOICE_STATUSES]);
    expect(ours.get('dealbooks_estimate_status')!.options.map((o: { value: string }) => o.value)).toEqual([...ESTIMATE_STATUSES]);

    expect(wake).toHaveBeenCalledWith(portalId);

    // One info line says what happened, by account; nothing secret or personal is in any line.
    const installed = logs.entries().filter((e) => e.msg === 'DealBooks installed in a HubSpot account' && e.portalId === portalId);
    expect(installed).toEqual([expect.objectContaining({ level: 30, firstInstall: true, propertiesReady: true })]);
    const callbackParams = new URL(callback).searchParams;
    const text = logs.text();
    for (const secret of [accessToken, refreshToken, callbackParams.get('code')!, callbackParams.get('state')!, Hs.DEMO_CLIENT_SECRET, 'admin.7301@customer.example']) {
      expect(text).not.toContain(secret);
    }
  });

  it('When the same account installs again, then its tokens are replaced (token_version 2), nothing is duplicated and no property is created twice', async () => {
    const portalId = newPortal();
    await install(portalId);
    const before = await stored(portalId);
    const firstToken = (await service.context.hubspot.installs.accessToken(portalId)).token;
    expect(await propertyWrites(portalId)).toBe(1 + OUR_PROPERTY_NAMES.length);
    await clock.advance(MINUTE);

    const { page } = await install(portalId);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`DealBooks is installed in HubSpot account ${portalId}.`);
    expect(page.text).toContain('authorization has been renewed');

    const after = await stored(portalId);
    expect(after.portals).toEqual(before.portals);
    expect(after.credentials).toHaveLength(1);
    expect(after.credentials[0]!.token_version).toBe(2);
    const secondToken = (await service.context.hubspot.installs.accessToken(portalId)).token;
    expect(secondToken).not.toBe(firstToken);
    expect(await introspectAtHubSpot(secondToken)).toMatchObject({ active: true, hub_id: portalId });
    expect(await propertyWrites(portalId)).toBe(1 + OUR_PROPERTY_NAMES.length);
    const { rows } = await pool().query('SELECT count(*)::int AS n FROM portals WHERE portal_id = $1', [portalId]);
    expect(rows[0].n).toBe(1);
  });

  it('When an account DealBooks had marked uninstalled installs again, then it is installed and its grant active again', async () => {
    const portalId = newPortal();
    await install(portalId);
    await pool().query(`UPDATE portals SET status = 'uninstalled', uninstalled_at = $2 WHERE portal_id = $1`, [portalId, clock.now()]);
    await pool().query(`UPDATE hubspot_credentials SET status = 'revoked' WHERE portal_id = $1`, [portalId]);

    const { page } = await install(portalId);
    expect(page.status).toBe(200);
    const { portals, credentials } = await stored(portalId);
    expect(portals[0]!.status).toBe('installed');
    expect(credentials[0]!.status).toBe('active');
    await expect(service.context.hubspot.installs.accessToken(portalId)).resolves.toMatchObject({ version: 2 });
  });

  it('When the callback URL is opened a second time, then the page says the link was used and nothing changes', async () => {
    const portalId = newPortal();
    const { callback } = await install(portalId);
    const before = await stored(portalId);

    const replay = await visit(callback);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('This install link was already used');
    expect(replay.text).toContain('Start the install again');
    expect(replay.html).toContain(`href="${INSTALL}"`);
    expect(await stored(portalId)).toEqual(before);
    expect(await exchangesAtHubSpot(portalId)).toBe(1);
  });

  it('When the admin takes more than 10 minutes on the consent screen, then the state has expired, the code is not used and nothing is stored', async () => {
    const portalId = newPortal();
    const callback = await consentOnly({ portalId });
    await clock.advance(11 * MINUTE);

    const page = await visit(callback.toString());
    expect(page.status).toBe(400);
    expect(page.text).toContain('This install request has expired');
    expect(page.text).toContain('within 10 minutes');
    expect(page.html).toContain(`href="${INSTALL}"`);
    await expectNothingStored(portalId);
    expect(await exchangesAtHubSpot(portalId)).toBe(0);
  });

  it('When the admin takes 9 minutes on the consent screen, then the install still completes', async () => {
    const portalId = newPortal();
    const callback = await consentOnly({ portalId });
    await clock.advance(9 * MINUTE);
    const page = await visit(callback.toString());
    expect(page.status).toBe(200);
    expect(page.text).toContain(`DealBooks is installed in HubSpot account ${portalId}.`);
  });

  it('When the state is missing, malformed or forged, then the page refuses it, the code is not used and the real state still works', async () => {
    const portalId = newPortal();
    const callback = await consentOnly({ portalId });
    const code = callback.searchParams.get('code')!;
    const state = callback.searchParams.get('state')!;
    const [nonce, signature] = state.split('.') as [string, string];
    const forgedSignature = `${nonce}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const otherNonce = `${nonce.startsWith('A') ? 'B' : 'A'}${nonce.slice(1)}.${signature}`;

    const attempts: Array<Record<string, string>> = [{ code }, { code, state: 'abc' }, { code, state: forgedSignature }, { code, state: otherNonce }, { code, state: `${state}.x` }];
    for (const params of attempts) {
      const page = await visit(callbackUrl(params));
      expect(page.status).toBe(400);
      expect(page.text).toContain('The link is incomplete or was not issued by DealBooks');
      expect(page.text).toContain('Nothing was saved.');
    }
    await expectNothingStored(portalId);
    expect(await exchangesAtHubSpot(portalId)).toBe(0);

    const real = await visit(callback.toString());
    expect(real.status).toBe(200);
    expect((await stored(portalId)).portals).toHaveLength(1);
  });

  it('When a signed state is not in the database or belongs to the QuickBooks flow, then the page says so and nothing is stored', async () => {
    const portalId = newPortal();
    const callback = await consentOnly({ portalId });
    const code = callback.searchParams.get('code')!;
    const state = callback.searchParams.get('state')!;
    await pool().query('DELETE FROM oauth_states WHERE state_hash = $1', [createHash('sha256').update(state).digest()]);
    const unknown = await visit(callback.toString());
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('DealBooks does not recognise this install request');

    const installedPortal = newPortal();
    await install(installedPortal);
    const quickbooksState = await service.context.states.create({ provider: 'quickbooks', purpose: 'authorize', portalId: installedPortal, redirectUri: `${base}/oauth/quickbooks/callback` });
    const wrongFlow = await visit(callbackUrl({ code, state: quickbooksState }));
    expect(wrongFlow.status).toBe(400);
    expect(wrongFlow.text).toContain('This link belongs to another DealBooks flow');

    await expectNothingStored(portalId);
    expect(await exchangesAtHubSpot(portalId)).toBe(0);
  });

  it('When the admin cancels on the consent screen, then the page says the install was cancelled, offers to start again and nothing is stored', async () => {
    const before = await pool().query('SELECT count(*)::int AS n FROM portals');
    await planConsent({ deny: true });
    const { page, visited } = await browse(`${base}${INSTALL}`);
    expect(new URL(visited.at(-1)!).searchParams.get('error')).toBe('access_denied');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Install cancelled');
    expect(page.text).toContain("You cancelled on HubSpot's consent screen, so DealBooks was not installed.");
    expect(page.html).toContain(`href="${INSTALL}"`);
    const after = await pool().query('SELECT count(*)::int AS n FROM portals');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('When HubSpot returns another error, then the page names the error code only and nothing is stored', async () => {
    const before = await pool().query('SELECT count(*)::int AS n FROM portals');
    const state = await freshState();
    const page = await visit(callbackUrl({ state, error: 'invalid_scope', error_description: '<b>Call +1 555 0100 to fix this</b>' }));
    expect(page.status).toBe(400);
    expect(page.text).toContain('HubSpot ended the install with the error "invalid_scope".');
    // HubSpot's free text is not repeated: anyone can put words into a link to this page.
    expect(page.text).not.toContain('555 0100');
    const after = await pool().query('SELECT count(*)::int AS n FROM portals');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('When the callback carries a used or made-up code, then HubSpot refuses it, the page explains and the existing install is untouched', async () => {
    const portalId = newPortal();
    const { callback } = await install(portalId);
    const before = await stored(portalId);
    const usedCode = new URL(callback).searchParams.get('code')!;

    for (const code of [usedCode, 'made-up-code']) {
      const page = await visit(callbackUrl({ code, state: await freshState() }));
      expect(page.status).toBe(400);
      expect(page.text).toContain('HubSpot did not accept the authorization code');
      expect(page.text).toContain('Nothing was saved.');
      expect(page.html).toContain(`href="${INSTALL}"`);
    }
    expect(await stored(portalId)).toEqual(before);
  });

  it.each([
    ['the connection is reset during the token exchange', { path: '/oauth/2026-03/token', method: 'POST', kind: 'reset' }],
    ['the token exchange answers 503', { path: '/oauth/2026-03/token', method: 'POST', status: 503 }],
    ['token introspection answers 502', { path: '/oauth/2026-03/token/introspect', method: 'POST', status: 502 }],
  ])('When %s, then the page says to try again and nothing is stored', async (_what, fault) => {
    const portalId = newPortal();
    await control('/faults', { ...fault, times: 1 });
    const { page } = await install(portalId);
    expect(page.status).toBe(502);
    expect(page.text).toContain('HubSpot could not be reached');
    expect(page.text).toContain('Please try again in a few minutes.');
    expect(page.html).toContain(`href="${INSTALL}"`);
    await expectNothingStored(portalId);

    // Trying again works.
    const again = await install(portalId);
    expect(again.page.status).toBe(200);
  });

  it('When HubSpot fails while the deal properties are created, then the install is kept, the page gives the reason and a later attempt creates them', async () => {
    const portalId = newPortal();
    await control('/faults', { path: '/crm/v3/properties/deals/groups', status: 500, times: 1 });
    const { page } = await install(portalId);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`DealBooks is installed in HubSpot account ${portalId}.`);
    expect(page.text).toContain('could not create its deal properties in HubSpot yet (HubSpot answered HTTP 500: internal error)');
    expect(page.text).toContain('They will be created on the next attempt');
    expect(page.text).toContain('Next step: connect QuickBooks');
    expect((await stored(portalId)).credentials).toHaveLength(1);
    expect(await propertyWrites(portalId)).toBe(0);

    // The queued job creates them.
    expect(await service.jobs.runNext(DEAL_PROPERTIES_QUEUE)).toBe('completed');
    expect(await propertyWrites(portalId)).toBe(1 + OUR_PROPERTY_NAMES.length);
    // Idempotent: nothing is sent a second time.
    expect(await ensureDealProperties(service.context, portalId)).toEqual({ groupCreated: false, created: [], updated: [] });
    expect(await propertyWrites(portalId)).toBe(1 + OUR_PROPERTY_NAMES.length);
  });

  // HubSpot's consent screen grants all required scopes or none, and the simulator refuses an install URL whose scopes
  // the app does not declare: no real consent yields fewer scopes. The grant is narrowed where DealBooks reads it.
  it('When the grant lacks a required scope, then the install is refused with the missing scope named and nothing is stored', async () => {
    const portalId = newPortal();
    const oauth = service.context.hubspot.oauth;
    const introspect = oauth.introspect.bind(oauth);
    jest.spyOn(oauth, 'introspect').mockImplementationOnce(async (token) => {
      const real = await introspect(token);
      return { ...real, scopes: real.scopes?.filter((s) => s !== 'crm.schemas.deals.write') };
    });
    const { page } = await install(portalId);
    expect(page.status).toBe(403);
    expect(page.text).toContain('DealBooks needs more permissions');
    expect(page.text).toContain('Permissions not granted crm.schemas.deals.write');
    expect(page.html).toContain(`href="${INSTALL}"`);
    await expectNothingStored(portalId);
  });

  it('When storing the install fails inside DealBooks, then the page says something went wrong on our side and the error is logged', async () => {
    const portalId = newPortal();
    jest.spyOn(service.context.hubspot.installs, 'store').mockRejectedValueOnce(new Error('database unavailable'));
    const { page } = await install(portalId);
    expect(page.status).toBe(500);
    expect(page.text).toContain("Something went wrong on DealBooks' side and the install was not completed.");
    expect(page.html).toContain(`href="${INSTALL}"`);
    expect(logs.entries()).toContainEqual(expect.objectContaining({ level: 50, msg: 'HubSpot install failed unexpectedly' }));
    await expectNothingStored(portalId);
  });

  it('When the grant is for another app than HUBSPOT_APP_ID, then the install is refused and nothing is stored', async () => {
    const portalId = newPortal();
    const oauth = service.context.hubspot.oauth;
    const introspect = oauth.introspect.bind(oauth);
    jest.spyOn(oauth, 'introspect').mockImplementationOnce(async (token) => ({ ...(await introspect(token)), app_id: 999_999 }));
    const { page } = await install(portalId);
    expect(page.status).toBe(400);
    expect(page.text).toContain('HubSpot issued this authorization to app 999999');
    await expectNothingStored(portalId);
  });
});
