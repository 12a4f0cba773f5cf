import { startSandbox, type Sandbox } from '../../server/src/sandbox/sandbox';
import { captureLogger, eventually, startTestService, testConfig, type TestService } from '../support/harness';

/**
 * The sandbox as `npm start` builds it with nothing configured: both simulators in-process, seeded, DealBooks
 * configured with their addresses and credentials, and webhooks from both pointed at DealBooks.
 */
describe('sandbox', () => {
  const captured = captureLogger('info');
  let sandbox: Sandbox;
  let service: TestService;
  let serviceUrl: string;

  beforeAll(async () => {
    sandbox = await startSandbox(testConfig({ PORT: '0' }), captured.logger);
    service = await startTestService({ config: sandbox.config, logger: captured.logger });
    const address = await service.listen(0, '127.0.0.1');
    serviceUrl = `http://127.0.0.1:${address.port}`;
    await sandbox.wire(serviceUrl);
  });

  afterAll(async () => {
    await service?.close();
    await sandbox?.close();
  });

  const json = async (url: string, init?: RequestInit) => {
    const response = await fetch(url, init);
    return { status: response.status, body: (await response.json()) as any, headers: response.headers };
  };

  it('When started, then DealBooks is configured with the simulators and this run\'s own credentials', () => {
    const { hubspot, quickbooks } = sandbox.config;
    expect(hubspot.apiBaseUrl).toBe(sandbox.hubspot.url);
    expect(hubspot.authorizeUrl).toBe(`${sandbox.hubspot.url}/oauth/authorize`);
    expect(quickbooks.apiBaseUrl).toBe(sandbox.quickbooks.url);
    expect(quickbooks.tokenUrl).toBe(`${sandbox.quickbooks.url}/oauth2/v1/tokens/bearer`);
    expect(quickbooks.revokeUrl).toBe(`${sandbox.quickbooks.url}/v2/oauth2/tokens/revoke`);
    for (const value of [hubspot.clientId, hubspot.clientSecret, quickbooks.clientId, quickbooks.clientSecret, quickbooks.webhookVerifierToken]) {
      expect(value).toMatch(/^sandbox-/);
    }
    expect(hubspot.appId).toBe(String(sandbox.hubspot.appId));
  });

  it('When the demo data is read, then the HubSpot account has deals and the QBO company has its look-alike customers', async () => {
    const deals = await json(`${sandbox.hubspot.url}/_sim/hubspot/accounts/${sandbox.hubspot.portalId}/objects/deals`);
    expect(deals.status).toBe(200);
    expect(JSON.stringify(deals.body)).toMatch(/dealname/);
    const customers = await json(`${sandbox.quickbooks.url}/_sim/quickbooks/companies/${sandbox.quickbooks.realmId}/Customer`);
    const names = (customers.body as Array<{ DisplayName: string }>).map((c) => c.DisplayName);
    expect(names).toEqual(expect.arrayContaining(['ABC LLC', 'ABC, LLC', 'ABC Inc']));
  });

  it('When a QBO admin consents with the sandbox credentials, then the token endpoint DealBooks is configured with issues tokens', async () => {
    const { quickbooks } = sandbox.config;
    const redirectUri = `http://localhost:${sandbox.config.port}/oauth/quickbooks/callback`;
    const authorize = new URL(quickbooks.authorizeUrl);
    authorize.search = new URLSearchParams({
      client_id: quickbooks.clientId!,
      response_type: 'code',
      scope: 'com.intuit.quickbooks.accounting',
      redirect_uri: redirectUri,
      state: 's1',
    }).toString();
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = new URL(consent.headers.get('location')!);
    expect(callback.searchParams.get('realmId')).toBe(sandbox.quickbooks.realmId);
    const token = await json(quickbooks.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${quickbooks.clientId}:${quickbooks.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: redirectUri }),
    });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });

    // A write in the demo company is announced to DealBooks' QBO webhook endpoint.
    const created = await json(`${quickbooks.apiBaseUrl}/v3/company/${sandbox.quickbooks.realmId}/customer?minorversion=75`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ DisplayName: 'Sandbox Wiring Test Co' }),
    });
    expect(created.status).toBe(200);
    await eventually(async () => requestsTo('/webhooks/quickbooks').length > 0, { what: 'a QBO webhook at DealBooks' });
  });

  it('When a HubSpot admin installs with the sandbox credentials, then the token endpoint issues tokens for the demo account', async () => {
    const { hubspot } = sandbox.config;
    const redirectUri = `http://localhost:${sandbox.config.port}/oauth/hubspot/callback`;
    const authorize = new URL(hubspot.authorizeUrl);
    authorize.search = new URLSearchParams({ client_id: hubspot.clientId!, redirect_uri: redirectUri, scope: 'oauth crm.objects.deals.read', state: 's2' }).toString();
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
    const token = await json(`${hubspot.apiBaseUrl}/oauth/2026-03/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: hubspot.clientId!,
        client_secret: hubspot.clientSecret!,
        redirect_uri: redirectUri,
        code,
      }),
    });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ hub_id: sandbox.hubspot.portalId, expires_in: 1800 });
  });

  it('When a demo deal is won in HubSpot, then its dealstage webhook reaches DealBooks', async () => {
    const dealsUrl = `${sandbox.hubspot.url}/_sim/hubspot/accounts/${sandbox.hubspot.portalId}/objects/deals`;
    const deals = (await json(dealsUrl)).body as { results?: Array<{ id: string; properties: Record<string, string> }> } | Array<{ id: string; properties: Record<string, string> }>;
    const list = Array.isArray(deals) ? deals : deals.results ?? [];
    const open = list.find((d) => d.properties.dealstage !== 'closedwon' && d.properties.pipeline === 'default');
    expect(open).toBeDefined();
    const patched = await fetch(`${dealsUrl}/${open!.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { dealstage: 'closedwon' } }),
    });
    expect(patched.status).toBe(200);
    await eventually(async () => requestsTo('/webhooks/hubspot').length > 0, { what: 'a HubSpot webhook at DealBooks' });
    const sent = (await json(`${sandbox.hubspot.url}/_sim/webhooks`)).body as { attempts: Array<{ url: string; body: string }> };
    // Addressed and signed for PUBLIC_BASE_URL, as HubSpot would; the sandbox's tunnel leads it to the listener.
    const delivery = sent.attempts.find((a) => a.url === `${sandbox.config.publicBaseUrl}/webhooks/hubspot`);
    expect(JSON.parse(delivery!.body)).toEqual([
      expect.objectContaining({
        portalId: sandbox.hubspot.portalId,
        appId: sandbox.hubspot.appId,
        objectId: Number(open!.id),
        propertyName: 'dealstage',
        propertyValue: 'closedwon',
      }),
    ]);
  });

  it('When the start-up guide is printed, then it names both simulators, the demo account and company, and how to win a deal', async () => {
    const guide = (await sandbox.guide('http://localhost:3000')).join('\n');
    expect(guide).toContain(sandbox.hubspot.url);
    expect(guide).toContain(sandbox.quickbooks.url);
    expect(guide).toContain(String(sandbox.hubspot.portalId));
    expect(guide).toContain(sandbox.quickbooks.realmId);
    expect(guide).toMatch(/closedwon/);
    // The guide names a real open deal, so its "win a deal" line works as printed.
    const winLine = guide.split('\n').find((line) => line.startsWith('Win a deal'))!;
    const dealId = /objects\/deals\/(\d+) /.exec(winLine)?.[1];
    expect(dealId).toBeDefined();
    const deal = await json(`${sandbox.hubspot.url}/_sim/hubspot/accounts/${sandbox.hubspot.portalId}/objects/deals/${dealId}`);
    expect(deal.status).toBe(200);
    expect(guide).not.toMatch(/sandbox-(qbo|hubspot)-(secret|verifier)/);
  });

  /** DealBooks' own request log (pino-http) shows what reached it. */
  function requestsTo(path: string) {
    return captured.entries().filter((e) => (e.req as { url?: string } | undefined)?.url === path);
  }

  it('When the sandbox is given one clock, then both simulators keep that time', async () => {
    const { SimClock } = await import('../simulators/common/clock');
    const clock = new SimClock({ start: Date.parse('2030-01-01T00:00:00Z'), freeze: true });
    const shared = await startSandbox(testConfig({ PORT: '0' }), captured.logger, { clock });
    try {
      await clock.advance(3_600_000);
      for (const url of [shared.quickbooks.url, shared.hubspot.url]) {
        const { now } = (await (await fetch(`${url}/_sim/clock`)).json()) as { now: string };
        expect(now).toBe('2030-01-01T01:00:00.000Z');
      }
    } finally {
      await shared.close();
    }
  });
});
