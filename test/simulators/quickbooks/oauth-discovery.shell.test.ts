import { SimClock } from '../common/clock';
import { expectSameShape } from '../support/shape';
import { DEMO_APP, DEMO_REALM_ID, OAUTH_PATHS, startQuickbooksSimulator, type QuickbooksSimulator } from './index';
import type { DiscoveryDocument } from './oauth-discovery';
import { api, authorize, fixture, redirectParams, tokenCall } from './oauth-test-support';

let sim: QuickbooksSimulator;

beforeEach(async () => {
  sim = await startQuickbooksSimulator({ clock: new SimClock({ rate: 0 }) });
});
afterEach(async () => {
  await sim.close();
});

async function discovery(path: string): Promise<DiscoveryDocument> {
  const response = await fetch(`${sim.url}${path}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return (await response.json()) as DiscoveryDocument;
}

describe('OpenID discovery', () => {
  it.each([OAUTH_PATHS.discoverySandbox, OAUTH_PATHS.discoveryProduction])(
    'When a client reads %s, then it gets the document Intuit publishes, same keys and types',
    async (path) => {
      const document = await discovery(path);
      expectSameShape(document, fixture('oauth_discovery_document_dotnet_sdk_test.json'));
      expect(Object.keys(document)).toEqual(Object.keys(fixture<object>('oauth_discovery_document_dotnet_sdk_test.json')));
    },
  );

  it('When a client reads the document, then every endpoint points at the simulator and answers there', async () => {
    const document = await discovery(OAUTH_PATHS.discoverySandbox);
    expect(document).toMatchObject({
      authorization_endpoint: `${sim.url}${OAUTH_PATHS.authorize}`,
      token_endpoint: `${sim.url}${OAUTH_PATHS.token}`,
      userinfo_endpoint: `${sim.url}${OAUTH_PATHS.userInfo}`,
      revocation_endpoint: `${sim.url}${OAUTH_PATHS.revoke}`,
      jwks_uri: `${sim.url}${OAUTH_PATHS.jwks}`,
    });
    const keys = (await (await fetch(document.jwks_uri)).json()) as { keys: unknown[] };
    expect(keys.keys).toHaveLength(1);
    // The unauthenticated userinfo call reaches the userinfo route (its own 401), not the API's 404.
    expect((await fetch(document.userinfo_endpoint)).status).toBe(401);
  });

  it("When an openid grant's id_token is read, then its iss is the document's issuer (what OIDC clients compare)", async () => {
    const params = redirectParams(await authorize(sim.url, { scope: 'openid com.intuit.quickbooks.accounting' }));
    const exchanged = await tokenCall(sim.url, { grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: DEMO_APP.redirectUris[0] ?? '' });
    const payload = JSON.parse(Buffer.from(String(exchanged.body.id_token).split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss: string };
    expect(payload.iss).toBe((await discovery(OAUTH_PATHS.discoveryProduction)).issuer);
  });

  it('When the client authenticates with client_secret_post (listed in the document), then the token endpoint accepts it; a wrong secret is invalid_client', async () => {
    const code = async () => redirectParams(await authorize(sim.url)).get('code') ?? '';
    const form = { grant_type: 'authorization_code', redirect_uri: DEMO_APP.redirectUris[0] ?? '', client_id: DEMO_APP.clientId };
    const ok = await tokenCall(sim.url, { ...form, code: await code(), client_secret: DEMO_APP.clientSecret }, { authorization: null });
    expect(ok.status).toBe(200);
    expect((await api(sim.url, DEMO_REALM_ID, String(ok.body.access_token), `/companyinfo/${DEMO_REALM_ID}`)).status).toBe(200);
    const wrong = await tokenCall(sim.url, { ...form, code: await code(), client_secret: 'not-the-secret' }, { authorization: null });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid_client' });
  });
});
