import { AUTH_CODE_TTL_MS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EXPIRED_TOKEN_RETENTION_MS, type HubSpotSimulator } from './index';
import { REDIRECT_URI, api, authorize, connect, postForm, startTestSimulator } from './shell-test-support';

const client = { client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET };

describe('HubSpot simulator OAuth: pruning of long-expired codes and tokens', () => {
  let sim: HubSpotSimulator;
  beforeEach(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.close());

  it('When codes and access tokens expired more than a day ago, then the next issue forgets them and they still answer invalid_grant / 401', async () => {
    const old = await connect(sim);
    const unusedCode = (await authorize(sim)).location!.searchParams.get('code')!;
    const before = sim.tokens.sizes();
    expect(before.codes).toBe(2);
    expect(before.accessTokens).toBe(2); // the seeded install's and the connect's

    // Just inside the retention of the codes (the first to expire), nothing is forgotten.
    await sim.clock.advance(AUTH_CODE_TTL_MS + EXPIRED_TOKEN_RETENTION_MS - 60_000);
    await authorize(sim);
    expect(sim.tokens.sizes()).toMatchObject({ codes: 3, accessTokens: 2 });
    expect((await api(sim, '/crm/v3/objects/deals', old.access_token)).body.category).toBe('EXPIRED_AUTHENTICATION');

    await sim.clock.advance(2 * 3600_000);
    const fresh = await connect(sim);
    // Left: the code issued an hour ago (expired, but not for a day) and the fresh pair.
    expect(sim.tokens.sizes()).toEqual({ codes: 2, accessTokens: 1, refreshTokens: before.refreshTokens + 1 });

    const oldCall = await api(sim, '/crm/v3/objects/deals', old.access_token);
    expect(oldCall.status).toBe(401);
    expect(oldCall.body.category).toBe('INVALID_AUTHENTICATION');
    const exchange = await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'authorization_code', ...client, redirect_uri: REDIRECT_URI, code: unusedCode });
    expect(exchange.status).toBe(400);
    expect(exchange.body).toMatchObject({ error: 'invalid_grant', status: 'BAD_AUTH_CODE' });
    // Refresh tokens do not expire and are kept: the old one still works.
    expect((await postForm(`${sim.url}/oauth/2026-03/token`, { grant_type: 'refresh_token', ...client, refresh_token: old.refresh_token })).status).toBe(200);
    expect((await api(sim, '/crm/v3/objects/deals', fresh.access_token)).status).toBe(200);
  });
});
