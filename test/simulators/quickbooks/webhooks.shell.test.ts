import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SimClock } from '../common/clock';
import { expectSameShape } from '../support/shape';
import { listen, type RunningServer } from '../common/listen';
import { DEMO_REALM_ID, INTUIT_AGGREGATION_WINDOWS_MS, intuitRetryDelays, signWebhookBody, startQuickbooksSimulator, type QuickbooksSimulator, type QuickbooksSimulatorOptions } from './index';
import { api, connect, control, fixture, fixtureText } from './oauth-test-support';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const VERIFIER = 'verifier-token-for-tests';

/** DealBooks' side: an endpoint that records what arrives and answers as told. */
class Receiver {
  readonly received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  answers: Array<{ status: number; delayMs?: number }> = [];
  private server?: RunningServer;

  async start(): Promise<string> {
    this.server = await listen((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body });
        const answer = this.answers.shift() ?? { status: 200 };
        const reply = () => res.writeHead(answer.status).end();
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
      });
    });
    return `${this.server.url}/webhooks/quickbooks`;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}

let sim: QuickbooksSimulator;
let clock: SimClock;
let receiver: Receiver;
let token: string;
let hookUrl: string;

async function start(options: QuickbooksSimulatorOptions = {}): Promise<void> {
  sim = await startQuickbooksSimulator({ clock, ...options });
  token = (await connect(sim.url)).tokens.access_token;
}

