/**
 * Simulator numbers: how much of a later end-to-end benchmark is the simulators' own cost. Each simulator runs
 * with its rate limits lifted (the bench measures the simulator, not the throttle it imitates).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startHubSpotSimulator } from '../test/simulators/hubspot';
import { DEMO_APP, DEMO_REALM_ID, startQuickbooksSimulator } from '../test/simulators/quickbooks';
import { SEED_IDS } from '../test/simulators/quickbooks/seed';

type Record = (name: string, value: string) => void;

const INVOICES = Number(process.env.BENCH_SIM_INVOICES ?? 1000);
const DEALS = Number(process.env.BENCH_SIM_DEALS ?? 5000);

/** Runs `count` calls of `call`, `concurrency` at a time; returns rate and latency percentiles. */
export async function measure(count: number, concurrency: number, call: (i: number) => Promise<void>): Promise<string> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await call(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  return `${Math.round((count / elapsed) * 1000)} req/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`;
}

async function ok(response: Response): Promise<any> {
  const body = await response.json();
  if (!response.ok) throw new Error(`${response.status} ${JSON.stringify(body)}`);
  return body;
}

export async function benchSimulators(record: Record): Promise<void> {
  // A local receiver counts webhook deliveries.
  let received = 0;
  let receivedEvents = 0;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received++;
      receivedEvents += (JSON.parse(body) as unknown[]).length;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const qbo = await startQuickbooksSimulator({ limits: { concurrent: 1000, perMinute: 1e9, batchPerMinute: 1e9 } });
  const hs = await startHubSpotSimulator({ rateLimits: { max: 1e9, searchPerSecond: 1e9 }, webhookUrl: `${receiverUrl}/hubspot` });
  try {
    // QBO: a token through the real OAuth endpoints, then invoice creates and queries.
    const redirectUri = DEMO_APP.redirectUris[0]!;
    const consent = await fetch(
      `${qbo.url}/connect/oauth2?${new URLSearchParams({ client_id: DEMO_APP.clientId, response_type: 'code', scope: 'com.intuit.quickbooks.accounting', redirect_uri: redirectUri, state: 'b' })}`,
      { redirect: 'manual' },
    );
    const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
    const token = await ok(
      await fetch(`${qbo.url}/oauth2/v1/tokens/bearer`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${DEMO_APP.clientId}:${DEMO_APP.clientSecret}`).toString('base64')}`, accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
      }),
    );
    const api = `${qbo.url}/v3/company/${DEMO_REALM_ID}`;
    const headers = { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json', accept: 'application/json' };
    const invoice = (i: number) => ({
      CustomerRef: { value: SEED_IDS.customer.abcLlc },
      Line: [
        { DetailType: 'SalesItemLineDetail', Amount: 33.33 * 3, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours }, Qty: 3, UnitPrice: 33.33, TaxCodeRef: { value: 'TAX' } } },
        { DetailType: 'DiscountLineDetail', DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 } },
      ],
      PrivateNote: `bench ${i}`,
    });
    record(
      `QBO: create ${INVOICES} invoices (tax, discount), 8 concurrent`,
      await measure(INVOICES, 8, async (i) => void (await ok(await fetch(`${api}/invoice?minorversion=75&requestid=bench-${i}`, { method: 'POST', headers, body: JSON.stringify(invoice(i)) })))),
    );
    const query = encodeURIComponent(`SELECT * FROM Invoice WHERE CustomerRef = '${SEED_IDS.customer.abcLlc}' ORDERBY MetaData.LastUpdatedTime DESC MAXRESULTS 100`);
    record(`QBO: query 100 of ${INVOICES} invoices, x200, 4 concurrent`, await measure(200, 4, async () => void (await ok(await fetch(`${api}/query?query=${query}`, { headers })))));
    const since = new Date(Date.now() - 3_600_000).toISOString();
    record(`QBO: CDC over ${INVOICES} invoices, x20`, await measure(20, 1, async () => void (await ok(await fetch(`${api}/cdc?entities=Invoice&changedSince=${since}`, { headers })))));

    // HubSpot: deals through batch create, then search.
    const install = hs.seeded[0]!;
    const crm = { authorization: `Bearer ${install.accessToken}`, 'content-type': 'application/json' };
    const batches = Math.ceil(DEALS / 100);
    record(
      `HubSpot: batch-create ${DEALS} deals (100 per call)`,
      await measure(batches, 4, async (b) => {
        const inputs = Array.from({ length: 100 }, (_, k) => ({
          properties: { dealname: `Bench deal ${b * 100 + k}`, amount: String(1000 + k), pipeline: 'default', dealstage: 'appointmentscheduled' },
        }));
        await ok(await fetch(`${hs.url}/crm/v3/objects/deals/batch/create`, { method: 'POST', headers: crm, body: JSON.stringify({ inputs }) }));
      }),
    );
    const search = JSON.stringify({
      filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'GT', value: '1050' }, { propertyName: 'dealstage', operator: 'EQ', value: 'appointmentscheduled' }] }],
      sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }],
      properties: ['dealname', 'amount'],
      limit: 100,
    });
    record(`HubSpot: search over ${DEALS} deals, x200, 4 concurrent`, await measure(200, 4, async () => void (await ok(await fetch(`${hs.url}/crm/v3/objects/deals/search`, { method: 'POST', headers: crm, body: search })))));

    // HubSpot webhooks: 1000 dealstage changes to delivered events.
    const ids = ((await ok(await fetch(`${hs.url}/crm/v3/objects/deals/search`, { method: 'POST', headers: crm, body: search }))).results as Array<{ id: string }>).map((d) => d.id);
    const changes = 1000;
    const t = performance.now();
    for (let i = 0; i < changes; i++) {
      // Each pass over the deals flips every stage, so every call is a real change (an unchanged value sends nothing).
      const pass = Math.floor(i / ids.length);
      hs.accounts.get(install.portalId)!.setProperties('deals', ids[i % ids.length]!, { dealstage: pass % 2 ? 'closedwon' : 'contractsent' });
    }
    await hs.flushWebhooks();
    while (receivedEvents < changes && performance.now() - t < 30_000) await new Promise((r) => setTimeout(r, 5));
    record(`HubSpot: ${changes} dealstage changes -> signed webhooks`, `${receivedEvents} events in ${received} requests, ${Math.round(performance.now() - t)} ms`);
    const mem = process.memoryUsage();
    record('memory with both simulators loaded', `rss ${Math.round(mem.rss / 1048576)} MiB, heap ${Math.round(mem.heapUsed / 1048576)} MiB`);
  } finally {
    await Promise.allSettled([qbo.close(), hs.close()]);
    await new Promise((resolve) => receiver.close(resolve));
  }
}
