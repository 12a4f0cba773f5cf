import { expectSameShape } from '../support/shape';
import { DEALBOOKS_SCOPES, DEMO_APP_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PORTAL_ID, type HubSpotSimulator } from './index';
import { REDIRECT_URI, api, authorize, connect, control, payloads, postForm, startTestSimulator } from './shell-test-support';

const client = { client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET };

describe('HubSpot simulator OAuth', () => {
  let sim: HubSpotSimulator;
  beforeEach(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.close());

  describe('authorize', () => {
    it('When the user consents (nothing planned), then the browser goes to redirect_uri with a code and the state, for the demo portal', async () => {
      const { status, location } = await authorize(sim);
      expect(status).toBe(302);
      expect(`${location!.origin}${location!.pathname}`).toBe(REDIRECT_URI);
      expect(location!.searchParams.get('code')).toMatch(/\S{16,}/);
      expect(location!.searchParams.get('state')).toBe('st-1');
      const tokens = await connect(sim);
      expect(tokens.hub_id).toBe(DEMO_PORTAL_ID);
    });

    it('When the user denies, then the redirect carries error=access_denied, a description and the state', async () => {
      await control(sim, '/oauth/consent', { deny: true });
      const { location } = await authorize(sim);
      expect(location!.searchParams.get('error')).toBe('access_denied');
      expect(location!.searchParams.get('error_description')).toBeTruthy();
      expect(location!.searchParams.get('state')).toBe('st-1');
      expect(location!.searchParams.get('code')).toBeNull();
      // The plan was for one authorization only: the next one consents again.
      expect((await authorize(sim)).location!.searchParams.get('code')).toBeTruthy();
    });

    it('When the consent plan names a new portal, then the install lands in that portal (created with demo data)', async () => {
      await control(sim, '/oauth/consent', { portalId: 777001 });
      const tokens = await connect(sim);
      expect(tokens.hub_id).toBe(777001);
      const deals = await api(sim, '/crm/v3/objects/deals?limit=1', tokens.access_token);
      expect(deals.status).toBe(200);
      expect(deals.body.results).toHaveLength(1);
    });

    it('When the simulator has no portal, then consenting creates a demo portal', async () => {
      const empty = await startTestSimulator({ seed: 'none' });
      try {
        const tokens = await connect(empty);
        expect(empty.accounts.get(tokens.hub_id)).toBeDefined();
      } finally {
        await empty.close();
      }
    });

    it.each([
      ['an unknown client_id', { client_id: 'nope' }],
      ['a redirect_uri the app does not list', { redirect_uri: 'https://evil.example/cb' }],
      ['a scope the app does not declare', { scope: 'oauth crm.objects.invoices.write' }],
      ['no scope', { scope: '' }],
    ])('When the install URL has %s, then HubSpot shows an error page and does not redirect', async (_label, params) => {
      const { status, location, text } = await authorize(sim, params);
      expect(status).toBe(400);
      expect(location).toBeUndefined();
      expect(text).toContain("Couldn't complete the connection");
    });
  });

  describe('token endpoint', () => {
    it('When a code is exchanged on /oauth/2026-03/token, then the answer has HubSpot\'s fields with a 30-minute bearer token', async () => {
      const tokens = await connect(sim);
      expect(Object.keys(tokens).sort()).toEqual(['access_token', 'expires_in', 'hub_id', 'refresh_token', 'scopes', 'token_type']);
      expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 1800, hub_id: DEMO_PORTAL_ID, scopes: [...DEALBOOKS_SCOPES] });
      expect(tokens.refresh_token).toMatch(/^na1-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });

    it('When the same code is exchanged twice, then the second exchange is invalid_grant', async () => {
      const code = (await authorize(sim)).location!.searchParams.get('code')!;
      const form = { grant_type: 'authorization_code', ...client, redirect_uri: REDIRECT_URI, code };
      expect((await postForm(`${sim.url}/oauth/v1/token`, form)).status).toBe(200);
      const again = await postForm(`${sim.url}/oauth/v1/token`, form);
      expect(again.status).toBe(400);
      // The legacy v1 endpoint answers HubSpot's old error form.
      expect(Object.keys(again.body).sort()).toEqual(['correlationId', 'message', 'status']);
      expect(again.body).toMatchObject({ status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code' });
    });

    it('When a code is exchanged after 10 minutes on the clock, then it has expired', async () => {
      const code = (await authorize(sim)).location!.searchParams.get('code')!;
      await sim.clock.advance(10 * 60_000 + 1);
      const res = await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'authorization_code', ...client, redirect_uri: REDIRECT_URI, code });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_grant', status: 'EXPIRED_AUTH_CODE' });
    });

    it('When the redirect_uri differs from the one authorized, then the exchange fails and the code still works with the right one', async () => {
      const code = (await authorize(sim)).location!.searchParams.get('code')!;
      const wrong = await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'authorization_code', ...client, redirect_uri: 'http://localhost:3000/other', code });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error).toBe('invalid_grant');
      const right = await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'authorization_code', ...client, redirect_uri: REDIRECT_URI, code });
      expect(right.status).toBe(200);
    });

    it.each([
      ['a wrong client secret', { client_secret: 'wrong' }, 'invalid_client', 'BAD_CLIENT_SECRET'],
      ['an unknown client id', { client_id: 'unknown' }, 'invalid_client', 'BAD_CLIENT_ID'],
      ['an unsupported grant type', { grant_type: 'password' }, 'unsupported_grant_type', 'BAD_GRANT_TYPE'],
    ])('When a refresh is sent with %s, then it is a 400 %s', async (_label, override, error, status) => {
      const { refresh_token } = await connect(sim);
      const res = await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'refresh_token', ...client, refresh_token, ...override });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error, status });
    });

    it('When a refresh token is unknown, then the error body is the fixture\'s oauth_error_body_2026 (same fields, same values)', async () => {
      const res = await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'refresh_token', ...client, refresh_token: 'na1-0000-0000-0000-0000-000000000000' });
      expect(res.status).toBe(400);
      expectSameShape(res.body, payloads.oauth_error_body_2026!.body);
      expect(res.body).toEqual(payloads.oauth_error_body_2026!.body);
    });

    it('When the access token expires on the clock and is refreshed, then the API works again and the refresh token does not rotate', async () => {
      const first = await connect(sim);
      expect((await api(sim, '/crm/v3/objects/deals?limit=1', first.access_token)).status).toBe(200);
      await sim.clock.advance(1800 * 1000);
      const expired = await api(sim, '/crm/v3/objects/deals?limit=1', first.access_token);
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ status: 'error', category: 'EXPIRED_AUTHENTICATION', message: 'The OAuth token used to make this call expired 0 second(s) ago.' });
      expect(expired.body.context['expire time'][0]).toMatch(/^\d{4}-\d{2}-\d{2}T/);

      const refreshed = await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'refresh_token', ...client, refresh_token: first.refresh_token });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refresh_token).toBe(first.refresh_token);
      expect(refreshed.body.access_token).not.toBe(first.access_token);
      expect((await api(sim, '/crm/v3/objects/deals?limit=1', refreshed.body.access_token)).status).toBe(200);
      // The same refresh token keeps working.
      const again = await postForm(`${sim.url}/oauth/v1/token`, { grant_type: 'refresh_token', ...client, refresh_token: first.refresh_token });
      expect(again.status).toBe(200);
    });

    it('When a token expired hours ago, then the message says so in hours', async () => {
      const { access_token } = await connect(sim);
      await sim.clock.advance(1800 * 1000 + 5 * 3600 * 1000);
      const res = await api(sim, '/crm/v3/objects/deals', access_token);
      expect(res.body.message).toBe('The OAuth token used to make this call expired 5 hour(s) ago.');
    });

    it('When the control API expires access tokens, then the next call is 401 EXPIRED_AUTHENTICATION', async () => {
      const { access_token } = await connect(sim);
      const res = await control(sim, '/oauth/expire-access-tokens', { portalId: DEMO_PORTAL_ID });
      expect(res.body.expired).toBeGreaterThanOrEqual(1);
      expect((await api(sim, '/crm/v3/objects/deals', access_token)).body.category).toBe('EXPIRED_AUTHENTICATION');
    });
  });

  describe('token metadata', () => {
    it('When a live access token is introspected, then it is active with the portal, app, user and scopes', async () => {
      const { access_token, refresh_token } = await connect(sim);
      const res = await postForm(`${sim.url}/oauth/2026-03/token/introspect`, { ...client, token: access_token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ active: true, token_use: 'access_token', hub_id: DEMO_PORTAL_ID, app_id: DEMO_APP_ID, user_id: 1, client_id: DEMO_CLIENT_ID });
      // Real time runs on between issue and introspection: allow a few seconds.
      expect(res.body.expires_in).toBeGreaterThan(1790);
      expect(res.body.expires_in).toBeLessThanOrEqual(1800);
      const refresh = await postForm(`${sim.url}/oauth/2026-03/token/introspect`, { ...client, token: refresh_token });
      expect(refresh.body).toMatchObject({ active: true, token_use: 'refresh_token', hub_id: DEMO_PORTAL_ID });
    });

    it('When an expired or unknown token is introspected, then it is {active: false}', async () => {
      const { access_token } = await connect(sim);
      await sim.clock.advance(1801 * 1000);
      expect((await postForm(`${sim.url}/oauth/2026-03/token/introspect`, { ...client, token: access_token })).body).toEqual({ active: false });
      expect((await postForm(`${sim.url}/oauth/2026-03/token/introspect`, { ...client, token: 'nope' })).body).toEqual({ active: false });
    });

    it('When the v1 metadata endpoints are asked, then they describe the tokens; a deleted refresh token is gone', async () => {
      const { access_token, refresh_token } = await connect(sim);
      await sim.clock.advance(600_000);
      const meta = await api(sim, `/oauth/v1/access-tokens/${access_token}`, undefined);
      expect(meta.body).toMatchObject({ token: access_token, hub_id: DEMO_PORTAL_ID, app_id: DEMO_APP_ID, token_type: 'access' });
      expect(meta.body.expires_in).toBeGreaterThan(1190);
      expect(meta.body.expires_in).toBeLessThanOrEqual(1200);
      expect((await api(sim, `/oauth/v1/refresh-tokens/${refresh_token}`, undefined)).body).toMatchObject({ token: refresh_token, client_id: DEMO_CLIENT_ID });
      expect((await api(sim, `/oauth/v1/refresh-tokens/${refresh_token}`, undefined, { method: 'DELETE' })).status).toBe(204);
      expect((await api(sim, `/oauth/v1/refresh-tokens/${refresh_token}`, undefined)).status).toBe(404);
      // Deleting the refresh token leaves the access token alone.
      expect((await api(sim, '/crm/v3/objects/deals?limit=1', access_token)).status).toBe(200);
    });
  });

  describe('uninstall', () => {
    it('When the app uninstalls itself, then 204, and every token of the install is dead (API 401, refresh invalid_grant)', async () => {
      const { access_token, refresh_token } = await connect(sim);
      const res = await api(sim, '/appinstalls/2026-03/external-install', access_token, { method: 'DELETE' });
      expect(res.status).toBe(204);
      expect((await api(sim, '/crm/v3/objects/deals', access_token)).body.category).toBe('INVALID_AUTHENTICATION');
      const refresh = await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'refresh_token', ...client, refresh_token });
      expect(refresh.body).toEqual(payloads.oauth_error_body_2026!.body);
      expect((await control(sim, '/oauth/installs', undefined, 'GET')).body.installs).toEqual([]);
    });

    it('When the user uninstalls in HubSpot (control) and installs again, then the old tokens stay dead and new ones work', async () => {
      const old = await connect(sim);
      expect((await control(sim, '/oauth/uninstall', { portalId: DEMO_PORTAL_ID })).status).toBe(200);
      expect((await api(sim, '/crm/v3/objects/deals', old.access_token)).status).toBe(401);
      const fresh = await connect(sim);
      expect((await api(sim, '/crm/v3/objects/deals', old.access_token)).status).toBe(401);
      expect((await api(sim, '/crm/v3/objects/deals', fresh.access_token)).status).toBe(200);
    });

    it('When an app that is not installed is uninstalled through control, then the control call says so (400)', async () => {
      await control(sim, '/oauth/uninstall', { portalId: DEMO_PORTAL_ID });
      const res = await control(sim, '/oauth/uninstall', { portalId: DEMO_PORTAL_ID });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/not installed/);
    });
  });

  it('When token calls happen, then the control API counts them per portal', async () => {
    const { refresh_token } = await connect(sim);
    await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'refresh_token', ...client, refresh_token });
    await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'refresh_token', ...client, refresh_token });
    const { body } = await control(sim, '/oauth/installs', undefined, 'GET');
    expect(body.counters[String(DEMO_PORTAL_ID)]).toMatchObject({ codeExchanges: 1, refreshes: 2 });
    expect(body.installs).toEqual([expect.objectContaining({ appId: DEMO_APP_ID, portalId: DEMO_PORTAL_ID })]);
  });
});