beforeEach(async () => {
  clock = new SimClock({ rate: 0 });
  receiver = new Receiver();
  hookUrl = await receiver.start();
  await start();
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

async function configure(config: Record<string, unknown>): Promise<void> {
  const response = await control(sim.url, 'POST', '/webhooks/config', { url: hookUrl, verifierToken: VERIFIER, ...config });
  expect(response.status).toBe(200);
}

async function createCustomer(name: string): Promise<string> {
  const response = await api(sim.url, DEMO_REALM_ID, token, '/customer?minorversion=75', { body: { DisplayName: name } });
  expect(response.status).toBe(200);
  return String(((await response.json()) as { Customer: { Id: string } }).Customer.Id);
}

function verifies(delivery: { headers: IncomingHttpHeaders; body: string }, verifierToken: string): boolean {
  const expected = createHmac('sha256', verifierToken).update(delivery.body).digest();
  const given = Buffer.from(String(delivery.headers['intuit-signature']), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhook signature', () => {
  it("When the fixture body is signed with the fixture verifier token, then the signature is Intuit's", () => {
    const { vectors } = fixture<{ vectors: Array<{ verifierToken: string; intuitSignature: string; bodyFile: string }> }>('webhook_signature_vectors.json');
    expect(vectors.length).toBeGreaterThan(0);
    for (const vector of vectors) expect(signWebhookBody(vector.verifierToken, fixtureText(vector.bodyFile))).toBe(vector.intuitSignature);
  });
});

describe('webhook payloads', () => {
  it('When a customer is created, then a signed CloudEvents array shaped like the Intuit blog sample arrives', async () => {
    await configure({ format: 'cloudevents' });
    const id = await createCustomer('Webhook Cloud Co');
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0]!;
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(verifies(delivery, VERIFIER)).toBe(true);
    expect(verifies(delivery, 'another-token')).toBe(false);
    const events = JSON.parse(delivery.body) as Array<Record<string, unknown>>;
    expectSameShape(events, fixture('webhook_cloudevents_intuit_blog_2025.json'));
    expect(events).toEqual([
      expect.objectContaining({ specversion: '1.0', type: 'qbo.customer.created.v1', intuitentityid: id, intuitaccountid: DEMO_REALM_ID, datacontenttype: 'application/json', data: {} }),
    ]);
    expect(events[0]?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    expect(events[0]?.source).toMatch(/^intuit\.[A-Za-z0-9+/]{43}=$/);
  });

  it('When the legacy format is configured, then the payload is shaped like the legacy blog sample with Create then Update', async () => {
    await configure({ format: 'legacy' });
    const id = await createCustomer('Webhook Legacy Co');
    await sim.flushWebhooks();
    const update = await api(sim.url, DEMO_REALM_ID, token, '/customer', { body: { Id: id, SyncToken: '0', sparse: true, Notes: 'changed' } });
    expect(update.status).toBe(200);
    await sim.flushWebhooks();
    const payloads = receiver.received.map((d) => JSON.parse(d.body) as any);
    expectSameShape(payloads[0], fixture('webhook_legacy_intuit_blog_2025.json'));
    const entities = payloads.map((p) => p.eventNotifications[0].dataChangeEvent.entities[0]);
    expect(payloads.map((p) => p.eventNotifications[0].realmId)).toEqual([DEMO_REALM_ID, DEMO_REALM_ID]);
    expect(entities).toEqual([
      { name: 'Customer', id, operation: 'Create', lastUpdated: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) },
      { name: 'Customer', id, operation: 'Update', lastUpdated: expect.any(String) },
    ]);
    expect(receiver.received.every((d) => verifies(d, VERIFIER))).toBe(true);
  });

  it('When changes happen within the batching window, then they arrive together in one delivery', async () => {
    await configure({ format: 'legacy', windowMs: 5 * SECOND });
    const ids = [await createCustomer('Batch One'), await createCustomer('Batch Two')];
    await clock.advance(4 * SECOND);
    await sim.dispatcher.settle();
    expect(receiver.received).toHaveLength(0);
    await clock.advance(1 * SECOND);
    await sim.dispatcher.settle();
    expect(receiver.received).toHaveLength(1);
    const entities = (JSON.parse(receiver.received[0]!.body) as any).eventNotifications[0].dataChangeEvent.entities;
    expect(entities.map((e: { id: string }) => e.id)).toEqual(ids);
  });

  it("When the window is production's 5 minutes, then changes wait on the simulated clock and arrive in one delivery (developers.intuit.com/app/developer/qbo/docs/develop/webhooks)", async () => {
    const fiveMinutes = INTUIT_AGGREGATION_WINDOWS_MS[2];
    expect(fiveMinutes).toBe(5 * 60 * SECOND);
    await configure({ windowMs: fiveMinutes });
    const first = await createCustomer('Aggregated One');
    await clock.advance(2 * 60 * SECOND);
    const second = await createCustomer('Aggregated Two');
    // A second short of the window (real time also moves this clock a little, hence not one millisecond).
    await clock.advance(3 * 60 * SECOND - SECOND);
    await sim.dispatcher.settle();
    expect(receiver.received).toHaveLength(0);
    await clock.advance(SECOND);
    await sim.dispatcher.settle();
    expect(receiver.received).toHaveLength(1);
    const events = JSON.parse(receiver.received[0]!.body) as Array<{ type: string; intuitentityid: string }>;
    expect(events.map((e) => e.intuitentityid)).toEqual([first, second]);
  });

  it('When a sales receipt is created, then a CloudEvent of type qbo.salesreceipt.created.v1 names it', async () => {
    await configure({});
    const response = await api(sim.url, DEMO_REALM_ID, token, '/salesreceipt?minorversion=75', {
      body: { Line: [{ DetailType: 'SalesItemLineDetail', Amount: 150, SalesItemLineDetail: { ItemRef: { value: '3' }, Qty: 1, UnitPrice: 150 } }] },
    });
    expect(response.status).toBe(200);
    const id = ((await response.json()) as { SalesReceipt: { Id: string } }).SalesReceipt.Id;
    await sim.flushWebhooks();
    const events = JSON.parse(receiver.received[0]!.body) as Array<{ type: string; intuitentityid: string }>;
    expect(events).toEqual([expect.objectContaining({ type: 'qbo.salesreceipt.created.v1', intuitentityid: id })]);
  });

  it('When no webhook URL is configured, then nothing is sent', async () => {
    await createCustomer('Quiet Co');
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
    expect((await control(sim.url, 'GET', '/webhooks')).body.messages).toEqual([]);
  });

  it('When the webhook config is read back, then the verifier token is not shown whole', async () => {
    await configure({ format: 'legacy' });
    const shown = (await control(sim.url, 'GET', '/webhooks/config')).body;
    expect(shown).toMatchObject({ url: hookUrl, format: 'legacy', windowMs: 0 });
    expect(JSON.stringify(shown)).not.toContain(VERIFIER);
    expect((await control(sim.url, 'POST', '/webhooks/config', { format: 'xml' })).status).toBe(400);
  });

  it('When the simulator starts with a webhook option, then changes are delivered without a control call', async () => {
    await sim.close();
    await start({ webhook: { url: hookUrl, verifierToken: 'from-options', format: 'legacy' } });
    await createCustomer('Configured Co');
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(1);
    expect(verifies(receiver.received[0]!, 'from-options')).toBe(true);
  });
});

describe('webhook delivery', () => {
  it("When Intuit's schedule is computed, then it is 10 s, 20 s, 30 s, 5 min, 20 min, 2 h, 4 h, 6 h, then 6 h up to 3 days", () => {
    const delays = intuitRetryDelays();
    expect(delays.slice(0, 8)).toEqual([10, 20, 30, 300, 1200, 7200, 14400, 21600].map((s) => s * SECOND));
    expect(delays.slice(8).every((d) => d === 6 * HOUR)).toBe(true);
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(72 * HOUR);
    expect(total + 6 * HOUR).toBeGreaterThan(72 * HOUR);
  });

  it('When the app answers 500, then Intuit retries after 10 s and 20 s on the clock with the same signed body', async () => {
    await configure({ format: 'cloudevents' });
    receiver.answers = [{ status: 500 }, { status: 503 }];
    await createCustomer('Retry Co');
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(1);
    // The simulated clock also moves with real time, so boundaries are checked with a second of slack.
    await clock.advance(9 * SECOND);
    await sim.dispatcher.settle();
    expect(receiver.received).toHaveLength(1);
    await clock.advance(1 * SECOND);
    await sim.dispatcher.settle();
    expect(receiver.received).toHaveLength(2);
    await clock.advance(19 * SECOND);
    await sim.dispatcher.settle();
    expect(receiver.received).toHaveLength(2);
    await clock.advance(1 * SECOND);
    await sim.dispatcher.settle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((d) => d.body)).size).toBe(1);
    expect(receiver.received.every((d) => verifies(d, VERIFIER))).toBe(true);
    const { messages, attempts } = (await control(sim.url, 'GET', '/webhooks')).body;
    expect(messages).toEqual([expect.objectContaining({ state: 'delivered', attempts: 3 })]);
    expect(attempts.map((a: { status: number }) => a.status)).toEqual([500, 503, 200]);
  });

  it('When the app answers slower than the timeout, then the attempt counts as failed and is retried', async () => {
    await sim.close();
    await start({ webhookTimeoutMs: 200 });
    await configure({ format: 'legacy' });
    receiver.answers = [{ status: 200, delayMs: 1000 }];
    await createCustomer('Slow Co');
    await sim.flushWebhooks();
    await clock.advance(10 * SECOND);
    await sim.dispatcher.settle();
    const { attempts, messages } = (await control(sim.url, 'GET', '/webhooks')).body;
    expect(attempts.map((a: { error?: string; status?: number }) => a.error ?? a.status)).toEqual(['timeout', 200]);
    expect(messages[0].state).toBe('delivered');
  });

  it('When the control API asks to duplicate the next message, then the app receives the same signed body twice', async () => {
    await configure({ format: 'cloudevents' });
    expect((await control(sim.url, 'POST', '/webhooks/mode', { duplicate: 1 })).status).toBe(200);
    await createCustomer('Twice Co');
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.body).toBe(receiver.received[1]?.body);
  });

  it('When the control API asks to drop the next message, then it never arrives and the following one does', async () => {
    await configure({ format: 'legacy' });
    await control(sim.url, 'POST', '/webhooks/mode', { drop: 1 });
    await createCustomer('Lost Co');
    await sim.flushWebhooks();
    const kept = await createCustomer('Kept Co');
    await sim.flushWebhooks();
    expect(receiver.received.map((d) => (JSON.parse(d.body) as any).eventNotifications[0].dataChangeEvent.entities[0].id)).toEqual([kept]);
  });

  it('When the control API asks to delay the next message, then it arrives only once the clock has moved that far', async () => {
    await configure({ format: 'legacy' });
    await control(sim.url, 'POST', '/webhooks/mode', { delay: 1, delayMs: 5 * 60 * SECOND });
    await createCustomer('Late Co');
    await sim.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
    await control(sim.url, 'POST', '/clock/advance', { minutes: 5 });
    expect(receiver.received).toHaveLength(1);
  });

  it('When the control API asks to reorder two messages, then the second change arrives first', async () => {
    await configure({ format: 'legacy' });
    await control(sim.url, 'POST', '/webhooks/mode', { reorder: 2 });
    const first = await createCustomer('First Co');
    await sim.flushWebhooks();
    const second = await createCustomer('Second Co');
    await sim.flushWebhooks();
    const order = receiver.received.map((d) => (JSON.parse(d.body) as any).eventNotifications[0].dataChangeEvent.entities[0].id);
    expect(order).toEqual([second, first]);
  });
});
