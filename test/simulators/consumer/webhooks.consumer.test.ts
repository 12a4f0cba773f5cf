import { Client } from '@hubspot/api-client';
import { SimClock } from '../common/clock';
import * as Hs from '../hubspot';
import * as Qbo from '../quickbooks';
import { connectQbo, control, hubspotV3Valid, intuitSignatureValid, qboApi, saveIntuitStatics, startReceiver } from './consumer-support';

/**
 * What reaches DealBooks from outside: QBO's signed CloudEvents after a payment (then the fetch and the CDC
 * backstop), HubSpot's signed dealstage webhook when a user wins a deal, and a signed card request. Each arrives at
 * a tiny local receiver that checks signatures the way the product will.
 */
const restoreStatics = saveIntuitStatics();
afterAll(restoreStatics);

let clock: SimClock;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeEach(async () => {
  clock = new SimClock({ freeze: true });
  receiver = await startReceiver();
});
afterEach(async () => receiver.close());

interface CloudEvent {
  specversion: string;
  id: string;
  type: string;
  source: string;
  time: string;
  intuitentityid: string;
  intuitaccountid: string;
}

describe('QBO payment webhook', () => {
  let sim: Qbo.QuickbooksSimulator;
  beforeEach(async () => {
    sim = await Qbo.startQuickbooksSimulator({ clock, webhook: { url: `${receiver.url}/webhooks/quickbooks` } });
  });
  afterEach(async () => sim.close());

  it('When finance records a payment, then DealBooks receives a verifiable CloudEvent, fetches the payment and sees the invoice balance fall', async () => {
    const { client, realmId } = await connectQbo(sim);
    const api = qboApi(client, sim.url, realmId);
    const line = { DetailType: 'SalesItemLineDetail', Amount: 1200, SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 1, UnitPrice: 1200, TaxCodeRef: { value: 'NON' } } };
    const { Invoice: invoice } = await api.post('/invoice', { CustomerRef: { value: '1' }, Line: [line] });
    await sim.flushWebhooks();
    receiver.received.length = 0;

    // The bookkeeper's app, through the same public API.
    const { Payment: payment } = await api.post('/payment', { CustomerRef: { value: '1' }, TotalAmt: 1000, Line: [{ Amount: 1000, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] });
    await sim.flushWebhooks();

    expect(receiver.received.length).toBeGreaterThanOrEqual(1);
    const events: CloudEvent[] = [];
    for (const delivery of receiver.received) {
      expect(delivery.method).toBe('POST');
      expect(delivery.originalUrl).toBe('/webhooks/quickbooks');
      const header = delivery.headers['intuit-signature'];
      expect(intuitSignatureValid(Qbo.DEMO_VERIFIER_TOKEN, delivery.rawBody, typeof header === 'string' ? header : undefined)).toBe(true);
      expect(intuitSignatureValid('some-other-token', delivery.rawBody, typeof header === 'string' ? header : undefined)).toBe(false);
      events.push(...(JSON.parse(delivery.rawBody.toString('utf8')) as CloudEvent[]));
    }
    const paymentEvent = events.find((e) => e.type === 'qbo.payment.created.v1');
    // The shape of fixture webhook_cloudevents_intuit_blog_2025.json.
    expect(paymentEvent).toEqual({
      specversion: '1.0',
      id: expect.any(String),
      source: expect.stringMatching(/^intuit\./),
      type: 'qbo.payment.created.v1',
      datacontenttype: 'application/json',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      intuitentityid: payment.Id,
      intuitaccountid: realmId,
      data: expect.any(Object),
    });

    // Payloads carry ids only: DealBooks fetches the entity and follows its links.
    const { Payment: fetched } = await api.get(`/payment/${paymentEvent?.intuitentityid}`);
    const applied = fetched.Line.flatMap((l: { LinkedTxn: Array<{ TxnId: string; TxnType: string }> }) => l.LinkedTxn);
    expect(applied).toEqual([expect.objectContaining({ TxnId: invoice.Id, TxnType: 'Invoice' })]);
    const { Invoice: paidDown } = await api.get(`/invoice/${invoice.Id}`);
    expect(paidDown.Balance).toBe(200);
  });

  it('When DealBooks runs CDC since its last sync, then it gets the invoice and payment changed since then and nothing older', async () => {
    const { client, realmId } = await connectQbo(sim);
    const api = qboApi(client, sim.url, realmId);
    const line = { DetailType: 'SalesItemLineDetail', Amount: 150, SalesItemLineDetail: { ItemRef: { value: '3' }, Qty: 1, UnitPrice: 150, TaxCodeRef: { value: 'NON' } } };
    const { Invoice: old } = await api.post('/invoice', { CustomerRef: { value: '2' }, Line: [line] });
    await clock.advance(60_000);
    const since = new Date(clock.nowMs()).toISOString();
    await clock.advance(60_000);
    const { Invoice: invoice } = await api.post('/invoice', { CustomerRef: { value: '1' }, Line: [line] });
    const { Payment: payment } = await api.post('/payment', { CustomerRef: { value: '1' }, TotalAmt: 150, Line: [{ Amount: 150, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] });

    const cdc = await api.get<{ CDCResponse: Array<{ QueryResponse: Array<Record<string, Array<{ Id: string }>>> }> }>('/cdc', { entities: 'Invoice,Payment', changedSince: since });
    const changed = (cdc.CDCResponse[0]?.QueryResponse ?? []).flatMap((r) => Object.entries(r).filter(([, v]) => Array.isArray(v)).flatMap(([k, v]) => v.map((o) => `${k}:${o.Id}`)));
    expect(changed).toEqual(expect.arrayContaining([`Invoice:${invoice.Id}`, `Payment:${payment.Id}`]));
    expect(changed).not.toContain(`Invoice:${old.Id}`);
  });
});

describe('HubSpot dealstage webhook and card requests', () => {
  let sim: Hs.HubSpotSimulator;
  beforeEach(async () => {
    sim = await Hs.startHubSpotSimulator({ clock, webhookUrl: `${receiver.url}/webhooks/hubspot` });
  });
  afterEach(async () => sim.close());

  async function dealId(name: string): Promise<string> {
    const listed = await control(sim.url, `/_sim/hubspot/accounts/${Hs.DEMO_PORTAL_ID}/objects/deals`);
    const results = (listed.body.results ?? listed.body) as Array<{ id: string; properties: Record<string, string> }>;
    const found = results.find((d) => d.properties.dealname === name);
    if (!found) throw new Error(`no deal ${name}`);
    return found.id;
  }

  it('When a user moves a deal to the won stage, then DealBooks receives a v3-signed dealstage event it can verify and act on', async () => {
    const id = await dealId('ABC LLC - Schematic design');
    const moved = await control(sim.url, `/_sim/hubspot/accounts/${Hs.DEMO_PORTAL_ID}/objects/deals/${id}`, { properties: { dealstage: 'closedwon' } }, 'PATCH');
    expect(moved.status).toBe(200);
    await sim.flushWebhooks();

    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0]!;
    const rawBody = delivery.rawBody.toString('utf8');
    // DealBooks builds the signed URL from its configured public base URL plus the path it was called on.
    const verify = (secret: string, body: string) => hubspotV3Valid({ clientSecret: secret, method: delivery.method, url: `${receiver.url}${delivery.originalUrl}`, rawBody: body, headers: delivery.headers, nowMs: clock.nowMs() });
    expect(verify(Hs.DEMO_CLIENT_SECRET, rawBody)).toBe(true);
    expect(verify('wrong-secret', rawBody)).toBe(false);
    expect(verify(Hs.DEMO_CLIENT_SECRET, rawBody.replace('closedwon', 'closedlost'))).toBe(false);

    const events = JSON.parse(rawBody) as Hs.HubSpotWebhookEvent[];
    expect(events).toEqual([
      expect.objectContaining({
        subscriptionType: 'object.propertyChange',
        objectTypeId: '0-3',
        objectId: Number(id),
        propertyName: 'dealstage',
        propertyValue: 'closedwon',
        portalId: Hs.DEMO_PORTAL_ID,
        appId: Hs.DEMO_APP_ID,
        changeSource: 'CRM_UI',
        attemptNumber: 0,
        // Delivery order is not guaranteed; DealBooks orders by occurredAt, the time of the change.
        occurredAt: clock.nowMs(),
      }),
    ]);

    // The event carries the stage id only; the deal read confirms it is won.
    const client = new Client({ accessToken: sim.seeded[0]?.accessToken ?? '', basePath: sim.url });
    const deal = await client.crm.deals.basicApi.getById(id, ['dealstage', 'hs_is_closed_won']);
    expect(deal.properties).toMatchObject({ dealstage: 'closedwon', hs_is_closed_won: 'true' });
  });

  it('When DealBooks writes its own deal properties through the API, then no dealstage webhook echoes back', async () => {
    const client = new Client({ accessToken: sim.seeded[0]?.accessToken ?? '', basePath: sim.url });
    const id = await dealId('ABC LLC - Schematic design');
    await client.crm.deals.basicApi.update(id, { properties: { description: 'Invoiced in QuickBooks' } });
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(0);

    // A stage change DealBooks itself makes is reported as an INTEGRATION change naming this app, so it can ignore its own echo.
    await client.crm.deals.basicApi.update(id, { properties: { dealstage: 'closedwon' } });
    await sim.flushWebhooks();
    const events = receiver.received.flatMap((r) => JSON.parse(r.rawBody.toString('utf8')) as Hs.HubSpotWebhookEvent[]);
    expect(events).toEqual([expect.objectContaining({ propertyValue: 'closedwon', changeSource: 'INTEGRATION', sourceId: String(Hs.DEMO_APP_ID) })]);
  });

  it('When DealBooks answers a webhook with 500, then the same event comes again later with attemptNumber 1 and a fresh valid signature', async () => {
    await receiver.close();
    let calls = 0;
    receiver = await startReceiver(() => ({ status: calls++ === 0 ? 500 : 200 }));
    await control(sim.url, `/_sim/apps/${Hs.DEMO_APP_ID}/webhooks`, { targetUrl: `${receiver.url}/webhooks/hubspot` });
    const id = await dealId('Northwind - Feasibility study');
    await control(sim.url, `/_sim/hubspot/accounts/${Hs.DEMO_PORTAL_ID}/objects/deals/${id}`, { properties: { dealstage: 'closedwon' } }, 'PATCH');
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(1);

    await clock.advance(60_000);
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received.map((r) => JSON.parse(r.rawBody.toString('utf8')) as Hs.HubSpotWebhookEvent[]);
    expect(second?.[0]).toMatchObject({ eventId: first?.[0]?.eventId, attemptNumber: 1 });
    const retry = receiver.received[1]!;
    expect(hubspotV3Valid({ clientSecret: Hs.DEMO_CLIENT_SECRET, method: 'POST', url: `${receiver.url}${retry.originalUrl}`, rawBody: retry.rawBody.toString('utf8'), headers: retry.headers, nowMs: clock.nowMs() })).toBe(true);
  });

  it('When HubSpot relays a card request, then DealBooks sees its own query plus userId, userEmail, portalId and appId under a valid v3 signature', async () => {
    const url = `${receiver.url}/api/card/deal?dealId=30000000011&fields=status%2Cbalance`;
    const answer = await control(sim.url, '/_sim/card-requests', { portalId: Hs.DEMO_PORTAL_ID, url, method: 'POST', body: { action: 'createInvoice' } });
    expect(answer.body).toMatchObject({ status: 200, body: { ok: true } });
    expect(answer.body.attempts).toHaveLength(1);

    expect(receiver.received).toHaveLength(1);
    const request = receiver.received[0]!;
    const query = new URL(request.originalUrl, receiver.url).searchParams;
    expect(query.get('dealId')).toBe('30000000011');
    expect(query.get('fields')).toBe('status,balance');
    expect(query.get('portalId')).toBe(String(Hs.DEMO_PORTAL_ID));
    expect(query.get('appId')).toBe(String(Hs.DEMO_APP_ID));
    expect(query.get('userId')).toBe(String(Hs.DEMO_USER.userId));
    expect(query.get('userEmail')).toBe(Hs.DEMO_USER.userEmail);
    expect(JSON.parse(request.rawBody.toString('utf8'))).toEqual({ action: 'createInvoice' });
    expect(hubspotV3Valid({ clientSecret: Hs.DEMO_CLIENT_SECRET, method: 'POST', url: `${receiver.url}${request.originalUrl}`, rawBody: request.rawBody.toString('utf8'), headers: request.headers, nowMs: clock.nowMs() })).toBe(true);
  });

  it('When the card loads its data with a GET, then the request has an empty signed body and the same appended identity', async () => {
    const answer = await control(sim.url, '/_sim/card-requests', { portalId: Hs.DEMO_PORTAL_ID, url: `${receiver.url}/api/card/deal?dealId=30000000011` });
    expect(answer.body).toMatchObject({ status: 200 });
    const request = receiver.received[0]!;
    expect(request.method).toBe('GET');
    expect(request.rawBody.length).toBe(0);
    expect(new URL(request.originalUrl, receiver.url).searchParams.get('portalId')).toBe(String(Hs.DEMO_PORTAL_ID));
    expect(hubspotV3Valid({ clientSecret: Hs.DEMO_CLIENT_SECRET, method: 'GET', url: `${receiver.url}${request.originalUrl}`, rawBody: '', headers: request.headers, nowMs: clock.nowMs() })).toBe(true);
  });
});
