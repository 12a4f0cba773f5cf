import { startWorld, type World } from '../support/world';
import { DATABASE_KIND } from '../support/harness';

/**
 * What `npm start` does after the sandbox is wired: DealBooks installs itself in the demo HubSpot account and
 * connects the demo QuickBooks company through its own OAuth routes, so a new user finds a working setup.
 */
describe(`sandbox connect (${DATABASE_KIND})`, () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world?.close());

  it('When the sandbox connects at start, then the demo account is installed and the demo company connected, as the status says', async () => {
    const lines = await world.sandbox.connect(world.baseUrl);
    expect(lines).toEqual([
      'HubSpot install:      DealBooks installed in the demo account',
      `QuickBooks connect:   demo company ${world.sandbox.quickbooks.realmId} connected`,
    ]);
    const status = await world.card({ portalId: world.sandbox.hubspot.portalId, method: 'GET', path: '/api/quickbooks/status' });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'connected', company: { realmId: world.sandbox.quickbooks.realmId } });
  });

  it('When the sandbox starts again on the same database, then it installs and connects again without duplicating anything', async () => {
    await world.clock.advance(1000); // a new signed request: the frozen clock would give it the first one's signature
    expect((await world.sandbox.connect(world.baseUrl))[1]).toMatch(/connected$/);
    const counts = await world.ctx.pool.query(
      `SELECT (SELECT count(*) FROM portals)::int AS portals, (SELECT count(*) FROM qbo_connections WHERE status <> 'disconnected')::int AS live`,
    );
    expect(counts.rows[0]).toEqual({ portals: 1, live: 1 });
  });

  it('When connecting fails (QuickBooks down), then the lines say so instead of throwing', async () => {
    await world.clock.advance(1000);
    await world.control('quickbooks', '/faults', { path: '/oauth2/v1/tokens/bearer', method: 'POST', kind: 'status', status: 400, body: { error: 'invalid_grant' }, times: 1 });
    const lines = await world.sandbox.connect(world.baseUrl);
    expect(lines[0]).toMatch(/installed/);
    expect(lines[1]).toMatch(/^QuickBooks connect: {3}failed \(\d+\): /);
  });
});
