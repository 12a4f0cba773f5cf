import { Client } from '@hubspot/api-client';
import { SimClock } from '../common/clock';
import * as Hs from '../hubspot';
import * as Qbo from '../quickbooks';
import { connectQbo, control, qboApi, saveIntuitStatics } from './consumer-support';

/**
 * The failures DealBooks' retry policy depends on: QBO's throttle (429, XML), an outage (503), a hang (client
 * timeout) and a dropped connection must each look different to intuit-oauth's makeApiCall; HubSpot's ten-secondly
 * limit must be recognisable by policyName and clear after ten seconds.
 */
const restoreStatics = saveIntuitStatics();
afterAll(restoreStatics);

let clock: SimClock;
beforeEach(() => {
  clock = new SimClock({ freeze: true });
});

describe('QBO failures as intuit-oauth sees them', () => {
  let sim: Qbo.QuickbooksSimulator;
  let api: ReturnType<typeof qboApi>;
  let companyInfoPath: string;
  beforeEach(async () => {
    sim = await Qbo.startQuickbooksSimulator({ clock });
    const { client, realmId } = await connectQbo(sim);
    api = qboApi(client, sim.url, realmId);
    companyInfoPath = `/companyinfo/${realmId}`;
  });
  afterEach(async () => sim.close());

  it('When the per-minute limit is spent, then the call gets 429 with the XML 3001 fault and works again a minute later', async () => {
    await control(sim.url, '/_sim/limits', { perMinute: 2 });
    await api.get(companyInfoPath);
    await api.get(companyInfoPath);
    await expect(api.get(companyInfoPath)).rejects.toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });

    // What a raw client sees, even asking for JSON: XML, code 3001.
    const raw = await fetch(api.url(companyInfoPath), { headers: { authorization: `Bearer ${api.client.getToken().access_token ?? ''}`, accept: 'application/json' } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('content-type')).toMatch(/xml/);
    expect(await raw.text()).toMatch(/<Error code="3001">/);

    await clock.advance(60_000);
    expect((await api.get(companyInfoPath)).CompanyInfo.CompanyName).toBe('DealBooks Demo Co');
  });

  it('When QBO has an outage, then the call fails with 503 (not a throttle) and the retry works', async () => {
    await control(sim.url, '/_sim/faults', { path: '/v3/company/', status: 503, times: 1 });
    await expect(api.get(companyInfoPath)).rejects.toMatchObject({ code: '503' });
    expect((await api.get(companyInfoPath)).CompanyInfo.CompanyName).toBe('DealBooks Demo Co');
  });

  // The case ?requestid= exists for: QBO wrote the invoice but the answer never reached DealBooks (a reset fault
  // with `after: true` lets the write happen, then drops the connection).
  it('When the invoice is written but the answer is lost, then a retry with the same requestid returns that invoice and creates no second one', async () => {
    const invoice = { CustomerRef: { value: '1' }, Line: [{ DetailType: 'SalesItemLineDetail', Amount: 150, SalesItemLineDetail: { ItemRef: { value: '3' }, Qty: 1, UnitPrice: 150, TaxCodeRef: { value: 'NON' } } }] };
    const rule = await control(sim.url, '/_sim/faults', { path: '/invoice', method: 'POST', kind: 'reset', after: true, times: 1 });
    expect(rule.status).toBe(201);
    await expect(api.post('/invoice', invoice, { requestid: 'deal-1-attempt' })).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    // QBO did write it: that is the point of the scenario.
    const written = await control(sim.url, `/_sim/quickbooks/companies/${Qbo.DEMO_REALM_ID}/Invoice`);
    expect(JSON.stringify(written.body)).toContain('"TotalAmt":150');
    const { Invoice: retried } = await api.post('/invoice', invoice, { requestid: 'deal-1-attempt' });
    const count = await api.get<{ QueryResponse: { totalCount: number } }>('/query', { query: 'SELECT COUNT(*) FROM Invoice' });
    expect(count.QueryResponse.totalCount).toBe(1);
    expect(retried.Id).toEqual(expect.any(String));
  });

  it('When QBO hangs, then the client timeout fires as TIMEOUT_ERROR; a dropped connection is a NETWORK_ERROR', async () => {
    await control(sim.url, '/_sim/faults', { path: '/companyinfo/', kind: 'hang', times: 1 });
    // DealBooks' own short timeout (intuit-oauth's default is 30 s).
    await expect(api.client.makeApiCall({ url: api.url(companyInfoPath), timeout: 150 })).rejects.toMatchObject({ code: 'TIMEOUT_ERROR' });

    await control(sim.url, '/_sim/faults', { path: '/companyinfo/', kind: 'reset', times: 1 });
    await expect(api.get(companyInfoPath)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect((await api.get(companyInfoPath)).CompanyInfo.CompanyName).toBe('DealBooks Demo Co');
  });
});

describe('HubSpot ten-secondly limit', () => {
  let sim: Hs.HubSpotSimulator;
  beforeEach(async () => {
    sim = await Hs.startHubSpotSimulator({ clock });
  });
  afterEach(async () => sim.close());

  it('When DealBooks makes 111 calls inside ten seconds, then the 111th gets 429 TEN_SECONDLY_ROLLING and calls work again after ten seconds', async () => {
    const client = new Client({ accessToken: sim.seeded[0]?.accessToken ?? '', basePath: sim.url });
    const remaining: string[] = [];
    for (let i = 0; i < 110; i += 1) {
      const response = await fetch(`${sim.url}/crm/v3/objects/deals?limit=1`, { headers: { authorization: `Bearer ${sim.seeded[0]?.accessToken ?? ''}` } });
      expect(response.status).toBe(200);
      remaining.push(response.headers.get('x-hubspot-ratelimit-remaining') ?? '');
    }
    expect(remaining[0]).toBe('109');
    expect(remaining[109]).toBe('0');

    await expect(client.crm.deals.basicApi.getPage(1)).rejects.toMatchObject({
      code: 429,
      body: { status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' },
      headers: expect.objectContaining({ 'x-hubspot-ratelimit-max': '110', 'x-hubspot-ratelimit-interval-milliseconds': '10000' }),
    });

    await clock.advance(10_000);
    expect((await client.crm.deals.basicApi.getPage(1)).results).toHaveLength(1);
  });
});
