import { request } from 'node:http';
import { expectSameShape } from '../support/shape';
import { DEMO_PORTAL_ID, demoApp, type HubSpotSimulator } from './index';
import { api, control, payloads, startTestSimulator } from './shell-test-support';

const rateLimitBodies = payloads.rate_limit_429_bodies as unknown as Record<string, { status: number; body: Record<string, unknown> }>;

/** A raw GET, to see the connection-level outcome (fetch hides ECONNRESET behind "fetch failed"). */
function rawGet(url: string, token: string): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code }));
    req.end();
  });
}

describe('HubSpot simulator API gate (auth, scopes, limits, faults)', () => {
  let sim: HubSpotSimulator;
  let token: string;
  beforeEach(async () => {
    sim = await startTestSimulator();
    token = sim.seeded[0]!.accessToken;
  });
  afterEach(() => sim.close());

  describe('authentication', () => {
    it('When a call has no token or an unknown one, then 401 INVALID_AUTHENTICATION with a correlation id header', async () => {
      for (const t of [undefined, 'not-a-token']) {
        const res = await api(sim, '/crm/v3/objects/deals', t);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
        expect(res.body.message).toMatch(/^Authentication credentials not found/);
        expect(res.headers.get('x-hubspot-correlation-id')).toBe(res.body.correlationId);
      }
    });

    it('When a call is authenticated, then the request log records the portal as the account', async () => {
      await api(sim, '/crm/v3/objects/deals?limit=1', token);
      const { body } = await control(sim, '/requests?path=/crm/v3/objects/deals', undefined, 'GET');
      expect(body.requests[0]).toMatchObject({ account: String(DEMO_PORTAL_ID), status: 200, headers: { authorization: 'Bearer [redacted]' } });
    });

    it('When a path does not exist, then HubSpot\'s JSON 404 (not an HTML page)', async () => {
      const res = await api(sim, '/nothing/here', token);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    });
  });

  describe('scopes', () => {
    let narrow: HubSpotSimulator;
    beforeEach(async () => {
      narrow = await startTestSimulator({ apps: [{ ...demoApp(), scopes: ['oauth', 'crm.objects.deals.read'] }] });
    });
    afterEach(() => narrow.close());

    it('When a token lacks crm.objects.deals.write, then reading deals works and PATCHing one is 403 MISSING_SCOPES', async () => {
      const t = narrow.seeded[0]!.accessToken;
      const list = await api(narrow, '/crm/v3/objects/deals?limit=1', t);
      expect(list.status).toBe(200);
      const id = list.body.results[0].id as string;
      const res = await api(narrow, `/crm/v3/objects/deals/${id}`, t, { method: 'PATCH', body: { properties: { dealname: 'x' } } });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        status: 'error',
        category: 'MISSING_SCOPES',
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredScopes: ['crm.objects.deals.write'] } }],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
      });
      expect(res.body.message).toMatch(/^This app hasn't been granted all required scopes/);
    });

    it('When a token lacks the contacts scopes, then a search on contacts (a read) is 403 naming crm.objects.contacts.read', async () => {
      const res = await api(narrow, '/crm/v3/objects/contacts/search', narrow.seeded[0]!.accessToken, { method: 'POST', body: { filterGroups: [] } });
      expect(res.status).toBe(403);
      expect(res.body.errors[0].context.requiredScopes).toEqual(['crm.objects.contacts.read']);
    });
  });

  describe('rate limits', () => {
    it('When 110 calls are made within 10 s, then each carries the headers and the 111th is 429 with the fixture body', async () => {
      for (let i = 1; i <= 110; i++) {
        const res = await api(sim, '/crm/v3/pipelines/deals', token);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('110');
        expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe(String(110 - i));
        expect(res.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      }
      const limited = await api(sim, '/crm/v3/pipelines/deals', token);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
      expectSameShape(limited.body, rateLimitBodies.ten_secondly!.body);
      const { correlationId: _c, ...rest } = rateLimitBodies.ten_secondly!.body;
      expect(limited.body).toMatchObject(rest);
      // The window rolls on the simulator's clock.
      await sim.clock.advance(10_000);
      expect((await api(sim, '/crm/v3/pipelines/deals', token)).status).toBe(200);
    });

    it('When two portals call, then each has its own window', async () => {
      await control(sim, '/limits', { max: 2 });
      const other = (await control(sim, '/oauth/install', { portalId: (await control(sim, '/hubspot/accounts', { seed: 'empty' })).body.portalId })).body;
      await api(sim, '/crm/v3/pipelines/deals', token);
      await api(sim, '/crm/v3/pipelines/deals', token);
      expect((await api(sim, '/crm/v3/pipelines/deals', token)).status).toBe(429);
      expect((await api(sim, '/crm/v3/pipelines/deals', other.access_token)).status).toBe(200);
    });

    it('When search is called more than 5 times in a second, then 429 with the secondly body and no rate-limit headers', async () => {
      const search = () => api(sim, '/crm/v3/objects/deals/search', token, { method: 'POST', body: { filterGroups: [], limit: 1 } });
      for (let i = 0; i < 5; i++) {
        const ok = await search();
        expect(ok.status).toBe(200);
        expect(ok.headers.get('x-hubspot-ratelimit-max')).toBeNull();
      }
      const limited = await search();
      expect(limited.status).toBe(429);
      expectSameShape(limited.body, rateLimitBodies.search_secondly!.body);
      expect(limited.body.message).toBe('You have reached your secondly limit.');
      expect(limited.body.policyName).toBeUndefined();
      await sim.clock.advance(1000);
      expect((await search()).status).toBe(200);
    });
  });

  describe('faults', () => {
    it('When a 503 fault is injected for one call, then that call gets HubSpot\'s error JSON and the next one succeeds', async () => {
      expect((await control(sim, '/faults', { path: '/crm/v3/objects/deals', status: 503, times: 1 })).status).toBe(201);
      const failed = await api(sim, '/crm/v3/objects/deals', token);
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ status: 'error', category: 'INTERNAL_ERROR' });
      expect(failed.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await api(sim, '/crm/v3/objects/deals', token)).status).toBe(200);
    });

    it('When a 429 fault is injected, then the body is the ten-secondly one', async () => {
      await control(sim, '/faults', { path: '/crm/', status: 429 });
      const res = await api(sim, '/crm/v3/objects/deals', token);
      expect(res.status).toBe(429);
      expectSameShape(res.body, rateLimitBodies.ten_secondly!.body);
    });

    it('When the token endpoint is given a 500 fault, then a refresh fails with 500 and works afterwards', async () => {
      await control(sim, '/faults', { path: '/oauth/2026-03/token', method: 'POST', status: 500 });
      const form = { grant_type: 'refresh_token', client_id: sim.apps.list()[0]!.clientId, client_secret: sim.apps.list()[0]!.clientSecret, refresh_token: sim.seeded[0]!.refreshToken };
      const post = () => fetch(`${sim.url}/oauth/2026-03/token`, { method: 'POST', body: new URLSearchParams(form) });
      expect((await post()).status).toBe(500);
      expect((await post()).status).toBe(200);
    });

    it('When a hang fault is injected, then the client times out', async () => {
      await control(sim, '/faults', { path: '/crm/v3/objects/deals', kind: 'hang' });
      const attempt = fetch(`${sim.url}/crm/v3/objects/deals`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(300) });
      await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
    });

    it('When a reset fault is injected, then the connection is reset (ECONNRESET)', async () => {
      await control(sim, '/faults', { path: '/crm/v3/objects/deals', kind: 'reset' });
      expect(await rawGet(`${sim.url}/crm/v3/objects/deals`, token)).toEqual({ error: 'ECONNRESET' });
      expect((await rawGet(`${sim.url}/crm/v3/objects/deals`, token)).status).toBe(200);
    });
  });

  it.each([
    ['empty', 1],
    ['none', 0],
  ] as const)('When seeded %s, then there are %i seeded installs and no deals', async (seed, installs) => {
    const other = await startTestSimulator({ seed });
    try {
      expect(other.seeded).toHaveLength(installs);
      if (installs > 0) {
        const res = await api(other, '/crm/v3/objects/deals', other.seeded[0]!.accessToken);
        expect(res.status).toBe(200);
        expect(res.body.results).toEqual([]);
      } else {
        expect(other.accounts.list()).toEqual([]);
      }
    } finally {
      await other.close();
    }
  });

  it('When the simulator is reset, then tokens, limits and faults are forgotten and the seeded install has a fresh token', async () => {
    await control(sim, '/faults', { path: '/crm/', status: 500, times: 5 });
    await control(sim, '/limits', { max: 1 });
    await control(sim, `/apps/${sim.apps.list()[0]!.appId}/webhooks`, { targetUrl: 'http://127.0.0.1:9/hooks' });
    await control(sim, '/reset');
    // App configuration (webhook settings) survives a reset; portal state does not.
    expect(sim.apps.list()[0]!.webhooks.targetUrl).toBe('http://127.0.0.1:9/hooks');
    expect((await api(sim, '/crm/v3/objects/deals', token)).status).toBe(401);
    const fresh = sim.seeded[0]!.accessToken;
    expect(fresh).not.toBe(token);
    const res = await api(sim, '/crm/v3/objects/deals?limit=1', fresh);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('110');
  });
});
