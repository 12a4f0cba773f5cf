import { Client } from '@hubspot/api-client';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PORTAL_ID, type HubSpotSimulator } from './index';
import { REDIRECT_URI, authorize, startTestSimulator } from './shell-test-support';

describe('@hubspot/api-client 14 against the simulator (unmodified, via basePath)', () => {
  let sim: HubSpotSimulator;
  beforeEach(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.close());

  it('When the SDK exchanges a code (v1 path) and calls the CRM, then it works, refreshes, and gets a 401 after uninstall', async () => {
    const code = (await authorize(sim)).location!.searchParams.get('code')!;
    const oauth = new Client({ basePath: sim.url }).oauth;
    const tokens = await oauth.tokensApi.create('authorization_code', code, REDIRECT_URI, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    expect(tokens).toMatchObject({ tokenType: 'bearer', expiresIn: 1800 });

    const meta = await oauth.accessTokensApi.get(tokens.accessToken);
    expect(meta).toMatchObject({ hubId: DEMO_PORTAL_ID, token: tokens.accessToken });

    const client = new Client({ accessToken: tokens.accessToken, basePath: sim.url });
    const page = await client.crm.deals.basicApi.getPage(2, undefined, ['dealname', 'dealstage']);
    expect(page.results).toHaveLength(2);
    expect(page.results[0]!.properties).toHaveProperty('dealstage');

    const refreshed = await oauth.tokensApi.create('refresh_token', undefined, undefined, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, tokens.refreshToken);
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);

    const fresh = new Client({ accessToken: refreshed.accessToken, basePath: sim.url });
    const res = await fetch(`${sim.url}/appinstalls/2026-03/external-install`, { method: 'DELETE', headers: { authorization: `Bearer ${refreshed.accessToken}` } });
    expect(res.status).toBe(204);
    await expect(fresh.crm.deals.basicApi.getPage(1)).rejects.toMatchObject({ code: 401, body: { category: 'INVALID_AUTHENTICATION' } });
    await expect(oauth.tokensApi.create('refresh_token', undefined, undefined, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, tokens.refreshToken)).rejects.toMatchObject({
      code: 400,
      body: { status: 'BAD_REFRESH_TOKEN' },
    });
  });

  it('When the SDK hits the ten-secondly limit, then it sees the 429 body its RetryDecorator keys on (policyName)', async () => {
    const token = sim.seeded[0]!.accessToken;
    sim.limits.configure({ max: 1 });
    const client = new Client({ accessToken: token, basePath: sim.url });
    await client.crm.deals.basicApi.getPage(1);
    await expect(client.crm.deals.basicApi.getPage(1)).rejects.toMatchObject({
      code: 429,
      body: { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' },
      headers: expect.objectContaining({ 'x-hubspot-ratelimit-remaining': '0' }),
    });
  });
});
