import { createPublicKey, createVerify } from 'node:crypto';
import { SimClock } from '../common/clock';
import { expectSameShape } from '../support/shape';
import { DEMO_APP, DEMO_REALM_ID, startQuickbooksSimulator, type QuickbooksSimulator } from './index';
import {
  api,
  authorize,
  basicAuth,
  connect,
  control,
  fixture,
  redirectParams,
  refresh,
  tokenCall,
} from './oauth-test-support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The simulated clock also moves with real time, so a count of seconds left read after some test work may be a
 * second or two lower than the round number.
 */
function expectSecondsNear(actual: unknown, expected: number): void {
  expect(typeof actual).toBe('number');
  expect(actual as number).toBeLessThanOrEqual(expected);
  expect(actual as number).toBeGreaterThanOrEqual(expected - 2);
}

let sim: QuickbooksSimulator;
let clock: SimClock;

beforeEach(async () => {
  clock = new SimClock({ rate: 0 });
  sim = await startQuickbooksSimulator({ clock });
});
afterEach(async () => {
  await sim.close();
});

describe('authorize', () => {
  it('When the user consents by default, then the app is redirected with a code, its state and the demo realmId', async () => {
    const response = await authorize(sim.url, { state: 'abc' });
    const params = redirectParams(response);
    expect(response.headers.get('location')).toMatch(new RegExp(`^${DEMO_APP.redirectUris[0]}\\?`));
    expect(params.get('code')).toMatch(/^AB11/);
    expect(params.get('state')).toBe('abc');
    expect(params.get('realmId')).toBe(DEMO_REALM_ID);
  });

  it('When the client_id is unknown or the redirect_uri is not registered, then Intuit shows a 400 page and does not redirect', async () => {
    const unknownClient = await authorize(sim.url, { app: { ...DEMO_APP, clientId: 'nobody' } });
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.headers.get('location')).toBeNull();
    expect(unknownClient.headers.get('content-type')).toMatch(/text\/html/);
    const badRedirect = await authorize(sim.url, { redirectUri: 'https://evil.example/callback' });
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.headers.get('location')).toBeNull();
    expect(await badRedirect.text()).toContain('redirect_uri');
  });

  it('When the scope or response_type is wrong, then the app is redirected back with the OAuth error and its state', async () => {
    const noScope = redirectParams(await authorize(sim.url, { scope: 'com.intuit.quickbooks.payment' }));
    expect(noScope.get('error')).toBe('invalid_scope');
    expect(noScope.get('state')).toBe('state-123');
    const unknownScope = redirectParams(await authorize(sim.url, { scope: 'com.intuit.quickbooks.accounting made.up' }));
    expect(unknownScope.get('error')).toBe('invalid_scope');
    const token = redirectParams(await authorize(sim.url, { responseType: 'token' }));
    expect(token.get('error')).toBe('unsupported_response_type');
    expect(token.get('code')).toBeNull();
  });

  it('When the consent plan says deny, then the app gets error=access_denied with its state, once', async () => {
    expect((await control(sim.url, 'POST', '/oauth/consent', { deny: true })).status).toBe(200);
    const denied = redirectParams(await authorize(sim.url, { state: 's1' }));
    expect(denied.get('error')).toBe('access_denied');
    expect(denied.get('state')).toBe('s1');
    expect(denied.get('code')).toBeNull();
    expect(redirectParams(await authorize(sim.url)).get('code')).toBeTruthy();
  });

  it('When the plan names a company that does not exist, then it is created and granted for `times` authorizations', async () => {
    await control(sim.url, 'POST', '/oauth/consent', { realmId: '4620816365257778', times: 2 });
    expect(redirectParams(await authorize(sim.url)).get('realmId')).toBe('4620816365257778');
    expect(redirectParams(await authorize(sim.url)).get('realmId')).toBe('4620816365257778');
    expect(redirectParams(await authorize(sim.url)).get('realmId')).toBe(DEMO_REALM_ID);
    expect(sim.companies.get('4620816365257778')).toBeDefined();
  });

  it('When the user picks another company than planned, then the redirect names a different, existing company', async () => {
    await control(sim.url, 'POST', '/oauth/consent', { pickOtherCompany: true });
    const realmId = redirectParams(await authorize(sim.url)).get('realmId');
    expect(realmId).not.toBe(DEMO_REALM_ID);
    expect(sim.companies.get(realmId ?? '')).toBeDefined();
  });

  it('When the simulator has no company, then consent creates a demo company', async () => {
    await sim.close();
    sim = await startQuickbooksSimulator({ clock, seed: 'none' });
    const realmId = redirectParams(await authorize(sim.url)).get('realmId') ?? '';
    expect(realmId).toMatch(/^\d{16}$/);
    expect(sim.companies.list().map((c) => c.realmId)).toEqual([realmId]);
  });
});

