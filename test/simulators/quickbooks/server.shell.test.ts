import request from 'supertest';
import { SimClock } from '../common/clock';
import { DEMO_CLIENT_ID, DEMO_REALM_ID, createQuickbooksSimulatorApp } from './index';

/** The in-process app, as tests that do not need a port use it (supertest). */
function app(options: Parameters<typeof createQuickbooksSimulatorApp>[0] = {}) {
  return createQuickbooksSimulatorApp({ clock: new SimClock({ rate: 0 }), ...options });
}

describe('simulator app (in process)', () => {
  it("When started with seed 'demo', then the demo company exists with data; with 'empty' it is bare; with 'none' there is none", async () => {
    const demo = app();
    expect(demo.companies.list().map((c) => c.realmId)).toEqual([DEMO_REALM_ID]);
    expect(demo.companies.get(DEMO_REALM_ID)?.list('Customer').length).toBeGreaterThan(0);
    expect(app({ seed: 'empty' }).companies.get(DEMO_REALM_ID)?.list('Customer')).toEqual([]);
    expect(app({ seed: 'none' }).companies.list()).toEqual([]);
  });

  it('When the simulator is reset, then companies go back to the seed and settings to the start-up ones', async () => {
    const sim = app({ authFaultStyle: 'xml' });
    sim.companies.create('1111222233334444', { seed: 'empty' });
    await request(sim.app).post('/_sim/auth/fault-style').send({ style: 'json' }).expect(200);
    await request(sim.app).post('/_sim/reset').expect(204);
    expect(sim.companies.list().map((c) => c.realmId)).toEqual([DEMO_REALM_ID]);
    expect((await request(sim.app).get('/_sim/auth/fault-style').expect(200)).body).toEqual({ style: 'xml' });
  });

  it('When an unknown control route is called, then it answers a JSON 404 and is not logged as an API request', async () => {
    const sim = app();
    const response = await request(sim.app).get('/_sim/nothing-here').expect(404);
    expect(response.body).toEqual({ error: 'no such control route' });
    expect(response.headers.intuit_tid).toBeUndefined();
    expect(sim.requests.list()).toEqual([]);
  });

  it('When the authorize page is opened, then the redirect is served in process too', async () => {
    const sim = app();
    const response = await request(sim.app)
      .get('/connect/oauth2')
      .query({ client_id: DEMO_CLIENT_ID, response_type: 'code', scope: 'com.intuit.quickbooks.accounting', redirect_uri: 'http://localhost:3000/oauth/quickbooks/callback', state: 'x' })
      .expect(302);
    expect(new URL(response.headers.location ?? '').searchParams.get('realmId')).toBe(DEMO_REALM_ID);
    expect(sim.requests.list({ path: '/connect/oauth2' })).toEqual([expect.objectContaining({ status: 302, account: DEMO_REALM_ID })]);
  });
});
