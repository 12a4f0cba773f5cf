import http from 'node:http';
import { SimClock } from '../common/clock';
import { DEMO_REALM_ID, startQuickbooksSimulator, type QuickbooksSimulator } from './index';
import { api, connect, control } from './oauth-test-support';

/** The 429 body QBO sends (intuit/QuickBooks-V3-PHP-SDK#54), with the simulator's envelope time. */
const THROTTLE_XML = new RegExp(
  '^<\\?xml version="1.0" encoding="UTF-8" standalone="yes"\\?>\\n' +
    '<IntuitResponse time="[^"]+" xmlns="http://schema.intuit.com/finance/v3">\\n' +
    ' {4}<Fault type="SERVICE">\\n {8}<Error code="3001">\\n' +
    ' {12}<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\\n' +
    ' {12}<Detail>The request limit was reached. {2}Try again later</Detail>\\n' +
    ' {8}</Error>\\n {4}</Fault>\\n</IntuitResponse>$',
);

let sim: QuickbooksSimulator;
let clock: SimClock;
let token: string;

beforeEach(async () => {
  clock = new SimClock({ rate: 0 });
  sim = await startQuickbooksSimulator({ clock });
  token = (await connect(sim.url)).tokens.access_token;
});
afterEach(async () => {
  await sim.close();
});

const read = (accessToken = token, realmId = DEMO_REALM_ID) => api(sim.url, realmId, accessToken, `/companyinfo/${realmId}`);

/** A create whose body is still arriving: it has passed authentication and the throttles and is in flight. */
function slowCreate(name: string): { finish(): Promise<number>; abort(): void } {
  const request = http.request(`${sim.url}/v3/company/${DEMO_REALM_ID}/customer`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
  });
  const status = new Promise<number>((resolve, reject) => {
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
  status.catch(() => undefined);
  request.write('{"DisplayName":');
  return {
    finish: () => {
      request.end(JSON.stringify(name) + '}');
      return status;
    },
    abort: () => request.destroy(),
  };
}

/** Waits (yielding to I/O, at most 5 s) until the server has taken in what the client sent. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('throttles', () => {
  it('When 10 requests of a company are in flight, then an 11th answers 429 XML, and once one finishes the next passes', async () => {
    const held = Array.from({ length: 10 }, (_, i) => slowCreate(`Held ${i}`));
    await until(() => sim.limits.stats(DEMO_REALM_ID).inFlight === 10);
    const throttled = await read();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await throttled.text()).toMatch(THROTTLE_XML);
    expect(await held[0]?.finish()).toBe(200);
    expect((await read()).status).toBe(200);
    held.slice(1).forEach((h) => h.abort());
    await until(() => sim.limits.stats(DEMO_REALM_ID).inFlight === 0);
  });

  it('When a company made 500 calls within a minute, then the 501st answers 429 until the minute has passed', async () => {
    for (let i = 0; i < 500; i++) expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(429);
    // The window slides on the simulator's clock, which also moves with real time: 30 s on, all 500 still count.
    await clock.advance(30_000);
    expect((await read()).status).toBe(429);
    await clock.advance(30_000);
    expect((await read()).status).toBe(200);
  });

  it('When a company sent 40 batch calls within a minute, then the 41st batch answers 429 while other calls still pass', async () => {
    const batch = () => api(sim.url, DEMO_REALM_ID, token, '/batch', { body: { BatchItemRequest: [{ bId: '1', Query: 'select * from Term' }] } });
    for (let i = 0; i < 40; i++) expect((await batch()).status).toBe(200);
    expect((await batch()).status).toBe(429);
    expect((await read()).status).toBe(200);
    await clock.advance(60_000);
    expect((await batch()).status).toBe(200);
  });

  it('When one company is throttled, then another company is not', async () => {
    await control(sim.url, 'POST', '/limits', { perMinute: 2 });
    await control(sim.url, 'POST', '/oauth/consent', { realmId: '4620816365257778' });
    const other = await connect(sim.url);
    expect([(await read()).status, (await read()).status, (await read()).status]).toEqual([200, 200, 429]);
    expect((await read(other.tokens.access_token, other.realmId)).status).toBe(200);
  });

  it('When limits are configured, then the control API reports them and reset restores the start-up ones', async () => {
    await sim.close();
    sim = await startQuickbooksSimulator({ clock, limits: { perMinute: 3 } });
    token = (await connect(sim.url)).tokens.access_token;
    expect((await control(sim.url, 'GET', '/limits')).body).toEqual({ concurrent: 10, perMinute: 3, batchPerMinute: 40 });
    expect((await control(sim.url, 'POST', '/limits', { perMinute: 0 })).status).toBe(400);
    await control(sim.url, 'POST', '/limits', { perMinute: 1 });
    expect([(await read()).status, (await read()).status]).toEqual([200, 429]);
    await control(sim.url, 'POST', '/reset');
    expect((await control(sim.url, 'GET', '/limits')).body.perMinute).toBe(3);
  });

  it('When perSecond is not configured, then 15 calls in the same instant all pass; once set to 10, the 11th within a second answers 429', async () => {
    await sim.close();
    // A frozen clock: every call below happens in the same simulated millisecond until the test advances it.
    clock = new SimClock({ freeze: true });
    sim = await startQuickbooksSimulator({ clock });
    token = (await connect(sim.url)).tokens.access_token;
    for (let i = 0; i < 15; i++) expect((await read()).status).toBe(200);

    await clock.advance(60_000);
    expect((await control(sim.url, 'POST', '/limits', { perSecond: 10 })).body).toEqual({ concurrent: 10, perMinute: 500, batchPerMinute: 40, perSecond: 10 });
    for (let i = 0; i < 10; i++) expect((await read()).status).toBe(200);
    const throttled = await read();
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toMatch(THROTTLE_XML);
    await clock.advance(1000);
    expect((await read()).status).toBe(200);

    expect((await control(sim.url, 'POST', '/limits', { perSecond: null })).body).toEqual({ concurrent: 10, perMinute: 500, batchPerMinute: 40 });
    for (let i = 0; i < 12; i++) expect((await read()).status).toBe(200);
  });
});