describe('token endpoint: authorization_code', () => {
  it('When a code is exchanged, then the answer has exactly the keys and types of the intuit-oauth fixture (no id_token without openid)', async () => {
    const { tokens } = await connect(sim.url);
    const { id_token: _idToken, ...expected } = fixture<Record<string, unknown>>('oauth_token_response_intuit_oauth_js_mock.json');
    expectSameShape(tokens, expected);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8726400 });
    expect(tokens.id_token).toBeUndefined();
  });

  it('When the scope includes openid, then the answer matches the fixture with an id_token signed by the published key', async () => {
    const { tokens, realmId } = await connect(sim.url, { scope: 'com.intuit.quickbooks.accounting openid email' });
    expectSameShape(tokens, fixture('oauth_token_response_intuit_oauth_js_mock.json'));
    const [header = '', payload = '', signature = ''] = (tokens.id_token ?? '').split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'https://oauth.platform.intuit.com/op/v1', aud: [DEMO_APP.clientId], realmid: realmId });
    const jwks = (await (await fetch(`${sim.url}/op/v1/jwks`)).json()) as { keys: Array<Record<string, string>> };
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
    const jwk = jwks.keys.find((k) => k.kid === kid);
    const key = createPublicKey({ key: { kty: 'RSA', n: jwk?.n, e: jwk?.e }, format: 'jwk' });
    expect(createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('When the hard-expiry header is sent, then the answer matches the hard-expiry fixture, 5 years counted in seconds', async () => {
    const { tokens } = await connect(sim.url, { headers: { 'x-include-refresh-token-hard-expires-in': 'true' } });
    expectSameShape(tokens, fixture('oauth_token_response_with_hard_expiry.json'));
    expect(tokens.x_refresh_token_hard_expires_in).toBe(5 * 365 * 86_400);
  });

  it('When a code is used twice, then the second exchange is invalid_grant exactly as the fixture', async () => {
    const params = redirectParams(await authorize(sim.url));
    const form = { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: DEMO_APP.redirectUris[0] ?? '' };
    expect((await tokenCall(sim.url, form)).status).toBe(200);
    const again = await tokenCall(sim.url, form);
    expect(again.status).toBe(400);
    expect(again.body).toEqual(fixture('oauth_error_invalid_grant.json'));
  });

  it('When a code is 10 minutes old or comes with another redirect_uri, then it is invalid_grant', async () => {
    const late = redirectParams(await authorize(sim.url)).get('code') ?? '';
    const redirect = DEMO_APP.redirectUris[0] ?? '';
    await clock.advance(10 * 60_000);
    expect((await tokenCall(sim.url, { grant_type: 'authorization_code', code: late, redirect_uri: redirect })).body.error).toBe('invalid_grant');
    const other = redirectParams(await authorize(sim.url)).get('code') ?? '';
    const mismatch = await tokenCall(sim.url, { grant_type: 'authorization_code', code: other, redirect_uri: DEMO_APP.redirectUris[1] ?? '' });
    expect(mismatch).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('When the client credentials are missing or wrong, then the token endpoint answers 401 invalid_client', async () => {
    const code = redirectParams(await authorize(sim.url)).get('code') ?? '';
    const form = { grant_type: 'authorization_code', code, redirect_uri: DEMO_APP.redirectUris[0] ?? '' };
    expect(await tokenCall(sim.url, form, { authorization: null })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const wrong = await tokenCall(sim.url, form, { authorization: basicAuth({ clientId: DEMO_APP.clientId, clientSecret: 'guess' }) });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await tokenCall(sim.url, form)).status).toBe(200);
  });

  it('When the grant_type is unknown, then the answer is 400 unsupported_grant_type', async () => {
    expect(await tokenCall(sim.url, { grant_type: 'password' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });
});

describe('token endpoint: refresh_token', () => {
  it('When a refresh token is used, then both tokens rotate and the new access token works', async () => {
    const { tokens, realmId } = await connect(sim.url);
    const refreshed = await refresh(sim.url, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.body.access_token).not.toBe(tokens.access_token);
    expect(refreshed.body).toMatchObject({ token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8726400 });
    expect((await api(sim.url, realmId, String(refreshed.body.access_token), `/companyinfo/${realmId}`)).status).toBe(200);
  });

  it('When the replaced refresh token is used within the grace, then it returns the current pair; after the grace, invalid_grant', async () => {
    const { tokens, realmId } = await connect(sim.url);
    const first = await refresh(sim.url, tokens.refresh_token);
    await clock.advance(HOUR);
    const replay = await refresh(sim.url, tokens.refresh_token);
    expect(replay.status).toBe(200);
    expect(replay.body.refresh_token).toBe(first.body.refresh_token);
    // The first answer's access token expired just now, so the replay carries a new one (same refresh token).
    expect(replay.body.access_token).not.toBe(first.body.access_token);
    expectSecondsNear(replay.body.x_refresh_token_expires_in, 8726400 - 3600);
    await clock.advance(23 * HOUR);
    expect(await refresh(sim.url, tokens.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await refresh(sim.url, String(first.body.refresh_token))).status).toBe(200);
    expect(sim.oauth.realmCounters(realmId)).toMatchObject({ refreshCalls: 4, refreshFailures: 1 });
  });

  it('When a custom grace is configured, then the old refresh token stops working after it', async () => {
    await sim.close();
    sim = await startQuickbooksSimulator({ clock, refreshTokenGraceMs: 60_000 });
    const { tokens } = await connect(sim.url);
    await refresh(sim.url, tokens.refresh_token);
    await clock.advance(50_000);
    expect((await refresh(sim.url, tokens.refresh_token)).status).toBe(200);
    await clock.advance(10_000);
    expect((await refresh(sim.url, tokens.refresh_token)).body).toEqual(fixture('oauth_error_invalid_grant.json'));
  });

  it('When an access token is an hour old, then the API answers 401 until the app refreshes', async () => {
    const { tokens, realmId } = await connect(sim.url);
    await clock.advance(HOUR - 10_000);
    expect((await api(sim.url, realmId, tokens.access_token, `/companyinfo/${realmId}`)).status).toBe(200);
    await clock.advance(10_000);
    expect((await api(sim.url, realmId, tokens.access_token, `/companyinfo/${realmId}`)).status).toBe(401);
    const refreshed = await refresh(sim.url, tokens.refresh_token);
    expect((await api(sim.url, realmId, String(refreshed.body.access_token), `/companyinfo/${realmId}`)).status).toBe(200);
  });

  it('When a refresh token goes unused for its 8726400 seconds, then it is invalid_grant', async () => {
    const { tokens } = await connect(sim.url);
    await clock.advance(8_726_400_000 - 10_000);
    expect((await refresh(sim.url, tokens.refresh_token)).status).toBe(200);
    const second = await connect(sim.url);
    await clock.advance(8_726_400_000);
    expect((await refresh(sim.url, second.tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('When a connection is refreshed for 5 years, then the refresh token life shrinks to the hard maximum and then stops', async () => {
    const header = { 'x-include-refresh-token-hard-expires-in': 'true' };
    let { refresh_token: current } = (await connect(sim.url, { headers: header })).tokens;
    let last: Awaited<ReturnType<typeof refresh>> | undefined;
    for (let day = 0; day + 90 <= 5 * 365; day += 90) {
      await clock.advance(90 * DAY);
      last = await refresh(sim.url, current, header);
      expect(last.status).toBe(200);
      current = String(last.body.refresh_token);
    }
    // Refreshed on day 1800: 25 days left before the 5-year mark, so the refresh token cannot outlive it.
    expectSecondsNear(last?.body.x_refresh_token_hard_expires_in, 25 * 86_400);
    expect(last?.body.x_refresh_token_expires_in).toBe(last?.body.x_refresh_token_hard_expires_in);
    await clock.advance(25 * DAY);
    expect((await refresh(sim.url, current)).body.error).toBe('invalid_grant');
  });
});

describe('revocation and control', () => {
  it('When the app revokes its access token, then the whole grant stops: API 401 and refresh invalid_grant', async () => {
    const { tokens, realmId } = await connect(sim.url);
    const response = await fetch(`${sim.url}/v2/oauth2/tokens/revoke`, {
      method: 'POST',
      headers: { authorization: basicAuth(), 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token: tokens.access_token }),
    });
    expect(response.status).toBe(200);
    expect((await api(sim.url, realmId, tokens.access_token, `/companyinfo/${realmId}`)).status).toBe(401);
    expect((await refresh(sim.url, tokens.refresh_token)).body).toEqual(fixture('oauth_error_invalid_grant.json'));
  });

  it('When revoke is called without client credentials, then it answers 401 and revokes nothing', async () => {
    const { tokens, realmId } = await connect(sim.url);
    const response = await fetch(`${sim.url}/v2/oauth2/tokens/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: tokens.refresh_token }),
    });
    expect(response.status).toBe(401);
    expect((await api(sim.url, realmId, tokens.access_token, `/companyinfo/${realmId}`)).status).toBe(200);
  });

  it('When revoke gets a body that is not JSON, then it answers 400 invalid_request', async () => {
    const response = await fetch(`${sim.url}/v2/oauth2/tokens/revoke`, {
      method: 'POST',
      headers: { authorization: basicAuth(), 'content-type': 'application/json' },
      body: '{"token":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request' });
  });

  it('When the control API lists grants, then it shows realm, client, scopes and expiries but never a whole token', async () => {
    const { tokens, realmId } = await connect(sim.url);
    const listed = await control(sim.url, 'GET', '/oauth/grants');
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(tokens.access_token);
    expect(text).not.toContain(tokens.refresh_token);
    expect(listed.body.grants).toEqual([
      expect.objectContaining({
        realmId,
        clientId: DEMO_APP.clientId,
        scopes: ['com.intuit.quickbooks.accounting'],
        revoked: false,
        accessToken: expect.objectContaining({ prefix: expect.any(String), expiresAt: expect.any(String) }),
      }),
    ]);
    expect(listed.body.counters[realmId]).toMatchObject({ authorizations: 1, codeExchanges: 1, refreshCalls: 0 });
  });

  it('When the control API expires access tokens, then the next API call is 401 and a refresh brings it back', async () => {
    const { tokens, realmId } = await connect(sim.url);
    expect((await control(sim.url, 'POST', '/oauth/expire-access-tokens', { realmId })).body).toEqual({ expired: 1 });
    expect((await api(sim.url, realmId, tokens.access_token, `/companyinfo/${realmId}`)).status).toBe(401);
    const refreshed = await refresh(sim.url, tokens.refresh_token);
    expect((await api(sim.url, realmId, String(refreshed.body.access_token), `/companyinfo/${realmId}`)).status).toBe(200);
    expect((await control(sim.url, 'GET', `/oauth/counters?realmId=${realmId}`)).body).toMatchObject({ realmId, refreshCalls: 1 });
  });

  it('When the user disconnects the app inside QuickBooks, then its tokens stop working', async () => {
    const { tokens, realmId } = await connect(sim.url);
    expect((await control(sim.url, 'POST', '/oauth/revoke', { realmId })).body).toEqual({ revoked: 1 });
    expect((await api(sim.url, realmId, tokens.access_token, `/companyinfo/${realmId}`)).status).toBe(401);
    expect((await refresh(sim.url, tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('When tokens are refreshed, then the request log names the company of each token call, so tests can count them', async () => {
    const { tokens, realmId } = await connect(sim.url);
    await refresh(sim.url, tokens.refresh_token);
    await refresh(sim.url, 'RT1-00-H0-0000000000unknownunknownunkn');
    const logged = (await control(sim.url, 'GET', '/requests?path=/oauth2/v1/tokens/bearer')).body.requests;
    expect(JSON.stringify(logged)).not.toContain(tokens.refresh_token);
    expect(logged[1].body).toEqual({ grant_type: 'refresh_token', refresh_token: '[redacted]' });
    expect(logged.map((r: { account?: string; status: number }) => [r.account, r.status])).toEqual([
      [realmId, 200],
      [realmId, 200],
      [undefined, 400],
    ]);
  });

  it('When a control call is malformed, then it answers 400 with what was wrong', async () => {
    const bad = await control(sim.url, 'POST', '/oauth/consent', { deny: 'yes' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('deny');
  });

  it('When the simulator is reset, then grants are forgotten', async () => {
    const { tokens, realmId } = await connect(sim.url);
    expect((await control(sim.url, 'POST', '/reset')).status).toBe(204);
    expect((await api(sim.url, realmId, tokens.access_token, `/companyinfo/${realmId}`)).status).toBe(401);
    expect((await control(sim.url, 'GET', '/oauth/grants')).body.grants).toEqual([]);
  });
});
