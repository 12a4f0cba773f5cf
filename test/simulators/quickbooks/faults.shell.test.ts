import http from 'node:http';
import { SimClock } from '../common/clock';
import { expectSameShape } from '../support/shape';
import { DEMO_REALM_ID, startQuickbooksSimulator, type QuickbooksSimulator } from './index';
import { api, connect, control, fixture, refresh } from './oauth-test-support';

let sim: QuickbooksSimulator;
let token: string;

beforeEach(async () => {
  sim = await startQuickbooksSimulator({ clock: new SimClock({ rate: 0 }) });
  token = (await connect(sim.url)).tokens.access_token;
});
afterEach(async () => {
  await sim.close();
});

const INVOICE_PATH = `/v3/company/${DEMO_REALM_ID}/query`;
const query = (init: { signal?: AbortSignal } = {}) =>
  fetch(`${sim.url}${INVOICE_PATH}?query=${encodeURIComponent('select * from Invoice')}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    ...init,
  });

async function inject(rule: Record<string, unknown>): Promise<void> {
  const added = await control(sim.url, 'POST', '/faults', rule);
  expect(added.status).toBe(201);
}

describe('injected faults', () => {
  it('When a 500 is injected, then the call gets a QBO SystemFault once and the next call succeeds', async () => {
    await inject({ path: '/query', status: 500 });
    const failed = await query();
    expect(failed.status).toBe(500);
    expect(failed.headers.get('intuit_tid')).toBeTruthy();
    const body = (await failed.json()) as any;
    expectSameShape(body, fixture('fault_6240_duplicate_name.json'));
    expect(body.Fault).toMatchObject({ type: 'SystemFault', Error: [{ code: '10000', Message: 'An application error has occurred while processing your request' }] });
    expect((await query()).status).toBe(200);
  });

  it('When a 503 is injected twice, then two calls get a SERVICE fault and the third succeeds', async () => {
    await inject({ path: '/query', status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await query()).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('When a 429 is injected, then the body is the XML throttle fault even though JSON was asked for', async () => {
    await inject({ path: '/query', status: 429 });
    const response = await query();
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await response.text()).toContain('<Error code="3001">');
  });

  it('When a 401 is injected, then a valid token still gets the lower-case 3200 body', async () => {
    await inject({ path: '/query', status: 401 });
    const response = await query();
    expect(response.status).toBe(401);
    expectSameShape(await response.json(), fixture('fault_3200_authentication_401.json'));
  });

  it('When a 503 is injected on the token endpoint, then a refresh fails once and the retry gets tokens', async () => {
    const connection = await connect(sim.url);
    await inject({ path: '/oauth2/v1/tokens/bearer', method: 'POST', status: 503 });
    expect((await refresh(sim.url, connection.tokens.refresh_token)).status).toBe(503);
    expect((await refresh(sim.url, connection.tokens.refresh_token)).status).toBe(200);
  });

  it('When a call hangs, then the client times out and the simulator answers the next call normally', async () => {
    await inject({ path: '/query', kind: 'hang' });
    const error = await query({ signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    const next = await query({ signal: AbortSignal.timeout(5000) });
    expect(next.status).toBe(200);
  });

  it('When the connection is reset, then the client sees ECONNRESET / socket hang up and the next call works', async () => {
    await inject({ path: '/query', kind: 'reset' });
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const request = http.get(`${sim.url}${INVOICE_PATH}?query=select%20*%20from%20Invoice`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
        reject(new Error(`unexpected answer ${response.statusCode}`));
      });
      request.on('error', resolve);
    });
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect((await query()).status).toBe(200);
  });

  it('When a fault targets another path, then this call is untouched and the rule stays listed', async () => {
    await inject({ path: '/invoice', status: 500 });
    expect((await api(sim.url, DEMO_REALM_ID, token, `/companyinfo/${DEMO_REALM_ID}`)).status).toBe(200);
    expect((await control(sim.url, 'GET', '/faults')).body.faults).toEqual([expect.objectContaining({ path: '/invoice', remaining: 1 })]);
  });
});
