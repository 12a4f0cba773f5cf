import { startSandbox, type Sandbox } from '../../server/src/sandbox/sandbox';
import type { WorkbenchWorld } from '../../workbench/src/world';
import { silentLogger, startTestService, testConfig, type TestService } from '../support/harness';

/**
 * The workbench's server side: the page, the bundles (the real extensions, built for this service's address, behind
 * HubSpot's worker globals) and the simulators' control routes it may use, and only those.
 */
describe('sandbox workbench routes', () => {
  let sandbox: Sandbox;
  let service: TestService;
  let url: string;

  beforeAll(async () => {
    sandbox = await startSandbox(testConfig({ PORT: '0' }), silentLogger);
    service = await startTestService({ config: sandbox.config, routers: [sandbox.workbench()] });
    const address = await service.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${address.port}`;
    await sandbox.wire(url);
    await sandbox.connect(url);
  });

  afterAll(async () => {
    await service?.close();
    await sandbox?.close();
  });

  it('When /sandbox is opened, then the page loads its bundle by a version that changes with the sources', async () => {
    const page = await fetch(`${url}/sandbox`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    const version = /\/sandbox\/assets\/page\.js\?v=([a-z0-9]+)/.exec(html)?.[1];
    expect(version).toBeDefined();
    const script = await fetch(`${url}/sandbox/assets/page.js?v=${version}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await script.text()).length).toBeGreaterThan(10_000);
  });

  it('When the card bundle is served, then it is the extension built for this service, behind the worker globals HubSpot provides', async () => {
    const bundle = await (await fetch(`${url}/sandbox/assets/card.js`)).text();
    // The build wrote this service's address into the extension (the permitted fetch address).
    expect(sandbox.config.publicBaseUrl).not.toBe('http://localhost:3000');
    expect(bundle).toContain(JSON.stringify(sandbox.config.publicBaseUrl));
    expect(bundle).not.toContain('"http://localhost:3000"');
    // The runtime's globals are set before the extension's code (and HubSpot's library) runs.
    const globals = bundle.indexOf('__HUBSPOT_EXTENSION_WORKER__ = true');
    const card = bundle.indexOf('No invoice or estimate yet');
    expect(globals).toBeGreaterThan(-1);
    expect(card).toBeGreaterThan(globals);
    const settings = await (await fetch(`${url}/sandbox/assets/settings.js`)).text();
    expect(settings).toContain('Save settings');
    expect((await fetch(`${url}/sandbox/assets/other.js`)).status).toBe(404);
  });

  it('When the page asks for the world, then it gets the demo account, its users and pipelines, and the demo company', async () => {
    const world = (await (await fetch(`${url}/sandbox/api/world`)).json()) as WorkbenchWorld;
    expect(world.baseUrl).toBe(sandbox.config.publicBaseUrl);
    expect(world.hubspot.portalId).toBe(sandbox.hubspot.portalId);
    expect(world.hubspot.users.filter((u) => u.installer)).toHaveLength(1);
    expect(world.quickbooks.realmId).toBe(sandbox.quickbooks.realmId);
    const sales = world.pipelines.find((p) => p.id === 'default');
    expect(sales?.stages.map((s) => s.id)).toContain('closedwon');
  });

  it('When the page drives a simulator, then its control routes are passed on; any other route, such as the one listing app secrets, is refused', async () => {
    const deals = await fetch(`${url}/sandbox/sim/hubspot/hubspot/accounts/${sandbox.hubspot.portalId}/objects/deals`);
    expect(deals.status).toBe(200);
    expect(((await deals.json()) as { results: unknown[] }).results.length).toBeGreaterThan(0);
    const invoices = await fetch(`${url}/sandbox/sim/quickbooks/quickbooks/companies/${sandbox.quickbooks.realmId}/Invoice`);
    expect(invoices.status).toBe(200);

    for (const [method, path] of [
      ['GET', '/sandbox/sim/hubspot/apps'],
      ['GET', '/sandbox/sim/quickbooks/oauth/grants'],
      ['POST', '/sandbox/sim/hubspot/oauth/uninstall'],
      ['DELETE', `/sandbox/sim/hubspot/hubspot/accounts/${sandbox.hubspot.portalId}/objects/deals/1`],
    ] as const) {
      const refused = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
      expect({ method, path, status: refused.status }).toEqual({ method, path, status: 404 });
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('not_a_workbench_route');
    }
  });

  it('When the page deletes, restores or merges deals of the demo account, then those routes are passed on; a company merge, another account or another verb is refused', async () => {
    const portalId = sandbox.hubspot.portalId;
    const control = (method: string, path: string, body?: object) =>
      fetch(`${url}/sandbox/sim/hubspot/hubspot/accounts${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const deals = ((await (await control('GET', `/${portalId}/objects/deals`)).json()) as { results: Array<{ id: string }> }).results;
    const [first, second, third] = deals.map((d) => d.id);

    const deleted = await control('POST', `/${portalId}/objects/deals/${first}/delete`, {});
    expect(deleted.status).toBeLessThan(300);
    expect((await control('GET', `/${portalId}/objects/deals/${first}`)).status).toBe(404);
    const restored = await control('POST', `/${portalId}/objects/deals/${first}/restore`, {});
    expect(restored.status).toBe(200);
    expect(((await restored.json()) as { id: string }).id).toBe(first);

    const merged = await control('POST', `/${portalId}/objects/deals/merge`, { primaryObjectId: second, objectIdToMerge: third });
    expect(merged.status).toBe(200);
    const survivor = ((await merged.json()) as { id: string }).id;
    // Reading a merged-away deal answers the survivor: the simulator did merge them.
    expect(((await (await control('GET', `/${portalId}/objects/deals/${third}`)).json()) as { id: string }).id).toBe(survivor);

    const companies = ((await (await control('GET', `/${portalId}/objects/companies`)).json()) as { results: Array<{ id: string }> }).results;
    for (const [method, path, body] of [
      ['POST', `/${portalId}/objects/companies/merge`, { primaryObjectId: companies[0]!.id, objectIdToMerge: companies[1]!.id }],
      ['POST', `/${portalId}/objects/contacts/1/delete`, {}],
      ['POST', `/${portalId + 1}/objects/deals/merge`, { primaryObjectId: first, objectIdToMerge: survivor }],
      ['POST', `/${portalId + 1}/objects/deals/${first}/delete`, {}],
      ['POST', `/${portalId}1/objects/deals/${first}/delete`, {}],
      ['POST', `/${portalId + 1}/objects/deals/${first}/restore`, {}],
      ['GET', `/${portalId}/objects/deals/${first}/delete`, undefined],
      ['POST', `/${portalId}/objects/deals/${first}/archive`, {}],
    ] as const) {
      const refused = await control(method, path, body);
      expect({ method, path, status: refused.status }).toEqual({ method, path, status: 404 });
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('not_a_workbench_route');
    }
    // Nothing refused reached the simulator: the first deal is still there, and so are both companies.
    expect((await control('GET', `/${portalId}/objects/deals/${first}`)).status).toBe(200);
    expect((await control('GET', `/${portalId}/objects/companies/${companies[1]!.id}`)).status).toBe(200);
  });

  it('When the page has a card request signed, then only requests to DealBooks itself, for the demo account, are signed and sent', async () => {
    const sign = (request: Record<string, unknown>) =>
      fetch(`${url}/sandbox/sim/hubspot/card-requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    const portalId = sandbox.hubspot.portalId;
    const base = sandbox.config.publicBaseUrl;

    const card = await sign({ portalId, url: `${base}/api/quickbooks/status`, method: 'GET' });
    expect(card.status).toBe(200);
    const answer = (await card.json()) as { status: number; body: { status?: string } };
    expect(answer).toMatchObject({ status: 200, body: { status: 'connected' } });

    for (const [request, words] of [
      // The simulator would fetch its own control routes and hand back the sandbox app's client secret.
      [{ portalId, url: `${sandbox.hubspot.url}/_sim/apps` }, 'only DealBooks'],
      [{ portalId, url: 'http://127.0.0.1:1/anything' }, 'only DealBooks'],
      [{ portalId, url: `${base}@evil.example/api/quickbooks/status` }, 'only DealBooks'],
      [{ portalId: portalId + 1, url: `${base}/api/quickbooks/status` }, `account ${portalId} only`],
      [{ portalId, url: `${base}/api/quickbooks/status`, appId: 1 }, 'appId'],
      [{ portalId, url: 'not a url' }, 'not an absolute URL'],
    ] as const) {
      const refused = await sign(request);
      expect({ request, status: refused.status }).toEqual({ request, status: 400 });
      const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('not_a_card_request');
      expect(error.message).toContain(words);
    }
  });
});
