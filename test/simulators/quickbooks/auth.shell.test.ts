import { SimClock } from '../common/clock';
import { expectSameShape } from '../support/shape';
import { DEMO_REALM_ID, startQuickbooksSimulator, type QuickbooksSimulator } from './index';
import { api, connect, control, fixture } from './oauth-test-support';

let sim: QuickbooksSimulator;

beforeEach(async () => {
  sim = await startQuickbooksSimulator({ clock: new SimClock({ rate: 0 }) });
});
afterEach(async () => {
  await sim.close();
});

const companyInfo = (token: string | undefined, realmId = DEMO_REALM_ID) => api(sim.url, realmId, token, `/companyinfo/${realmId}?minorversion=75`);

describe('API authentication', () => {
  it('When a call has no bearer token, then it answers 401 with the lower-case body of the real 3200 fault', async () => {
    const response = await companyInfo(undefined);
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, any>;
    expectSameShape(body, fixture('fault_3200_authentication_401.json'));
    expect(body.fault).toEqual(fixture<Record<string, any>>('fault_3200_authentication_401.json').fault);
  });

  it('When a token is unknown, expired or from a revoked grant, then the call answers 401 and says which', async () => {
    const { tokens } = await connect(sim.url);
    const unknown = await companyInfo(`${tokens.access_token.slice(0, -4)}XXXX`);
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as any).fault.error[0]).toMatchObject({ code: '3200', detail: 'Token invalid' });
    await control(sim.url, 'POST', '/oauth/expire-access-tokens', {});
    const expired = await companyInfo(tokens.access_token);
    expect(((await expired.json()) as any).fault.error[0].detail).toBe('Token expired');
    const fresh = await connect(sim.url);
    await control(sim.url, 'POST', '/oauth/revoke', { realmId: fresh.realmId });
    const revoked = await companyInfo(fresh.tokens.access_token);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as any).fault.error[0].detail).toBe('Token revoked');
  });

  it('When the fault style is json, then a 401 carries the upper-case Fault envelope with code 3200', async () => {
    await control(sim.url, 'POST', '/auth/fault-style', { style: 'json' });
    const response = await companyInfo('nonsense');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      Fault: {
        Error: [{ Message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', Detail: 'Malformed bearer token: too short or too long', code: '3200' }],
        type: 'AUTHENTICATION',
      },
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[-+]\d{2}:\d{2}$/),
    });
  });

  it('When the fault style is xml, then a 401 is the XML AuthenticationFault code 100 even though JSON was asked for', async () => {
    await sim.close();
    sim = await startQuickbooksSimulator({ clock: new SimClock({ rate: 0 }), authFaultStyle: 'xml' });
    const response = await companyInfo(undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/xml/);
    const text = await response.text();
    expect(text).toContain('<Fault type="AuthenticationFault">');
    expect(text).toContain('<Error code="100">');
    expect(text).toContain('<Message>General Authentication Error</Message>');
  });

  it('When a valid token is used for another company, then it answers 403 with code 3100 in the lower-case shape', async () => {
    const { tokens } = await connect(sim.url);
    const other = sim.companies.create('1234567890123456', { seed: 'empty' }).realmId;
    for (const realmId of [other, '9999999999999999']) {
      const response = await companyInfo(tokens.access_token, realmId);
      expect(response.status).toBe(403);
      const body = (await response.json()) as any;
      // Same envelope as the 401 fixture; QBO sends `detail: null` here (frappe/erpnext#29161).
      expectSameShape(body, fixture('fault_3200_authentication_401.json'), { ignore: ['fault.error[].detail'] });
      expect(body.fault).toEqual({
        error: [{ message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403', detail: null, code: '3100', element: null }],
        type: 'SERVICE',
      });
    }
  });

  it('When the fault style is json, then a 403 is the upper-case AuthorizationFault 3100', async () => {
    const { tokens } = await connect(sim.url);
    await control(sim.url, 'POST', '/auth/fault-style', { style: 'json' });
    const response = await companyInfo(tokens.access_token, '9999999999999999');
    expect(response.status).toBe(403);
    expect(((await response.json()) as any).Fault).toMatchObject({ type: 'AuthorizationFault', Error: [{ code: '3100' }] });
  });

  it('When a token has only the openid scope, then the accounting API refuses it with 403', async () => {
    const { tokens, realmId } = await connect(sim.url, { scope: 'openid email' });
    expect((await companyInfo(tokens.access_token, realmId)).status).toBe(403);
    const userInfo = await fetch(`${sim.url}/v1/openid_connect/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userInfo.status).toBe(200);
    expect(await userInfo.json()).toMatchObject({ sub: expect.any(String), email: expect.stringContaining('@'), emailVerified: true });
  });

  it('When any call is answered, then it carries its own intuit_tid', async () => {
    const { tokens } = await connect(sim.url);
    const responses = [await companyInfo(tokens.access_token), await companyInfo(tokens.access_token), await companyInfo(undefined), await fetch(`${sim.url}/nowhere`)];
    const tids = responses.map((r) => r.headers.get('intuit_tid'));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 404]);
    for (const tid of tids) expect(tid).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(new Set(tids).size).toBe(tids.length);
  });

  it('When a path is not a QBO endpoint, then it answers a JSON 404 Fault, not an HTML page', async () => {
    const response = await fetch(`${sim.url}/v2/company/123/invoice`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as any).Fault.Error[0].Detail).toContain('GET /v2/company/123/invoice');
  });

  it('When a call was authenticated, then the request log names its company and hides the token', async () => {
    const { tokens } = await connect(sim.url);
    await companyInfo(tokens.access_token);
    const logged = (await control(sim.url, 'GET', `/requests?account=${DEMO_REALM_ID}&path=/companyinfo`)).body.requests;
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ method: 'GET', status: 200, account: DEMO_REALM_ID, headers: { authorization: 'Bearer [redacted]' } });
  });
});
