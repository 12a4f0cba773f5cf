import OAuthClient from 'intuit-oauth';
import { SimClock } from '../common/clock';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REALM_ID, DEMO_REDIRECT_URIS, OAUTH_PATHS, startQuickbooksSimulator, type QuickbooksSimulator } from './index';
import type { DiscoveryDocument } from './oauth-discovery';
import { api } from './oauth-test-support';

/** The static endpoint URLs intuit-oauth keeps process-wide; restored after these tests. */
const STATICS = ['authorizeEndpoint', 'tokenEndpoint', 'revokeEndpoint', 'userinfo_endpoint_sandbox', 'jwks_uri'] as const;
const saved = Object.fromEntries(STATICS.map((name) => [name, OAuthClient[name]]));

let sim: QuickbooksSimulator;
let clock: SimClock;

beforeEach(async () => {
  clock = new SimClock({ rate: 0 });
  sim = await startQuickbooksSimulator({ clock });
});
afterEach(async () => {
  await sim.close();
});
afterAll(() => {
  Object.assign(OAuthClient, saved);
});

/** The real client, unmodified, pointed at the simulator the way DealBooks' config does it. */
function intuitClient(options: { includeRefreshTokenHardExpiresIn?: boolean } = {}): OAuthClient {
  const client = new OAuthClient({
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    environment: 'sandbox',
    redirectUri: DEMO_REDIRECT_URIS[0] ?? '',
    ...options,
  });
  client.setAuthorizeURLs({
    authorizeEndpoint: `${sim.url}${OAUTH_PATHS.authorize}`,
    tokenEndpoint: `${sim.url}${OAUTH_PATHS.token}`,
    revokeEndpoint: `${sim.url}${OAUTH_PATHS.revoke}`,
    userInfoEndpoint: `${sim.url}${OAUTH_PATHS.userInfo}`,
  });
  OAuthClient.jwks_uri = `${sim.url}${OAUTH_PATHS.jwks}`;
  return client;
}

/** The browser's part: open the authorize URL and come back with the callback URL. */
async function consentInBrowser(authorizeUri: string): Promise<string> {
  const response = await fetch(authorizeUri, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return response.headers.get('location') ?? '';
}

describe('intuit-oauth against the simulator', () => {
  it('When DealBooks connects, refreshes, calls the API and revokes with intuit-oauth, then every step behaves as with Intuit', async () => {
    const client = intuitClient();
    const authorizeUri = client.authorizeUri({ scope: [OAuthClient.scopes.Accounting, OAuthClient.scopes.OpenId, OAuthClient.scopes.Email], state: 'csrf-1' });
    const callback = await consentInBrowser(authorizeUri);
    expect(new URL(callback).searchParams.get('state')).toBe('csrf-1');

    const created = await client.createToken(callback);
    expect(created.getToken()).toMatchObject({ realmId: DEMO_REALM_ID, token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8726400 });
    expect(created.getIntuitTid()).toMatch(/^1-/);
    expect(await client.validateIdToken()).toBe(true);

    const firstRefreshToken = client.getToken().refresh_token;
    await client.refresh();
    expect(client.getToken().refresh_token).not.toBe(firstRefreshToken);

    const info = await client.makeApiCall({ url: `${sim.url}/v3/company/${DEMO_REALM_ID}/companyinfo/${DEMO_REALM_ID}?minorversion=75` });
    expect(info.status).toBe(200);
    expect(info.json.CompanyInfo).toMatchObject({ CompanyName: expect.any(String) });
    expect(info.headers.intuit_tid).toMatch(/^1-/);

    const userInfo = await client.getUserInfo();
    expect(userInfo.json).toMatchObject({ email: expect.stringContaining('@') });

    const { access_token: accessToken, refresh_token: refreshToken } = client.getToken();
    await client.revoke();
    const error = await client.refreshUsingToken(refreshToken).catch((e: unknown) => e);
    expect(error).toMatchObject({ error: 'invalid_grant', error_description: 'Token invalid' });
    expect((await api(sim.url, DEMO_REALM_ID, accessToken, `/companyinfo/${DEMO_REALM_ID}`)).status).toBe(401);
  });

  it('When the access token has expired on the clock, then makeApiCall fails with 401 and works again after refresh()', async () => {
    const client = intuitClient();
    await client.createToken(await consentInBrowser(client.authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: 's' })));
    await clock.advance(3600 * 1000);
    const url = `${sim.url}/v3/company/${DEMO_REALM_ID}/companyinfo/${DEMO_REALM_ID}?minorversion=75`;
    const error = await client.makeApiCall({ url }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '401' });
    await client.refresh();
    expect((await client.makeApiCall({ url })).status).toBe(200);
    expect(sim.oauth.realmCounters(DEMO_REALM_ID).refreshCalls).toBe(1);
  });

  it('When the client opts in to the hard expiry, then intuit-oauth receives x_refresh_token_hard_expires_in', async () => {
    const client = intuitClient({ includeRefreshTokenHardExpiresIn: true });
    await client.createToken(await consentInBrowser(client.authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: 's' })));
    expect(client.getToken().x_refresh_token_hard_expires_in).toBe(5 * 365 * 86_400);
  });

  // intuit-oauth 4.2.5 cannot read a discovery URL itself (only static endpoints and setAuthorizeURLs), so DealBooks
  // would fetch the document and hand its URLs over; this shows the document is enough to configure the client.
  it('When intuit-oauth is configured from the discovery document, then connect, id_token validation and userinfo work', async () => {
    const document = (await (await fetch(`${sim.url}${OAUTH_PATHS.discoverySandbox}`)).json()) as DiscoveryDocument;
    const client = new OAuthClient({ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, environment: 'sandbox', redirectUri: DEMO_REDIRECT_URIS[0] ?? '' });
    client.setAuthorizeURLs({
      authorizeEndpoint: document.authorization_endpoint,
      tokenEndpoint: document.token_endpoint,
      revokeEndpoint: document.revocation_endpoint,
      userInfoEndpoint: document.userinfo_endpoint,
    });
    OAuthClient.jwks_uri = document.jwks_uri;
    await client.createToken(await consentInBrowser(client.authorizeUri({ scope: [OAuthClient.scopes.Accounting, OAuthClient.scopes.OpenId], state: 's' })));
    expect(await client.validateIdToken()).toBe(true);
    expect((await client.getUserInfo()).json).toMatchObject({ sub: expect.any(String) });
  });

  it('When the user denies consent, then the callback carries error=access_denied and no code', async () => {
    await fetch(`${sim.url}/_sim/oauth/consent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deny: true }) });
    const client = intuitClient();
    const callback = new URL(await consentInBrowser(client.authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: 'csrf-2' })));
    expect(Object.fromEntries(callback.searchParams)).toEqual({ error: 'access_denied', state: 'csrf-2' });
  });
});
