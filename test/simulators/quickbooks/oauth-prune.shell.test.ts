import { SimClock } from '../common/clock';
import { DEMO_REALM_ID, PRUNE_AFTER_MS, startQuickbooksSimulator, type QuickbooksSimulator } from './index';
import { api, authorize, connect, control, refresh } from './oauth-test-support';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let sim: QuickbooksSimulator;
let clock: SimClock;

beforeEach(async () => {
  clock = new SimClock({ rate: 0, freeze: true });
  sim = await startQuickbooksSimulator({ clock });
});
afterEach(async () => {
  await sim.close();
});

/** The 401 detail a client sees for an access token. */
async function apiAnswer(accessToken: string): Promise<{ status: number; text: string }> {
  const response = await api(sim.url, DEMO_REALM_ID, accessToken, `/companyinfo/${DEMO_REALM_ID}`);
  return { status: response.status, text: await response.text() };
}

describe('pruning of dead OAuth state', () => {
  it('When an access token expired an hour ago, then it still answers "Token expired"; once expired over a day and a token call ran, it is forgotten and answers "Token invalid"', async () => {
    const { tokens } = await connect(sim.url);
    await clock.advance(2 * HOUR);
    const refreshed = await refresh(sim.url, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const recent = await apiAnswer(tokens.access_token);
    expect(recent.status).toBe(401);
    expect(recent.text).toContain('Token expired');

    await clock.advance(PRUNE_AFTER_MS);
    const current = await refresh(sim.url, String(refreshed.body.refresh_token));
    expect(current.status).toBe(200);
    const pruned = await apiAnswer(tokens.access_token);
    expect(pruned.status).toBe(401);
    expect(pruned.text).toContain('Token invalid');
    expect((await apiAnswer(String(current.body.access_token))).status).toBe(200);
  });

  it('When a DealBooks-like client refreshes every hour for a week, then the OAuth store stays small', async () => {
    let { tokens } = await connect(sim.url);
    for (let hour = 0; hour < 7 * 24; hour += 1) {
      await clock.advance(HOUR);
      const next = await refresh(sim.url, tokens.refresh_token);
      expect(next.status).toBe(200);
      tokens = next.body as unknown as typeof tokens;
    }
    const sizes = sim.oauth.storeSizes();
    expect(sizes.grants).toBe(1);
    // Tokens that died within the last day are kept (≈ 24 access tokens, ≈ 24 replaced refresh tokens in grace).
    expect(sizes.accessTokens).toBeLessThanOrEqual(27);
    expect(sizes.refreshTokens).toBeLessThanOrEqual(50);
  });

  it('When authorization codes were never exchanged, then they are forgotten a day after they expired', async () => {
    await authorize(sim.url);
    await authorize(sim.url);
    expect(sim.oauth.storeSizes().codes).toBe(2);
    await clock.advance(10 * MINUTE + PRUNE_AFTER_MS - MINUTE);
    await connect(sim.url);
    expect(sim.oauth.storeSizes().codes).toBe(3);
    await clock.advance(2 * MINUTE);
    await refresh(sim.url, 'RT1-unknown');
    expect(sim.oauth.storeSizes().codes).toBe(1);
  });

  it('When a grant was revoked over a day ago, then it is dropped from the grant list and its refresh token is still refused', async () => {
    const { tokens } = await connect(sim.url);
    await control(sim.url, 'POST', '/oauth/revoke', { realmId: DEMO_REALM_ID });
    await clock.advance(HOUR);
    expect((await apiAnswer(tokens.access_token)).text).toContain('Token revoked');
    await clock.advance(PRUNE_AFTER_MS);
    expect((await refresh(sim.url, tokens.refresh_token)).body).toEqual({ error_description: 'Token invalid', error: 'invalid_grant' });
    expect((await control(sim.url, 'GET', '/oauth/grants')).body.grants).toEqual([]);
    expect((await apiAnswer(tokens.access_token)).status).toBe(401);
  });
});
