import { CARD_CONCURRENCY_LIMIT, CARD_PAYLOAD_LIMIT_BYTES, DEMO_PORTAL_ID, type HubSpotSimulator } from './index';
import { startHoldingReceiver, startReceiver, startTestSimulator } from './shell-test-support';

describe('HubSpot simulator card requests: hubspot.fetch limits', () => {
  let sim: HubSpotSimulator;

  afterEach(async () => {
    await sim.close();
  });

  it('When 20 card requests of one app and portal are in flight, then the 21st gets 429 without reaching DealBooks, and a freed slot works again', async () => {
    const receiver = await startHoldingReceiver(() => ({ status: 200, body: { ok: true } }));
    sim = await startTestSimulator({ dealbooksBaseUrl: receiver.url });
    try {
      const first = Array.from({ length: CARD_CONCURRENCY_LIMIT }, (_, i) => sim.cardRequest({ url: `/api/deals/${i}/summary`, portalId: DEMO_PORTAL_ID }));
      await receiver.received(CARD_CONCURRENCY_LIMIT);

      const extra = await sim.cardRequest({ url: '/api/deals/21/summary', portalId: DEMO_PORTAL_ID });
      expect(extra).toMatchObject({ status: 429, attempts: [], error: 'TOO_MANY_CONCURRENT_REQUESTS' });
      expect(receiver.count).toBe(CARD_CONCURRENCY_LIMIT);

      receiver.releaseOne();
      expect((await first[0]!).status).toBe(200);
      const again = sim.cardRequest({ url: '/api/deals/22/summary', portalId: DEMO_PORTAL_ID });
      await receiver.received(CARD_CONCURRENCY_LIMIT + 1);
      receiver.releaseAll();
      expect((await again).status).toBe(200);
      expect((await Promise.all(first)).map((r) => r.status)).toEqual(Array(CARD_CONCURRENCY_LIMIT).fill(200));
    } finally {
      receiver.releaseAll();
      await receiver.close();
    }
  });

  it('When a card sends a body over 1 MB, then nothing reaches DealBooks and the card sees a failed fetch', async () => {
    const receiver = await startReceiver();
    sim = await startTestSimulator({ dealbooksBaseUrl: receiver.url });
    try {
      const res = await sim.cardRequest({ url: '/api/deals/1/notes', method: 'POST', body: { note: 'x'.repeat(CARD_PAYLOAD_LIMIT_BYTES) }, portalId: DEMO_PORTAL_ID });
      expect(res).toMatchObject({ status: 0, error: 'REQUEST_TOO_LARGE', attempts: [] });
      expect(receiver.received).toHaveLength(0);
      const small = await sim.cardRequest({ url: '/api/deals/1/notes', method: 'POST', body: { note: 'x'.repeat(1000) }, portalId: DEMO_PORTAL_ID });
      expect(small.status).toBe(200);
    } finally {
      await receiver.close();
    }
  });

  it('When DealBooks answers more than 1 MB, then the card sees a failed fetch and HubSpot does not retry', async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: { blob: 'y'.repeat(CARD_PAYLOAD_LIMIT_BYTES) } }));
    sim = await startTestSimulator({ dealbooksBaseUrl: receiver.url });
    try {
      const res = await sim.cardRequest({ url: '/api/deals/1/summary', portalId: DEMO_PORTAL_ID });
      expect(res).toMatchObject({ status: 0, error: 'RESPONSE_TOO_LARGE', body: undefined });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
