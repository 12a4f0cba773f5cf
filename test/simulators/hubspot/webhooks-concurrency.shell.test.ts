import { DEFAULT_MAX_CONCURRENT_REQUESTS, DEMO_APP_ID, DEMO_PORTAL_ID, type HubSpotSimulator } from './index';
import { api, control, startHoldingReceiver, startTestSimulator } from './shell-test-support';

describe('HubSpot simulator webhook concurrency (maxConcurrentRequests)', () => {
  let sim: HubSpotSimulator;
  let receiver: Awaited<ReturnType<typeof startHoldingReceiver>>;

  beforeEach(async () => {
    receiver = await startHoldingReceiver();
    // Batches close on the simulated clock, so each stage change below is its own request.
    sim = await startTestSimulator({ webhookUrl: `${receiver.url}/webhooks/hubspot`, webhookBatchWindowMs: 1000, webhookTimeoutMs: 20_000 });
  });
  afterEach(async () => {
    receiver.releaseAll();
    await sim.close();
    await receiver.close();
  });

  it('When the app has no setting, then the limit is 10', () => {
    expect(DEFAULT_MAX_CONCURRENT_REQUESTS).toBe(10);
    expect(sim.apps.get(DEMO_APP_ID)!.webhooks.maxConcurrentRequests).toBe(10);
  });

  it('When more batches are due than maxConcurrentRequests, then the extra ones wait until a request is answered', async () => {
    expect((await control(sim, `/apps/${DEMO_APP_ID}/webhooks`, { maxConcurrentRequests: 2 })).body.webhooks.maxConcurrentRequests).toBe(2);
    const token = sim.seeded[0]!.accessToken;
    const dealId = sim.accounts.get(DEMO_PORTAL_ID)!.list('deals')[0]!.id;
    for (const stage of ['closedwon', 'closedlost', 'appointmentscheduled']) {
      expect((await api(sim, `/crm/v3/objects/deals/${dealId}`, token, { method: 'PATCH', body: { properties: { dealstage: stage } } })).status).toBe(200);
      await sim.clock.advance(1000);
    }

    await receiver.received(2);
    // The third batch waits for a slot: it exists, but no attempt of it has been made.
    const held = await control(sim, '/webhooks', undefined, 'GET');
    expect(held.body.messages.map((m: { attempts: number }) => m.attempts)).toEqual([1, 1, 0]);
    expect(receiver.count).toBe(2);

    receiver.releaseOne();
    await receiver.received(3);
    expect(receiver.count).toBe(3);

    receiver.releaseAll();
    await sim.flushWebhooks();
    const done = await control(sim, '/webhooks', undefined, 'GET');
    expect(done.body.messages.map((m: { state: string }) => m.state)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('When maxConcurrentRequests is not a positive integer, then the settings call is refused', async () => {
    const res = await control(sim, `/apps/${DEMO_APP_ID}/webhooks`, { maxConcurrentRequests: 0 });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(sim.apps.get(DEMO_APP_ID)!.webhooks.maxConcurrentRequests).toBe(10);
  });
});
