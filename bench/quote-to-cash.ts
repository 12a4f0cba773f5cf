/**
 * Quote-to-cash numbers, against the sandbox's simulators on the bench's database:
 * (a) webhook intake: signed 100-event HubSpot batches posted to /webhooks/hubspot — events per second and p50/p99
 *     per batch (verify, store raw, dedupe, store events, queue one job per deal; the answer never waits for QBO);
 * (b) deal won -> invoice visible in the card summary: 200+ deals moved to Closed Won one at a time, and 200+ more
 *     ten at a time, each timed from the moment HubSpot delivers the stage change to the first signed summary that
 *     lists the invoice (p50/p95), with the real worker loop running. The QBO simulator's per-company limit (500/min) is lifted so the numbers are DealBooks'
 *     own; with it, 200 deals in one company are paced by QBO, not by DealBooks (say so when reading the numbers);
 * (c) QBO payment -> deal properties: 200 invoices paid in QuickBooks one at a time, and 200 more ten at a time, each
 *     timed from the webhook's delivery until HubSpot holds the deal's new status and balance (p50/p95; the goal is
 *     p95 under 1 s). The notifications of the invoices (b) created are worked off first, so a payment is not timed
 *     behind 400 other changes;
 * (d) QBO notifications processed per second, from intake until every event is read, applied and settled.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { signHubSpotV3 } from '../server/src/security/hubspot-signature';
import { dealstageEvent } from '../test/simulators/hubspot/webhooks';
import { signWebhookBody } from '../test/simulators/quickbooks';
import { startBenchSandbox } from './sandbox-service';

type Record = (name: string, value: string) => void;

const BATCHES = Number(process.env.BENCH_WEBHOOK_BATCHES ?? 50);
const DEALS = Math.max(200, Number(process.env.BENCH_DEALS ?? 200));
const DEAL_CONCURRENCY = Number(process.env.BENCH_DEAL_CONCURRENCY ?? 10);
const PAYMENTS = Math.min(DEALS, Number(process.env.BENCH_PAYMENTS ?? 200));
const NOTIFICATION_BATCHES = Number(process.env.BENCH_QBO_NOTIFICATION_BATCHES ?? 20);

function percentile(sorted: number[], q: number): string {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
}

async function json(url: string, method = 'GET', body?: unknown): Promise<any> {
  const response = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

export async function benchQuoteToCash(record: Record, databaseUrl: string | undefined): Promise<void> {
  const { clock, sandbox, service, url, portalId, secret, close } = await startBenchSandbox({
    databaseUrl,
    name: 'q2c',
    jobQueueOptions: { pollIntervalMs: 50, busyKeyDelayMs: 50 },
  });
  try {

    // (a) intake: workers are off, so this measures the inbox and the queueing alone.
    const hookUrl = `${url}/webhooks/hubspot`;
    const latencies: number[] = [];
    let eventId = 1;
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < BATCHES) {
          next++;
          const events = Array.from({ length: 100 }, (_, i) =>
            dealstageEvent({
              eventId: eventId++,
              subscriptionId: 1,
              portalId,
              appId: sandbox.hubspot.appId,
              occurredAt: clock.nowMs(),
              objectId: 90_000_000 + ((eventId + i) % 500),
            }),
          );
          const body = JSON.stringify(events);
          const timestamp = String(clock.nowMs());
          const signature = signHubSpotV3({ clientSecret: secret, method: 'POST', url: hookUrl, rawBody: body, timestamp });
          const t = performance.now();
          const res = await fetch(hookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signature },
            body,
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`webhook batch answered ${res.status}`);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsed = performance.now() - started;
    latencies.sort((a, b) => a - b);
    record(
      `webhook intake: ${BATCHES} signed batches of 100, 4 concurrent`,
      `${Math.round(((BATCHES * 100) / elapsed) * 1000)} events/s, per batch p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms`,
    );
    // Those events name deals that do not exist; clear them so part (b) measures only its own work.
    await service.db.pool.query(`DELETE FROM webhook_events`);
    await service.db.pool.query(`DELETE FROM ${service.jobs.schema}.job WHERE name = 'deal.work'`);

    // (b) won -> invoice visible. Deals with two line items each, for 20 companies (so customers are matched,
    // created once and reused), products mapped by SKU to the demo items.
    const hs = `${sandbox.hubspot.url}/_sim/hubspot/accounts/${portalId}/objects`;
    await json(`${sandbox.quickbooks.url}/_sim/limits`, 'POST', { perMinute: 1_000_000, concurrent: 50, batchPerMinute: 1_000_000 });
    await json(`${sandbox.hubspot.url}/_sim/limits`, 'POST', { max: 1_000_000 });
    const items = [
      { name: 'Schematic Design Fee', price: '1200', quantity: '1' },
      { name: 'Hours', price: '33.33', quantity: '3', hs_discount_percentage: '10' },
    ];
    const companies: string[] = [];
    // Names far apart, so none is a fuzzy candidate for another (that would rightly stop and ask a person).
    const word = () => Array.from(randomBytes(9), (b) => String.fromCharCode(97 + (b % 26))).join('');
    for (let c = 0; c < 20; c++) {
      const name = `${word()} ${word()}`;
      const company = await json(hs + '/companies', 'POST', { properties: { name, domain: `${name.replace(' ', '-')}.example` } });
      companies.push(String(company.id));
    }
    const dealIds: string[] = [];
    // Two sets: one won one deal at a time (DealBooks' own latency), one won DEAL_CONCURRENCY at a time (under load).
    for (let d = 0; d < 2 * DEALS; d++) {
      const lineIds: string[] = [];
      for (const item of items) lineIds.push(String((await json(hs + '/line_items', 'POST', { properties: item })).id));
      const deal = await json(hs + '/deals', 'POST', {
        properties: { dealname: `Bench deal ${d}`, dealstage: 'contractsent', pipeline: 'default', amount: '1289.99', closedate: '2026-11-20' },
        associations: [
          { to: { id: companies[d % companies.length] }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 5 }] },
          ...lineIds.map((id) => ({ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 19 }] })),
        ],
      });
      dealIds.push(String(deal.id));
    }
    await service.db.pool.query(
      `INSERT INTO portal_settings (portal_id, settings, version) VALUES ($1, $2, 1) ON CONFLICT (portal_id) DO UPDATE SET settings = EXCLUDED.settings`,
      [portalId, JSON.stringify({ autoInvoice: true })],
    );
    service.jobs.startWorkers();

    const summaryPath = (id: string) => `/api/deals/${id}/summary?portalId=${portalId}&userId=1`;
    const signedGet = async (pathAndQuery: string) => {
      const full = `${url}${pathAndQuery}`;
      const timestamp = String(clock.nowMs());
      const res = await fetch(full, { headers: { 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signHubSpotV3({ clientSecret: secret, method: 'GET', url: full, rawBody: '', timestamp }) } });
      return { status: res.status, body: (await res.json()) as any };
    };
    const wonToInvoice = async (deals: string[], concurrency: number) => {
      const latencies: number[] = [];
      const t0 = performance.now();
      let cursor = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (cursor < deals.length) {
            const id = deals[cursor++]!;
            await json(`${hs}/deals/${id}`, 'PATCH', { properties: { dealstage: 'closedwon' } });
            // From HubSpot's delivery of the stage change to the first summary that lists the invoice.
            const start = performance.now();
            await json(`${sandbox.hubspot.url}/_sim/webhooks/flush`, 'POST', {});
            for (let polls = 0; ; polls++) {
              const summary = await signedGet(summaryPath(id));
              if (summary.status === 200 && summary.body.invoices?.length > 0) break;
              if (summary.status === 200 && summary.body.problems?.length > 0 && summary.body.pending?.length === 0) {
                throw new Error(`deal ${id} was blocked: ${JSON.stringify(summary.body.problems)}`);
              }
              if (polls > 2000) throw new Error(`deal ${id}: no invoice after ${polls} polls`);
              await new Promise((r) => setTimeout(r, 20));
            }
            latencies.push(performance.now() - start);
          }
        }),
      );
      const total = performance.now() - t0;
      latencies.sort((a, b) => a - b);
      record(
        `won -> invoice in summary, ${deals.length} deals, ${concurrency} at a time`,
        `p50 ${percentile(latencies, 0.5)} ms, p95 ${percentile(latencies, 0.95)} ms, max ${latencies[latencies.length - 1]!.toFixed(0)} ms; ${Math.round((deals.length / total) * 1000 * 60)} deals/min`,
      );
    };
    await wonToInvoice(dealIds.slice(0, DEALS), 1);
    await wonToInvoice(dealIds.slice(DEALS), DEAL_CONCURRENCY);
    const { rows } = await service.db.pool.query(`SELECT count(*)::int AS n FROM entity_links WHERE qbo_entity_type = 'Invoice' AND status = 'linked'`);
    if (rows[0].n !== 2 * DEALS) throw new Error(`expected ${2 * DEALS} invoices, DealBooks linked ${rows[0].n}`);

    // (c) QBO payment -> deal properties: the bookkeeper records one payment per invoice in QuickBooks (through the
    // simulator's API rules, so its webhook follows); timed from the webhook's delivery to the moment HubSpot holds
    // the deal's new balance and status, with the real workers running.
    const invoiceOf = new Map<string, string>();
    const links = await service.db.pool.query(`SELECT hubspot_object_id, qbo_entity_id FROM entity_links WHERE qbo_entity_type = 'Invoice' AND status = 'linked'`);
    for (const row of links.rows) invoiceOf.set(String(row.hubspot_object_id), String(row.qbo_entity_id));
    const realmId = sandbox.quickbooks.realmId;
    // Part (b) left QuickBooks' notifications of the 400 invoices it created, and their write-backs, still queued.
    // They are delivered and worked off first, so each payment below is timed on its own, not behind that backlog.
    await json(`${sandbox.quickbooks.url}/_sim/webhooks/flush`, 'POST', {});
    for (let polls = 0; ; polls++) {
      const backlog = await service.db.pool.query(
        `SELECT (SELECT count(*)::int FROM webhook_events WHERE source = 'quickbooks' AND status = 'pending')
              + (SELECT count(*)::int FROM ${service.jobs.schema}.job WHERE state IN ('created', 'retry', 'active')
                   AND (start_after IS NULL OR start_after < now() + interval '1 minute')) AS n`,
      );
      if (backlog.rows[0].n === 0) break;
      if (polls > 6000) {
        // Timed anyway, and said: the payments below then queue behind what is left.
        const waiting = await service.db.pool.query(
          `SELECT name, state, count(*)::int AS n FROM ${service.jobs.schema}.job WHERE state IN ('created', 'retry', 'active') GROUP BY 1, 2`,
        );
        record('backlog left after part (b) (payments are timed behind it)', JSON.stringify(waiting.rows));
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const payDeals = async (paid: string[], concurrency: number) => {
      const paymentLatencies: number[] = [];
      const p0 = performance.now();
      let payCursor = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (payCursor < paid.length) {
            const dealId = paid[payCursor++]!;
            await json(`${sandbox.quickbooks.url}/_sim/quickbooks/bookkeeper/${realmId}/payments`, 'POST', { invoiceId: invoiceOf.get(dealId), method: 'Check' });
            const start = performance.now();
            await json(`${sandbox.quickbooks.url}/_sim/webhooks/flush`, 'POST', {});
            for (let polls = 0; ; polls++) {
              const deal = await json(`${hs}/deals/${dealId}`);
              if (deal.properties.dealbooks_invoice_status === 'paid' && deal.properties.dealbooks_invoice_balance === '0') break;
              if (polls > 600) throw new Error(`deal ${dealId}: not shown paid after ${polls} polls`);
              // The simulators share this process with DealBooks: ten loops asking every 10 ms were a thousand requests
              // a second competing with the work being timed. Every 50 ms keeps the resolution well under the 1 s goal.
              await new Promise((r) => setTimeout(r, 50));
            }
            paymentLatencies.push(performance.now() - start);
          }
        }),
      );
      paymentLatencies.sort((a, b) => a - b);
      record(
        `QBO payment -> deal properties, ${paid.length} payments, ${concurrency} at a time`,
        `p50 ${percentile(paymentLatencies, 0.5)} ms, p95 ${percentile(paymentLatencies, 0.95)} ms, max ${paymentLatencies[paymentLatencies.length - 1]!.toFixed(0)} ms; ${Math.round((paid.length / (performance.now() - p0)) * 1000)} payments/s`,
      );
    };
    // As for winning deals: one payment at a time (the pipeline's own latency), then ten at a time (a busy day).
    await payDeals(dealIds.slice(0, PAYMENTS), 1);
    await payDeals(dealIds.slice(DEALS, DEALS + PAYMENTS), DEAL_CONCURRENCY);

    // (d) QBO notifications processed per second: signed CloudEvents batches of 100 "invoice updated" events about
    // the bench's invoices, from intake to every event settled (each is read from QuickBooks and applied once).
    const invoiceIds = [...invoiceOf.values()];
    const verifier = sandbox.config.quickbooks.webhookVerifierToken ?? '';
    const qboHook = `${url}/webhooks/quickbooks`;
    await service.db.pool.query(`DELETE FROM webhook_events WHERE source = 'quickbooks'`);
    const n0 = performance.now();
    for (let batch = 0; batch < NOTIFICATION_BATCHES; batch++) {
      const events = Array.from({ length: 100 }, (_, i) => ({
        specversion: '1.0',
        id: `bench-${batch}-${i}-${randomBytes(4).toString('hex')}`,
        source: 'bench',
        type: 'qbo.invoice.updated.v1',
        datacontenttype: 'application/json',
        time: new Date(clock.nowMs()).toISOString(),
        intuitentityid: invoiceIds[(batch * 100 + i) % invoiceIds.length],
        intuitaccountid: realmId,
        data: {},
      }));
      const body = JSON.stringify(events);
      const res = await fetch(qboHook, { method: 'POST', headers: { 'content-type': 'application/json', 'intuit-signature': signWebhookBody(verifier, body) }, body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`QBO webhook batch answered ${res.status}`);
    }
    const notified = NOTIFICATION_BATCHES * 100;
    for (let polls = 0; ; polls++) {
      const pending = await service.db.pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE source = 'quickbooks' AND status = 'pending'`);
      if (pending.rows[0].n === 0) break;
      if (polls > 6000) throw new Error(`${pending.rows[0].n} QBO notifications still pending`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const settled = await service.db.pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE source = 'quickbooks'`);
    record(
      `QBO notifications: ${notified} sent in batches of 100 (${settled.rows[0].n} stored after de-duplication)`,
      `${Math.round((settled.rows[0].n / (performance.now() - n0)) * 1000)} events/s processed (read from QuickBooks, applied, settled)`,
    );
  } finally {
    await close();
  }
}
