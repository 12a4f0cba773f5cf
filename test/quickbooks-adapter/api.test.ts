import { closedPort } from '../support/loopback';
import { QuickbooksApiError } from '../../server/src/quickbooks/api';
import { captureLogger, DATABASE_KIND, eventually } from '../support/harness';
import { useQboWorld } from './support';

/**
 * The thin client against the QBO simulator's injected faults: what each failure looks like to the caller
 * (retryable, outcome unknown, how long to wait), the idempotency key on writes, the log line every failure leaves,
 * and Intuit's per-company cap of 10 requests in flight (sources in test/simulators/quickbooks/limits.ts).
 */
describe(`QuickBooks API client failures (${DATABASE_KIND})`, () => {
  const q = useQboWorld();
  afterEach(() => q.sim('DELETE', '/faults'));

  const fault = (rule: Record<string, unknown>) => q.world.control('quickbooks', '/faults', rule);
  // A read nothing else in DealBooks makes (background jobs read /companyinfo and /preferences), so an injected
  // fault on its path strikes only the test's own calls.
  const PROBE = '/class/2';
  const probe = (api = q.world.ctx.quickbooks.api, signal?: AbortSignal) => api.get(q.portalId, PROBE, {}, signal);
  const failure = (promise: Promise<unknown>) => promise.then(() => Promise.reject(new Error('expected a failure')), (e: unknown) => e as QuickbooksApiError);

  it('When QBO throttles with its XML 429, then the error is retryable, says 3001 and asks for 60 s', async () => {
    await fault({ path: '/query', status: 429 });
    const error = await failure(q.world.ctx.quickbooks.api.get(q.portalId, '/query', { query: 'SELECT * FROM Term' }));
    expect(error).toBeInstanceOf(QuickbooksApiError);
    expect(error).toMatchObject({ status: 429, code: '3001', faultType: 'SERVICE', retryable: true, outcomeUnknown: false, retryAfterMs: 60_000 });
    expect(error.detail).toBe('The request limit was reached.  Try again later');
    expect(error.intuitTid).toBeTruthy();
  });

  it('When a 429 carries Retry-After, then that wait is used instead', async () => {
    await fault({ path: PROBE, status: 429, headers: { 'Retry-After': '7' } });
    expect((await failure(probe())).retryAfterMs).toBe(7000);
  });

  it('When QBO answers 400, then the error is final', async () => {
    await fault({ path: PROBE, status: 400 });
    expect(await failure(probe())).toMatchObject({ status: 400, faultType: 'ValidationFault', retryable: false, outcomeUnknown: false });
  });

  it('When a write gets a 503, then it may be retried but its outcome is unknown', async () => {
    await fault({ path: '/customer', method: 'POST', status: 503 });
    const error = await failure(q.world.ctx.quickbooks.api.post(q.portalId, '/customer', { DisplayName: 'Maybe Made Ltd' }, { requestId: 'maybe-1' }));
    expect(error).toMatchObject({ status: 503, retryable: true, outcomeUnknown: true });
  });

  it('When QBO never answers, then the call ends at the timeout as a retryable error with status 0', async () => {
    await fault({ path: PROBE, kind: 'hang' });
    const api = q.api({ timeoutMs: 300 });
    const error = await failure(probe(api));
    expect(error).toBeInstanceOf(QuickbooksApiError);
    expect(error).toMatchObject({ status: 0, network: 'timeout', retryable: true, outcomeUnknown: false, message: 'QuickBooks did not answer in 0.3 s' });
  });

  it('When a write hangs until the timeout, then its outcome is unknown', async () => {
    await fault({ path: '/customer', method: 'POST', kind: 'hang', after: true });
    const api = q.api({ timeoutMs: 300 });
    const error = await failure(api.post(q.portalId, '/customer', { DisplayName: 'Hung Holdings' }, { requestId: 'hung-1' }));
    expect(error).toMatchObject({ status: 0, network: 'timeout', retryable: true, outcomeUnknown: true });
    // It was written: the same requestid now replays the customer QBO made.
    const replay = await q.world.ctx.quickbooks.api.post<{ Customer: { DisplayName: string } }>(q.portalId, '/customer', { DisplayName: 'Hung Holdings' }, { requestId: 'hung-1' });
    expect(replay.json.Customer.DisplayName).toBe('Hung Holdings');
    expect((await q.stored('Customer')).filter((c) => c.DisplayName === 'Hung Holdings')).toHaveLength(1);
  });

  it('When the connection is reset, then the error says so instead of a raw fetch failure', async () => {
    await fault({ path: PROBE, kind: 'reset' });
    expect(await failure(probe())).toMatchObject({ status: 0, network: 'reset', retryable: true, message: 'the connection to QuickBooks was reset' });
  });

  it('When nothing listens at QBO’s address, then the error is retryable and the write known not to have happened', async () => {
    const api = q.api({ apiBaseUrl: `http://127.0.0.1:${await closedPort()}` });
    const error = await failure(api.post(q.portalId, '/customer', { DisplayName: 'Nobody Home' }, { requestId: 'refused-1' }));
    expect(error).toMatchObject({ status: 0, network: 'refused', retryable: true, outcomeUnknown: false });
  });

  it('When a write has a requestid, then it is sent as ?requestid=; one over 50 characters is refused before sending', async () => {
    await q.world.ctx.quickbooks.api.post(q.portalId, '/customer', { DisplayName: 'Keyed Kitchens' }, { requestId: 'k'.repeat(50) });
    expect((await q.apiRequests('/customer', 'POST')).some((r) => r.query.requestid === 'k'.repeat(50))).toBe(true);
    await expect(q.world.ctx.quickbooks.api.post(q.portalId, '/customer', { DisplayName: 'Too Long Ltd' }, { requestId: 'k'.repeat(51) })).rejects.toThrow('1 to 50 characters');
    expect((await q.stored('Customer')).some((c) => c.DisplayName === 'Too Long Ltd')).toBe(false);
  });

  it('When a call fails, then one log line names the account, the company, intuit_tid, status and code, and no token', async () => {
    const logs = captureLogger('info');
    const api = q.api({ logger: logs.logger });
    await fault({ path: PROBE, status: 400 });
    const error = await failure(probe(api));
    const lines = logs.entries().filter((e) => e.msg && String(e.msg).startsWith('QuickBooks call failed'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ portalId: q.portalId, realmId: q.realmId, intuitTid: error.intuitTid, status: 400, code: '2000', method: 'GET' });
    const token = (await q.world.ctx.quickbooks.connections.accessToken(q.portalId)).token;
    expect(logs.text()).not.toContain(token);
  });

  it('When an 11th request for one company starts while 10 are in flight, then it waits in DealBooks, and leaves when its caller aborts', async () => {
    await fault({ path: PROBE, kind: 'hang', times: 11 });
    const remaining = async () => ((await q.world.control('quickbooks', '/faults')).faults[0]?.remaining as number | undefined) ?? 0;
    const api = q.api();
    const hung = Array.from({ length: 10 }, () => failure(probe(api)));
    // Ten reached QBO (the hang rule was used ten times) before the eleventh starts.
    await eventually(async () => (await remaining()) === 1, { what: '10 requests hanging at QBO' });
    const controller = new AbortController();
    const eleventh = probe(api, controller.signal).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await eventually(async () => api.concurrency(q.realmId).queued === 1, { what: 'the 11th queued' });
    expect(api.concurrency(q.realmId)).toEqual({ active: 10, queued: 1 });
    expect(await remaining()).toBe(1);
    controller.abort(new Error('the card stopped waiting'));
    expect(await eleventh).toEqual(new Error('the card stopped waiting'));
    // It never reached QBO, and gave its place up.
    expect(await remaining()).toBe(1);
    expect(api.concurrency(q.realmId)).toEqual({ active: 10, queued: 0 });
    await q.sim('DELETE', '/faults');
    for (const error of await Promise.all(hung)) expect(error).toMatchObject({ status: 0, network: 'reset' });
    expect(api.concurrency(q.realmId)).toEqual({ active: 0, queued: 0 });
  });

  it('When the requests holding the ten slots end, then the waiting one goes through to QuickBooks', async () => {
    await fault({ path: PROBE, kind: 'hang', times: 10 });
    const api = q.api();
    const hung = Array.from({ length: 10 }, () => failure(probe(api)));
    await eventually(async () => (await q.world.control('quickbooks', '/faults')).faults.length === 0, { what: '10 requests hanging at QBO' });
    const eleventh = probe(api);
    await eventually(async () => api.concurrency(q.realmId).queued === 1, { what: 'the 11th queued' });
    await q.sim('DELETE', '/faults');
    expect((await eleventh).status).toBe(200);
    await Promise.all(hung);
  });
});
