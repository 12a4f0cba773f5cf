import request from 'supertest';
import { SimClock } from '../simulators/common/clock';
import { captureLogger, DATABASE_KIND, startTestService, testConfig, type TestService } from '../support/harness';

/**
 * Refused webhook signatures are counted per source and shown in GET /readyz, and a burst of them is warned about
 * once, not once per request: a sender retries a refused delivery many times (HubSpot up to 10 times, Intuit for
 * days), and a sender whose clock is off refuses every one of them.
 */
describe(`Refused webhook signatures (${DATABASE_KIND})`, () => {
  const logs = captureLogger();
  const clock = new SimClock({ freeze: true });
  let service: TestService;

  beforeAll(async () => {
    const config = testConfig({ HUBSPOT_CLIENT_SECRET: 'hubspot-secret', QBO_WEBHOOK_VERIFIER_TOKEN: 'intuit-verifier' });
    service = await startTestService({ config, logger: logs.logger, clock: { now: () => clock.now() } });
  });
  afterAll(() => service?.close());

  const body = JSON.stringify([{ portalId: 62515001, subscriptionType: 'object.propertyChange', objectId: 1 }]);
  const staleHubSpot = () =>
    request(service.http)
      .post('/webhooks/hubspot')
      .set('content-type', 'application/json')
      .set('x-hubspot-signature-v3', 'c2lnbmVkIGJ5IGEgY2xvY2sgb2Zm')
      .set('x-hubspot-request-timestamp', String(clock.nowMs() - 6 * 60_000))
      .send(body);
  const forgedIntuit = () => request(service.http).post('/webhooks/quickbooks').set('content-type', 'application/json').set('intuit-signature', 'Zm9yZ2Vk').send('[]');
  const warnings = (source: string) => logs.entries().filter((e) => e.level === 40 && e.source === source && /refused for their signature/.test(String(e.msg)));

  it('When deliveries are refused in a burst, then /readyz counts them per source and one warning is logged per burst, and a refusal after a quiet spell starts a new burst', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await staleHubSpot()).status).toBe(401);
      await clock.advance(60_000);
    }
    expect((await forgedIntuit()).status).toBe(401);

    const ready = await request(service.http).get('/readyz').expect(200);
    expect(ready.body.checks.webhookSignatures).toEqual({
      ok: true,
      details: {
        refused: {
          hubspot: expect.objectContaining({ refusedTotal: 3, burstRefused: 3, lastReason: expect.stringMatching(/timestamp|window|stale|old/i) }),
          quickbooks: expect.objectContaining({ refusedTotal: 1, burstRefused: 1, lastReason: 'invalid intuit-signature' }),
        },
      },
    });
    expect(warnings('hubspot')).toHaveLength(1);
    expect(warnings('quickbooks')).toHaveLength(1);

    await clock.advance(20 * 60_000);
    expect((await staleHubSpot()).status).toBe(401);
    const later = await request(service.http).get('/readyz').expect(200);
    expect(later.body.checks.webhookSignatures.details.refused.hubspot).toMatchObject({ refusedTotal: 4, burstRefused: 1, burstStartedAt: clock.now().toISOString() });
    expect(warnings('hubspot')).toHaveLength(2);
  });
});
