import { Client } from '@hubspot/api-client';
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties';
import { SimClock } from '../common/clock';
import * as Hs from '../hubspot';
import { ensureDealBooksProperties } from './deal-properties';
import { hubspotToken } from './consumer-support';

/**
 * DealBooks' HubSpot install: authorize -> code -> 2026-03 token (form) -> introspect for the hub id -> create the
 * app's deal property group and properties if missing -> refresh when a call gets 401.
 */
let clock: SimClock;
let sim: Hs.HubSpotSimulator;
const REDIRECT = Hs.DEMO_REDIRECT_URIS[0] ?? '';
const CREDENTIALS = { client_id: Hs.DEMO_CLIENT_ID, client_secret: Hs.DEMO_CLIENT_SECRET };

beforeEach(async () => {
  clock = new SimClock({ freeze: true });
  sim = await Hs.startHubSpotSimulator({ clock });
});
afterEach(async () => sim.close());

/** The user's browser: open the authorize URL DealBooks built, come back with the callback URL. */
async function authorize(state: string): Promise<URL> {
  const url = new URL(`${sim.url}/oauth/authorize`);
  url.searchParams.set('client_id', Hs.DEMO_CLIENT_ID);
  url.searchParams.set('redirect_uri', REDIRECT);
  url.searchParams.set('scope', Hs.DEALBOOKS_SCOPES.join(' '));
  url.searchParams.set('state', state);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

async function install(): Promise<{ access_token: string; refresh_token: string; hub_id: number }> {
  const callback = await authorize('csrf-h');
  expect(callback.origin + callback.pathname).toBe(REDIRECT);
  expect(callback.searchParams.get('state')).toBe('csrf-h');
  const code = callback.searchParams.get('code') ?? '';
  const token = await hubspotToken(sim.url, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...CREDENTIALS });
  expect(token.status).toBe(200);
  return token.body as { access_token: string; refresh_token: string; hub_id: number };
}

describe('HubSpot install flow', () => {
  it('When DealBooks exchanges the code and introspects the token, then it learns the hub id, app, user and scopes', async () => {
    const tokens = await install();
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 1800, hub_id: Hs.DEMO_PORTAL_ID });
    // introspect takes the token and the app's credentials as a form, like the token call.
    const response = await fetch(`${sim.url}/oauth/2026-03/token/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token, ...CREDENTIALS }),
    });
    expect(response.status).toBe(200);
    const meta = (await response.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ active: true, hub_id: Hs.DEMO_PORTAL_ID, app_id: Hs.DEMO_APP_ID, user_id: expect.any(Number) });
    expect(meta.scopes).toEqual(expect.arrayContaining(['crm.schemas.deals.write', 'crm.objects.deals.write']));
    expect(meta.expires_in).toBeGreaterThan(0);
  });

  it('When the callback is replayed (the user reloads it), then the used code fails with invalid_grant and the first tokens still work', async () => {
    const callback = await authorize('csrf-r');
    const form = { grant_type: 'authorization_code', code: callback.searchParams.get('code') ?? '', redirect_uri: REDIRECT, ...CREDENTIALS };
    const first = await hubspotToken(sim.url, form);
    expect(first.status).toBe(200);
    const again = await hubspotToken(sim.url, form);
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const client = new Client({ accessToken: first.body.access_token as string, basePath: sim.url });
    expect((await client.crm.deals.basicApi.getPage(1)).results).toHaveLength(1);
  });

  it('When an expired token is introspected, then it reads active: false', async () => {
    const tokens = await install();
    await clock.advance(1800 * 1000);
    const response = await fetch(`${sim.url}/oauth/2026-03/token/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token, ...CREDENTIALS }),
    });
    expect(await response.json()).toEqual({ active: false });
  });

  it('When the install runs twice, then the property group and properties are created once and the 409s are handled', async () => {
    const tokens = await install();
    const client = new Client({ accessToken: tokens.access_token, basePath: sim.url });
    const first = await ensureDealBooksProperties(client);
    expect(first).toEqual({ groupCreated: true, created: ['dealbooks_invoice_number', 'dealbooks_invoice_status', 'dealbooks_balance', 'dealbooks_invoice_url'] });
    const second = await ensureDealBooksProperties(client);
    expect(second).toEqual({ groupCreated: false, created: [] });

    const status = await client.crm.properties.coreApi.getByName('deals', 'dealbooks_invoice_status');
    expect(status).toMatchObject({ groupName: 'dealbooks', type: 'enumeration', fieldType: 'select', hubspotDefined: false });
    expect(status.options.map((o) => o.value)).toEqual(['draft', 'sent', 'partially_paid', 'paid', 'voided']);
    const group = await client.crm.properties.groupsApi.getByName('deals', 'dealbooks');
    expect(group).toMatchObject({ name: 'dealbooks', label: 'DealBooks' });
  });

  it('When a property exists, then creating it again is a 409 the SDK surfaces with the HubSpot error body', async () => {
    const client = new Client({ accessToken: (await install()).access_token, basePath: sim.url });
    const property = { name: 'dealbooks_balance', label: 'QuickBooks balance', type: PropertyCreateTypeEnum.Number, fieldType: PropertyCreateFieldTypeEnum.Number, groupName: 'dealinformation' };
    await client.crm.properties.coreApi.create('deals', property);
    await expect(client.crm.properties.coreApi.create('deals', property)).rejects.toMatchObject({ code: 409, body: { status: 'error', category: 'OBJECT_ALREADY_EXISTS' } });
  });

  it('When the access token has expired, then the call gets 401 EXPIRED_AUTHENTICATION, a 2026-03 refresh gives a new token and the retry works', async () => {
    const tokens = await install();
    const client = new Client({ accessToken: tokens.access_token, basePath: sim.url });
    await clock.advance(1800 * 1000);
    await expect(client.crm.deals.basicApi.getPage(1)).rejects.toMatchObject({ code: 401, body: { category: 'EXPIRED_AUTHENTICATION' } });

    const refreshed = await hubspotToken(sim.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, ...CREDENTIALS });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ hub_id: Hs.DEMO_PORTAL_ID, expires_in: 1800, refresh_token: tokens.refresh_token });
    client.setAccessToken(refreshed.body.access_token as string);
    expect((await client.crm.deals.basicApi.getPage(1)).results).toHaveLength(1);
  });

  it('When the app was uninstalled, then refresh fails with a 400 invalid_grant body DealBooks reads as "reconnect"', async () => {
    const tokens = await install();
    await sim.uninstall(Hs.DEMO_APP_ID, Hs.DEMO_PORTAL_ID);
    const refreshed = await hubspotToken(sim.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, ...CREDENTIALS });
    expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant', status: 'BAD_REFRESH_TOKEN' } });
  });
});
