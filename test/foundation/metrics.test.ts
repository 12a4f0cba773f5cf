import net from 'node:net';
import { z } from 'zod';
import { PermanentJobError } from '../../server/src/errors';
import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import { signedHeaders } from '../simulators/hubspot/signing';
import { DEMO_PORTAL_ID } from '../simulators/hubspot/apps';
import { DEMO_REALM_ID } from '../simulators/quickbooks/server';
import { DATABASE_KIND, startTestService, type TestService } from '../support/harness';
import { startWorld, type World } from '../support/world';

/**
 * GET /metrics, scraped over real HTTP from the metrics listener (METRICS_PORT, loopback), the way Prometheus would:
 * what the counters say after webhook deliveries, upstream calls through the simulators, token refreshes and jobs.
 */

/** The value of one series, or the sum of every series of `name` whose labels include `labels`; undefined if none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

async function scrape(service: TestService): Promise<string> {
  const address = service.metricsAddress();
  if (!address) throw new Error('the metrics listener is not running');
  const response = await fetch(`http://127.0.0.1:${address.port}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/**
 * The servers that began listening while `start` ran and answer GET /metrics in the Prometheus format. Counting every
 * listening socket of the process would also count those of other parts (the embedded database's socket server opens
 * and closes with each service), so each new server is asked.
 */
