import { createHash } from 'node:crypto';
import { expectSameShape } from '../support/shape';
import { DEMO_APP_ID, DEMO_CLIENT_SECRET, DEMO_PORTAL_ID, WEBHOOK_RETRY_DELAYS_MS, type HubSpotSimulator } from './index';
import { api, control, payloads, startReceiver, startTestSimulator, type ReceivedRequest } from './shell-test-support';
import { verifyV3 } from './shell-test-verifier';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const fixtureEvent = (payloads.webhook_generic_object_propertyChange_deal!.body as object[])[0]!;

function events(req: ReceivedRequest): Array<Record<string, any>> {
  return JSON.parse(req.rawBody) as Array<Record<string, any>>;
}

describe('HubSpot simulator webhooks', () => {
  let sim: HubSpotSimulator;
  let receiver: Receiver;
  let answers: number[];
  let token: string;
  let dealId: string;

  beforeEach(async () => {
    answers = [];
    receiver = await startReceiver((_req, i) => ({ status: answers[i] ?? 200 }));
    sim = await startTestSimulator({ webhookUrl: `${receiver.url}/webhooks/hubspot?source=hubspot` });
    token = sim.seeded[0]!.accessToken;
    dealId = (await api(sim, '/crm/v3/objects/deals?limit=1', token)).body.results[0].id;
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  const patchDeal = (properties: Record<string, string>, id = dealId) => api(sim, `/crm/v3/objects/deals/${id}`, token, { method: 'PATCH', body: { properties } });

  it('When an app PATCHes a deal stage, then one signed request carries an event shaped like the fixture', async () => {
    expect((await patchDeal({ dealstage: 'closedwon' })).status).toBe(200);
    await sim.flushWebhooks();

    expect(receiver.received).toHaveLength(1);
    const req = receiver.received[0]!;
    const [event] = events(req);
    expectSameShape(event, fixtureEvent);
    expect(Object.keys(event!)).toEqual(Object.keys(fixtureEvent));
    expect(event).toMatchObject({
      subscriptionId: sim.apps.get(DEMO_APP_ID)!.webhooks.subscriptions[0]!.subscriptionId,
      portalId: DEMO_PORTAL_ID,
      appId: DEMO_APP_ID,
      subscriptionType: 'object.propertyChange',
      attemptNumber: 0,
      objectId: Number(dealId),
      objectTypeId: '0-3',
      propertyName: 'dealstage',
      propertyValue: 'closedwon',
      // The app's own write with its OAuth token: INTEGRATION, naming the app (crm/lifecycle-fidelity.ts integrationSourceId).
      changeSource: 'INTEGRATION',
      sourceId: String(DEMO_APP_ID),
      isSensitive: false,
    });
    expect(Math.abs(event!.occurredAt - sim.clock.nowMs())).toBeLessThan(5000);

    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-hubspot-signature-version']).toBe('v1');
    expect(req.headers['x-hubspot-signature']).toBe(createHash('sha256').update(DEMO_CLIENT_SECRET + req.rawBody).digest('hex'));
    const verified = verifyV3({
      secret: DEMO_CLIENT_SECRET,
      method: 'POST',
      publicBaseUrl: receiver.url,
      originalUrl: req.url,
      rawBody: req.rawBody,
      signature: req.headers['x-hubspot-signature-v3'] as string,
      timestamp: req.headers['x-hubspot-request-timestamp'] as string,
      nowMs: sim.clock.nowMs(),
    });
    expect(verified).toBe(true);
  });

  it('When a user changes the stage in HubSpot (CRM control), then the event says CRM_UI', async () => {
    const res = await control(sim, `/hubspot/accounts/${DEMO_PORTAL_ID}/objects/deals/${dealId}`, { properties: { dealstage: 'closedlost' } }, 'PATCH');
    expect(res.status).toBe(200);
    await sim.flushWebhooks();
    expect(events(receiver.received[0]!)[0]).toMatchObject({ propertyValue: 'closedlost', changeSource: 'CRM_UI' });
  });

  it('When a property nobody subscribed to changes, then nothing is sent', async () => {
    await patchDeal({ dealname: 'Renamed' });
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
  });

  it('When the app answers 500 twice, then HubSpot retries after 1 and 2 minutes, re-signed, with attemptNumber counting up', async () => {
    answers = [500, 500, 200];
    await patchDeal({ dealstage: 'closedwon' });
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(1);
    // Real time also runs on the clock: stay a few seconds short of the first retry, then pass it.
    await sim.clock.advance(WEBHOOK_RETRY_DELAYS_MS[0]! - 5000);
    expect(receiver.received).toHaveLength(1);
    await sim.clock.advance(5000);
    await sim.webhooks.settle();
    expect(receiver.received).toHaveLength(2);
    await sim.clock.advance(WEBHOOK_RETRY_DELAYS_MS[1]!);
    await sim.webhooks.settle();
    expect(receiver.received.map((r) => events(r)[0]!.attemptNumber)).toEqual([0, 1, 2]);
    const stamps = receiver.received.map((r) => Number(r.headers['x-hubspot-request-timestamp']));
    expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(60_000);
    for (const r of receiver.received) {
      expect(r.headers['x-hubspot-signature']).toBe(createHash('sha256').update(DEMO_CLIENT_SECRET + r.rawBody).digest('hex'));
    }
    expect(sim.webhooks.list()[0]).toMatchObject({ state: 'delivered', attempts: 3 });
  });

  it('When the app always fails, then HubSpot gives up after 10 retries within 24 hours', async () => {
    answers = Array.from({ length: 20 }, () => 503);
    await patchDeal({ dealstage: 'closedwon' });
    await sim.flushWebhooks();
    await sim.clock.advance(24 * 3600 * 1000);
    await sim.webhooks.settle();
    expect(receiver.received).toHaveLength(11);
    expect(sim.webhooks.list()[0]).toMatchObject({ state: 'failed', attempts: 11 });
  });

  it('When the app answers too slowly, then the delivery counts as failed and is retried', async () => {
    const slow = await startReceiver((_req, i) => ({ status: 200, delayMs: i === 0 ? 400 : 0 }));
    const quick = await startTestSimulator({ webhookUrl: `${slow.url}/hooks`, webhookTimeoutMs: 100 });
    try {
      const id = (await api(quick, '/crm/v3/objects/deals?limit=1', quick.seeded[0]!.accessToken)).body.results[0].id;
      await api(quick, `/crm/v3/objects/deals/${id}`, quick.seeded[0]!.accessToken, { method: 'PATCH', body: { properties: { dealstage: 'closedwon' } } });
      await quick.flushWebhooks();
      expect(quick.webhooks.attempts()[0]).toMatchObject({ attempt: 0, error: 'timeout' });
      await quick.clock.advance(WEBHOOK_RETRY_DELAYS_MS[0]!);
      await quick.webhooks.settle();
      expect(quick.webhooks.list()[0]).toMatchObject({ state: 'delivered', attempts: 2 });
    } finally {
      await quick.close();
      await slow.close();
    }
  });

  it('When 150 deal stages change at once, then they arrive in batches of 100 and 50', async () => {
    const account = sim.accounts.get(DEMO_PORTAL_ID)!;
    const ids = Array.from({ length: 150 }, (_, i) => (account.createObject('deals', { dealname: `D${i}`, dealstage: 'appointmentscheduled', pipeline: 'default' }) as { id: string }).id);
    for (const id of ids) account.setProperties('deals', id, { dealstage: 'closedwon' });
    await sim.flushWebhooks();
    expect(receiver.received.map((r) => events(r).length).sort((a, b) => b - a)).toEqual([100, 50]);
    const objectIds = receiver.received.flatMap((r) => events(r).map((e) => String(e.objectId)));
    expect(new Set(objectIds)).toEqual(new Set(ids));
  });

  it('When deliveries are set to duplicate, then the same body arrives twice', async () => {
    await control(sim, '/webhooks/mode', { duplicate: 1 });
    await patchDeal({ dealstage: 'closedwon' });
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(2);
    expect(events(receiver.received[1]!)).toEqual(events(receiver.received[0]!));
  });

  it('When a delivery is set to drop, then it never arrives and is not retried', async () => {
    await control(sim, '/webhooks/mode', { drop: 1 });
    await patchDeal({ dealstage: 'closedwon' });
    await sim.flushWebhooks();
    // Only the next message is dropped.
    await patchDeal({ dealstage: 'closedlost' });
    await sim.flushWebhooks();
    await sim.clock.advance(24 * 3600 * 1000);
    expect(receiver.received.map((r) => events(r)[0]!.propertyValue)).toEqual(['closedlost']);
    expect(sim.webhooks.list().map((m) => m.state)).toEqual(['dropped', 'delivered']);
  });

  it('When a delivery is delayed, then it arrives only once the clock passes the delay', async () => {
    await control(sim, '/webhooks/mode', { delay: 1, delayMs: 30 * 60_000 });
    await patchDeal({ dealstage: 'closedwon' });
    await sim.flushWebhooks();
    await sim.clock.advance(25 * 60_000);
    expect(receiver.received).toHaveLength(0);
    await control(sim, '/clock/advance', { minutes: 6 });
    expect(receiver.received).toHaveLength(1);
    expect(events(receiver.received[0]!)[0]!.attemptNumber).toBe(0);
  });

  it('When deliveries are set to reorder, then the later change arrives first', async () => {
    await control(sim, '/webhooks/mode', { reorder: 2 });
    await patchDeal({ dealstage: 'qualifiedtobuy' });
    await sim.flushWebhooks();
    await patchDeal({ dealstage: 'closedwon' });
    await control(sim, '/webhooks/flush');
    expect(receiver.received.map((r) => events(r)[0]!.propertyValue)).toEqual(['closedwon', 'qualifiedtobuy']);
  });

  it('When the webhook settings change through control, then events follow the new target and subscriptions', async () => {
    const other = await startReceiver();
    try {
      const res = await control(sim, `/apps/${DEMO_APP_ID}/webhooks`, {
        targetUrl: `${other.url}/hooks`,
        subscriptions: [{ subscriptionType: 'object.propertyChange', objectType: 'deals', propertyName: 'dealname' }],
      });
      expect(res.status).toBe(200);
      await patchDeal({ dealstage: 'closedwon', dealname: 'New name' });
      await sim.flushWebhooks();
      expect(receiver.received).toHaveLength(0);
      expect(other.received).toHaveLength(1);
      expect(events(other.received[0]!).map((e) => e.propertyName)).toEqual(['dealname']);
    } finally {
      await other.close();
    }
  });

  it('When the app is uninstalled from the portal, then its changes are no longer sent', async () => {
    await control(sim, '/oauth/uninstall', { portalId: DEMO_PORTAL_ID });
    await control(sim, `/hubspot/accounts/${DEMO_PORTAL_ID}/objects/deals/${dealId}`, { properties: { dealstage: 'closedlost' } }, 'PATCH');
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
  });
});
