import { DEMO_APP_ID, DEMO_CLIENT_SECRET, DEMO_PORTAL_ID, cardRequestUrl, sendCardRequest, signV3, type HubSpotSimulator } from './index';
import { control, startReceiver, startTestSimulator, type ReceivedRequest } from './shell-test-support';
import { verifyV3 } from './shell-test-verifier';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('HubSpot simulator card requests (what hubspot.fetch sends)', () => {
  let receiver: Receiver;
  let answers: Array<{ status: number; body?: unknown }>;
  let sim: HubSpotSimulator;

  beforeEach(async () => {
    answers = [];
    receiver = await startReceiver((_req, i) => answers[i] ?? { status: 200, body: { ok: true } });
    sim = await startTestSimulator({ dealbooksBaseUrl: `${receiver.url}/` });
  });
  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  const verify = (req: ReceivedRequest) =>
    verifyV3({
      secret: DEMO_CLIENT_SECRET,
      method: req.method,
      publicBaseUrl: receiver.url,
      originalUrl: req.url,
      rawBody: req.rawBody,
      signature: req.headers['x-hubspot-signature-v3'] as string | undefined,
      timestamp: req.headers['x-hubspot-request-timestamp'] as string | undefined,
      nowMs: sim.clock.nowMs(),
    });

  it('When a card POSTs JSON, then DealBooks gets the context query, a JSON body and a v3 signature it can verify', async () => {
    const res = await sim.cardRequest({ url: `${receiver.url}/api/deals/987/sync?force=true`, method: 'POST', body: { note: 'hi' }, portalId: DEMO_PORTAL_ID, userEmail: 'ada+test@example.com' });
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(receiver.received).toHaveLength(1);
    const req = receiver.received[0]!;
    const url = new URL(req.url, receiver.url);
    expect(url.pathname).toBe('/api/deals/987/sync');
    expect(Object.fromEntries(url.searchParams)).toEqual({ force: 'true', userId: '1', userEmail: 'ada+test@example.com', portalId: String(DEMO_PORTAL_ID), appId: String(DEMO_APP_ID) });
    expect(req.url).toContain('userEmail=ada%2Btest%40example.com');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.rawBody).toBe('{"note":"hi"}');
    expect(req.headers['x-hubspot-signature']).toBeUndefined();
    expect(verify(req)).toBe(true);
  });

  it('When the body or the URL is tampered with, then the independent verifier rejects the signature', () => {
    const timestamp = 1_700_000_000_000;
    const url = cardRequestUrl('https://dealbooks.example/api/x', { userId: 7, userEmail: 'a@b.example', portalId: 1, appId: 2 });
    expect(url).toBe('https://dealbooks.example/api/x?userId=7&userEmail=a%40b.example&portalId=1&appId=2');
    const signature = signV3({ clientSecret: 's', method: 'POST', uri: url, body: '{}', timestamp });
    const check = (body: string, originalUrl: string, nowMs = timestamp) =>
      verifyV3({ secret: 's', method: 'POST', publicBaseUrl: 'https://dealbooks.example', originalUrl, rawBody: body, timestamp: String(timestamp), nowMs, signature });
    const path = url.slice('https://dealbooks.example'.length);
    expect(check('{}', path)).toBe(true);
    expect(check('{"a":1}', path)).toBe(false);
    expect(check('{}', path.replace('portalId=1', 'portalId=9'))).toBe(false);
    expect(check('{}', path, timestamp + 5 * 60_000 + 1)).toBe(false);
  });

  it('When DealBooks answers 503, then HubSpot retries once and reports the second answer', async () => {
    answers = [{ status: 503, body: { error: 'busy' } }, { status: 200, body: { ok: 'second' } }];
    const res = await sim.cardRequest({ url: '/api/deals/1/summary', method: 'GET', portalId: DEMO_PORTAL_ID });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: 'second' });
    expect(res.attempts.map((a) => a.status)).toEqual([503, 200]);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received.every(verify)).toBe(true);
    expect(receiver.received[0]!.rawBody).toBe('');
    // The retry is a new request: signed later, so a receiver that refuses replayed signatures accepts it.
    expect(res.attempts[1]!.timestamp).toBeGreaterThan(res.attempts[0]!.timestamp);
    expect(receiver.received[1]!.headers['x-hubspot-signature-v3']).not.toBe(receiver.received[0]!.headers['x-hubspot-signature-v3']);
  });

  it('When DealBooks answers 400 or 503 twice, then there is no further retry', async () => {
    answers = [{ status: 400, body: { error: 'bad' } }];
    expect((await sim.cardRequest({ url: '/api/x', method: 'POST', body: {}, portalId: DEMO_PORTAL_ID })).attempts).toHaveLength(1);
    answers = [{ status: 400 }, { status: 503 }, { status: 503 }, { status: 200 }];
    const res = await sim.cardRequest({ url: '/api/x', method: 'POST', body: {}, portalId: DEMO_PORTAL_ID });
    expect(res.status).toBe(503);
    expect(receiver.received).toHaveLength(3);
  });

  it('When DealBooks cannot be reached, then HubSpot retries once and the card sees no answer', async () => {
    const gone = await startReceiver();
    const url = `${gone.url}/api/x`;
    await gone.close();
    const res = await sendCardRequest({ clientSecret: 's', appId: 1, url, method: 'GET', portalId: 1, userId: 1, userEmail: 'a@b.example' });
    expect(res.status).toBe(0);
    expect(res.attempts).toHaveLength(2);
    expect(res.attempts[0]!.error).toBe('ECONNREFUSED');
  });

  it('When DealBooks is slower than the timeout, then the card gets a timeout and no retry', async () => {
    const slow = await startReceiver(() => ({ status: 200, delayMs: 300 }));
    try {
      const res = await sendCardRequest({ clientSecret: 's', appId: 1, url: `${slow.url}/x`, method: 'GET', portalId: 1, userId: 1, userEmail: 'a@b.example', timeoutMs: 100 });
      expect(res).toMatchObject({ status: 0, error: 'timeout' });
      expect(res.attempts).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('When the control API sends a card request with a relative URL, then it goes to the DealBooks base URL and returns the answer', async () => {
    answers = [{ status: 201, body: { created: true } }];
    const res = await control(sim, '/card-requests', { portalId: DEMO_PORTAL_ID, method: 'POST', url: '/api/deals/5/invoice', body: { a: 1 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 201, body: { created: true } });
    expect(new URL(receiver.received[0]!.url, receiver.url).pathname).toBe('/api/deals/5/invoice');
    expect(verify(receiver.received[0]!)).toBe(true);
  });

  it('When a control card request is malformed, then a 400 says what is wrong', async () => {
    const res = await control(sim, '/card-requests', { method: 'GET', url: '/x' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('portalId');
  });
});