async function metricsListenersOpenedBy<T>(start: () => Promise<T>): Promise<{ result: T; metricsListeners: number }> {
  const opened: net.Server[] = [];
  const listen = jest.spyOn(net.Server.prototype, 'listen').mockImplementation(function (this: net.Server, ...args: unknown[]) {
    opened.push(this);
    return (originalListen as (...a: unknown[]) => net.Server).apply(this, args);
  });
  let result: T;
  try {
    result = await start();
  } finally {
    listen.mockRestore();
  }
  let metricsListeners = 0;
  for (const server of opened) {
    const address = server.address();
    if (!server.listening || address === null || typeof address === 'string') continue;
    const answer = await fetch(`http://127.0.0.1:${address.port}/metrics`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if (answer?.status === 200 && (answer.headers.get('content-type') ?? '').startsWith('text/plain; version=0.0.4')) metricsListeners += 1;
    await answer?.body?.cancel();
  }
  return { result, metricsListeners };
}
/** net.Server's own listen, which the spy above passes every call on to. */
const originalListen = net.Server.prototype.listen;

describe(`GET /metrics on its own listener (${DATABASE_KIND})`, () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { METRICS_PORT: '0' } });
    await world.sandbox.connect(world.baseUrl);
  });
  afterAll(() => world?.close());

  const hubspotDelivery = (events: object[], options: { secret?: string } = {}) => {
    const uri = `${world.baseUrl}/webhooks/hubspot`;
    const body = JSON.stringify(events);
    const secret = options.secret ?? world.service.config.hubspot.clientSecret!;
    return fetch(uri, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders({ clientSecret: secret, method: 'POST', uri, body, timestamp: world.clock.nowMs() }) }, body });
  };

  it('When scraped, then it answers 200 in the Prometheus text format, with the process metrics and every DealBooks metric, on loopback only', async () => {
    const address = world.service.metricsAddress()!;
    expect(address.address).toBe('127.0.0.1');
    expect(address.port).not.toBe(new URL(world.baseUrl).port);
    const response = await fetch(`http://127.0.0.1:${address.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    // Every line is a comment (# HELP, # TYPE) or a sample: name{labels} value.
    for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(/^(# (HELP|TYPE) [a-zA-Z_:][\w:]* .*|[a-zA-Z_:][\w:]*(\{.*\})? [-+0-9.eNaInf]+)$/);
    for (const [name, type] of [
      ['dealbooks_webhook_deliveries_total', 'counter'],
      ['dealbooks_webhook_events_total', 'counter'],
      ['dealbooks_queue_depth', 'gauge'],
      ['dealbooks_queue_oldest_job_age_seconds', 'gauge'],
      ['dealbooks_jobs_total', 'counter'],
      ['dealbooks_job_duration_seconds', 'histogram'],
      ['dealbooks_upstream_requests_total', 'counter'],
      ['dealbooks_upstream_request_duration_seconds', 'histogram'],
      ['dealbooks_token_refreshes_total', 'counter'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
    }
    // Every queue the service defines has a depth, 0 when nothing waits.
    expect(sample(text, 'dealbooks_queue_depth', { queue: DEAL_WORK_QUEUE })).toBe(0);
  });

  it('When a signed HubSpot delivery is stored, delivered again and a forged one refused, then the delivery and event counters say so, and the queued deal job shows in the queue depth', async () => {
    const before = await scrape(world.service);
    const events = [{ eventId: 9001, subscriptionId: 1, portalId: DEMO_PORTAL_ID, occurredAt: world.clock.nowMs(), subscriptionType: 'deal.propertyChange', propertyName: 'dealstage', propertyValue: 'closedwon', objectId: 424242 }];
    expect((await hubspotDelivery(events)).status).toBe(200);
    expect((await hubspotDelivery(events)).status).toBe(200); // HubSpot re-delivers: a duplicate
    expect((await hubspotDelivery(events, { secret: 'not-the-secret' })).status).toBe(401);

    const text = await scrape(world.service);
    const delta = (name: string, labels: Record<string, string>) => (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('dealbooks_webhook_deliveries_total', { source: 'hubspot', outcome: 'stored' })).toBe(2);
    expect(delta('dealbooks_webhook_deliveries_total', { source: 'hubspot', outcome: 'refused' })).toBe(1);
    expect(delta('dealbooks_webhook_deliveries_total', { source: 'hubspot', outcome: 'failed' })).toBe(0);
    expect(delta('dealbooks_webhook_events_total', { source: 'hubspot', outcome: 'stored' })).toBe(1);
    expect(delta('dealbooks_webhook_events_total', { source: 'hubspot', outcome: 'duplicate' })).toBe(1);
    expect(sample(text, 'dealbooks_queue_depth', { queue: DEAL_WORK_QUEUE })).toBe(1);
    expect(sample(text, 'dealbooks_queue_oldest_job_age_seconds', { queue: DEAL_WORK_QUEUE })).toBeGreaterThanOrEqual(0);

    // A body that is not a HubSpot delivery, correctly signed: kept as failed.
    const uri = `${world.baseUrl}/webhooks/hubspot`;
    const body = '{"not":"a list of events"}';
    const headers = signedHeaders({ clientSecret: world.service.config.hubspot.clientSecret!, method: 'POST', uri, body, timestamp: world.clock.nowMs() });
    expect((await fetch(uri, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).status).toBe(200);
    expect(sample(await scrape(world.service), 'dealbooks_webhook_deliveries_total', { source: 'hubspot', outcome: 'failed' })).toBe(1);
  });

  it('When QuickBooks answers 429 and HubSpot answers 200 through the simulators, then the upstream counter shows each call with its status, and the durations are observed', async () => {
    const before = await scrape(world.service);
    await world.control('quickbooks', '/faults', { path: '/companyinfo/', status: 429, times: 1 });
    await expect(world.ctx.quickbooks.api.get(DEMO_PORTAL_ID, `/companyinfo/${DEMO_REALM_ID}`)).rejects.toMatchObject({ status: 429 });
    await world.ctx.quickbooks.api.get(DEMO_PORTAL_ID, `/companyinfo/${DEMO_REALM_ID}`);
    await world.ctx.quoteToCash.deals.pipelines(DEMO_PORTAL_ID);

    const text = await scrape(world.service);
    const delta = (name: string, labels: Record<string, string>) => (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('dealbooks_upstream_requests_total', { api: 'quickbooks', status: '429' })).toBe(1);
    expect(delta('dealbooks_upstream_requests_total', { api: 'quickbooks', status: '200' })).toBe(1);
    expect(delta('dealbooks_upstream_requests_total', { api: 'hubspot', status: '200' })).toBe(1);
    expect(delta('dealbooks_upstream_request_duration_seconds_count', { api: 'quickbooks' })).toBe(2);
    expect(delta('dealbooks_upstream_request_duration_seconds_count', { api: 'hubspot' })).toBe(1);
  });

  it('When an access token has expired, then the call refreshes it once and the refresh is counted for its provider', async () => {
    const before = await scrape(world.service);
    await world.clock.advance(2 * 3600_000); // QuickBooks and HubSpot access tokens live an hour or less
    await world.ctx.quickbooks.api.get(DEMO_PORTAL_ID, `/companyinfo/${DEMO_REALM_ID}`);
    const text = await scrape(world.service);
    const delta = (labels: Record<string, string>) => (sample(text, 'dealbooks_token_refreshes_total', labels) ?? 0) - (sample(before, 'dealbooks_token_refreshes_total', labels) ?? 0);
    expect(delta({ provider: 'quickbooks', outcome: 'refreshed' })).toBe(1);
    expect(delta({ provider: 'quickbooks', outcome: 'failed' })).toBe(0);
    expect(delta({ provider: 'hubspot', outcome: 'refreshed' })).toBe(0);
  });

  it('When /metrics is asked of the main port, then it answers 404; the metrics listener serves nothing but /metrics', async () => {
    expect((await fetch(`${world.baseUrl}/metrics`)).status).toBe(404);
    const { port } = world.service.metricsAddress()!;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});

describe(`job metrics, in a second service of the same process (${DATABASE_KIND})`, () => {
  const QUEUE = 'metrics.probe';
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      env: { METRICS_PORT: '0' },
      defineJobs: (jobs) =>
        jobs.define({
          name: QUEUE,
          schema: z.object({ result: z.enum(['ok', 'throw', 'permanent']) }),
          retryLimit: 1,
          handler: async ({ result }) => {
            if (result === 'throw') throw new Error('upstream trouble');
            if (result === 'permanent') throw new PermanentJobError('cannot ever succeed');
          },
        }),
    });
  });
  afterAll(() => service?.close());

  it('When jobs wait, then the depth counts them; when they run, then completed, retried and failed runs are counted with their durations', async () => {
    for (const result of ['ok', 'throw', 'permanent'] as const) await service.jobs.send(QUEUE, { result });
    const waiting = await scrape(service);
    expect(sample(waiting, 'dealbooks_queue_depth', { queue: QUEUE })).toBe(3);
    expect(sample(waiting, 'dealbooks_queue_oldest_job_age_seconds', { queue: QUEUE })).toBeGreaterThanOrEqual(0);

    // Three runs, then the retried one's second (and last) run: it fails for good.
    for (let run = 0; run < 4; run++) expect(['completed', 'failed']).toContain(await service.jobs.runNext(QUEUE, { ignoreStartAfter: true }));
    const text = await scrape(service);
    expect(sample(text, 'dealbooks_queue_depth', { queue: QUEUE })).toBe(0);
    expect(sample(text, 'dealbooks_jobs_total', { queue: QUEUE, outcome: 'completed' })).toBe(1);
    expect(sample(text, 'dealbooks_jobs_total', { queue: QUEUE, outcome: 'retried' })).toBe(1);
    expect(sample(text, 'dealbooks_jobs_total', { queue: QUEUE, outcome: 'failed' })).toBe(2);
    expect(sample(text, 'dealbooks_job_duration_seconds_count', { queue: QUEUE })).toBe(4);
    // A job scheduled for later (a backoff, a parked job) is not work the workers are behind on.
    await service.jobs.send(QUEUE, { result: 'ok' }, { startAfter: 3600 });
    expect(sample(await scrape(service), 'dealbooks_queue_depth', { queue: QUEUE })).toBe(0);
    // This service's registry is its own: no webhook reached it, whatever other services in this process counted.
    expect(sample(text, 'dealbooks_webhook_deliveries_total')).toBeUndefined();
  });
});

describe('without METRICS_PORT', () => {
  it('When METRICS_PORT is unset, then no metrics listener is opened; when set, exactly one is', async () => {
    const without = await metricsListenersOpenedBy(() => startTestService());
    try {
      expect(without.result.config.metrics.port).toBeUndefined();
      expect(without.result.metricsAddress()).toBeUndefined();
      expect(without.metricsListeners).toBe(0);
    } finally {
      await without.result.close();
    }
    const withPort = await metricsListenersOpenedBy(() => startTestService({ env: { METRICS_PORT: '0' } }));
    try {
      expect(withPort.metricsListeners).toBe(1);
    } finally {
      await withPort.result.close();
    }
  });
});
