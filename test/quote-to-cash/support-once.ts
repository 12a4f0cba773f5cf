import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import type { RunOutcome } from '../../server/src/jobs/queue';
import { dealstageEvent as hubspotDealstageEvent, DEMO_USER, sendCardRequest, signV3 } from '../simulators/hubspot';
import { TEST_ENCRYPTION_KEY } from '../support/harness';
import { makeDeal, type Q2C } from './support';

/**
 * Helpers for the intake and exactly-once tests: deals of their own (so tests do not share state), what QBO holds
 * per deal, the simulators' request logs and faults, signed deliveries and card requests built by hand where the
 * simulator's own would not show the case, and the job queue driven the way concurrent workers would drive it.
 */

export interface NewDeal {
  dealId: string;
  companyId: string;
  companyName: string;
}

/**
 * A deal of its own, in `stage` (default contractsent) of the default pipeline, with no close date or currency set:
 * a company (new unless `companyId` is given) and one line item without a product (so the settings' default item
 * maps it).
 */
export async function newDeal(q: Q2C, input: { name: string; company?: string; companyId?: string; stage?: string }): Promise<NewDeal> {
  const companyName = input.company ?? `${input.name} Co`;
  const { dealId, companyId } = await makeDeal(q, {
    name: input.name,
    stage: input.stage,
    closeDate: null,
    currency: null,
    company: input.companyId ? { id: input.companyId } : companyName,
    lines: [{ name: 'Survey', price: '250', quantity: '2' }],
  });
  return { dealId, companyId: companyId!, companyName };
}

/** The QBO invoices that name the deal in their private note (build-document.ts privateNoteFor). */
export async function invoicesOfDeal(q: Q2C, dealId: string): Promise<any[]> {
  return (await q.qbo('Invoice')).filter((i: any) => typeof i.PrivateNote === 'string' && i.PrivateNote.includes(`(deal ${dealId},`));
}

/**
 * A deal of its own (`newDeal`) with a QBO estimate made through the card; `estimate` as QBO stores it. Give each
 * deal a company name unlike the others', or the customer match stops to ask which one is meant.
 */
export async function newEstimate(q: Q2C, input: { name: string; company?: string }): Promise<NewDeal & { estimate: any }> {
  const deal = await newDeal(q, input);
  expect((await q.card('POST', `/api/deals/${deal.dealId}/estimates`, {})).status).toBe(202);
  await q.drain();
  const summary = await q.card('GET', `/api/deals/${deal.dealId}/summary`);
  expect(summary.body.estimates).toHaveLength(1);
  const estimate = (await q.qbo('Estimate')).find((e: any) => e.Id === summary.body.estimates[0].id);
  expect(estimate.TxnStatus).toBe('Pending');
  return { ...deal, estimate };
}

/** The QBO invoices converted from an estimate: those whose LinkedTxn names it. */
export async function invoicesOfEstimate(q: Q2C, estimateId: string): Promise<any[]> {
  return (await q.qbo('Invoice')).filter((i: any) => (i.LinkedTxn ?? []).some((l: any) => l.TxnType === 'Estimate' && String(l.TxnId) === estimateId));
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status?: number;
}

/** What DealBooks sent a simulator (its request log; `path` is a substring filter). */
export async function requestsTo(q: Q2C, which: 'quickbooks' | 'hubspot', method: string, path: string): Promise<LoggedRequest[]> {
  const log = await q.world.control(which, `/requests?method=${method}&path=${encodeURIComponent(path)}`);
  return log.requests as LoggedRequest[];
}

/** QBO invoice creations (POST .../invoice, not .../invoice/{id}/send). */
export async function invoicePosts(q: Q2C): Promise<LoggedRequest[]> {
  return (await requestsTo(q, 'quickbooks', 'POST', '/invoice')).filter((r) => /\/invoice$/.test(r.path));
}

/**
 * The invoice creations sent for a deal: those carrying the requestid of the deal's invoice link (the id every
 * attempt of that one write reuses).
 */
export async function invoicePostsOfDeal(q: Q2C, dealId: string): Promise<LoggedRequest[]> {
  const { rows } = await q.world.ctx.pool.query(
    `SELECT qbo_request_id FROM entity_links WHERE portal_id = $1 AND hubspot_object_type = 'deal' AND hubspot_object_id = $2 AND qbo_entity_type = 'Invoice'`,
    [q.portalId, dealId],
  );
  const ids = new Set(rows.map((r) => r.qbo_request_id as string));
  return (await invoicePosts(q)).filter((r) => ids.has(r.query.requestid ?? ''));
}

export async function fault(q: Q2C, which: 'quickbooks' | 'hubspot', rule: Record<string, unknown>): Promise<{ id: number; remaining: number }> {
  return q.world.control(which, '/faults', rule);
}

export async function faults(q: Q2C, which: 'quickbooks' | 'hubspot'): Promise<Array<{ path: string; remaining: number }>> {
  return (await q.world.control(which, '/faults')).faults;
}

/** Forgets every fault rule and lets go of requests a hang holds (their connections are cut). */
export async function clearFaults(q: Q2C, which: 'quickbooks' | 'hubspot'): Promise<void> {
  const url = which === 'quickbooks' ? q.world.sandbox.quickbooks.url : q.world.sandbox.hubspot.url;
  const response = await fetch(`${url}/_sim/faults`, { method: 'DELETE' });
  if (response.status !== 204) throw new Error(`DELETE /_sim/faults answered ${response.status}`);
}

/** A user edits a deal in HubSpot without the test flushing webhooks (so held or reordered deliveries stay so). */
export async function patchDeal(q: Q2C, dealId: string, properties: Record<string, string>): Promise<void> {
  const url = `${q.world.sandbox.hubspot.url}/_sim/hubspot/accounts/${q.portalId}/objects/deals/${dealId}`;
  const response = await fetch(url, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ properties }) });
  if (!response.ok) throw new Error(`PATCH deal ${dealId} answered ${response.status}: ${await response.text()}`);
}

/** One deal.work job, as one worker's loop would run it (past backoff, as drain() does). */
export function runOne(q: Q2C): Promise<RunOutcome> {
  return q.world.ctx.jobs.runNext(DEAL_WORK_QUEUE, { ignoreStartAfter: true });
}

/**
 * `workers` workers taking deal work at the same time, round after round, until a round finds nothing: jobs of
 * different deals overlap (on Postgres truly in parallel), jobs of one deal meet the key lease.
 */
export async function drainConcurrently(q: Q2C, workers: number): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  for (let round = 0; round < 100; round++) {
    const results = await Promise.all(Array.from({ length: workers }, () => runOne(q)));
    outcomes.push(...results);
    if (results.every((r) => r === 'idle')) return outcomes;
  }
  throw new Error('deal work did not drain in 100 rounds');
}

export interface ActionRow {
  id: number;
  kind: string;
  status: string;
  trigger: string;
}

export async function dealActions(q: Q2C, dealId: string): Promise<ActionRow[]> {
  const { rows } = await q.world.ctx.pool.query(`SELECT id, kind, status, trigger FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 ORDER BY id`, [
    q.portalId,
    dealId,
  ]);
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, status: r.status, trigger: r.trigger }));
}

/** The deal's rows in the webhook inbox, oldest first. */
export async function inboxEvents(q: Q2C, dealId: string): Promise<Array<{ status: string; error: string | null; payload: any }>> {
  const { rows } = await q.world.ctx.pool.query(
    `SELECT status, error, payload FROM webhook_events WHERE portal_id = $1 AND object_type = 'deal' AND object_id = $2 ORDER BY id`,
    [q.portalId, dealId],
  );
  return rows;
}

/** deal.work jobs of a deal in any state (pg-boss's job table), oldest first. */
export async function dealJobs(q: Q2C, dealId: string, task?: string): Promise<Array<{ id: string; state: string; data: any }>> {
  const { rows } = await q.world.ctx.pool.query(
    `SELECT id, state, data FROM pgboss.job WHERE name = $1 AND data->>'dealId' = $2 AND ($3::text IS NULL OR data->>'task' = $3) ORDER BY created_on, id`,
    [DEAL_WORK_QUEUE, dealId, task ?? null],
  );
  return rows.map((r) => ({ id: String(r.id), state: r.state, data: r.data }));
}

/** The deal's one action job a worker is running now (pg-boss state active), to expire it as a dead worker's would. */
export async function runningActionJob(q: Q2C, dealId: string): Promise<string> {
  const running = (await dealJobs(q, dealId, 'action')).filter((j) => j.state === 'active');
  expect(running).toHaveLength(1);
  return running[0]!.id;
}

/**
 * Makes a running job's time run out now. pg-boss expires a job when `started_on + expire_in < now()` in database
 * time, and the queue's key lease runs out at `leased_until`; a worker that died holds both for the queue's full
 * expiry (5 minutes for deal work). Moving both into the past is what those minutes passing would do, without
 * waiting for them; then pg-boss's own expiry sweep hands the job back for a retry.
 */
export async function expireRunningJob(q: Q2C, jobId: string): Promise<void> {
  const moved = await q.world.ctx.pool.query(
    `UPDATE pgboss.job SET started_on = now() - expire_in - interval '1 second' WHERE id = $1 AND state = 'active'`,
    [jobId],
  );
  if (moved.rowCount !== 1) throw new Error(`job ${jobId} is not running`);
  await q.world.ctx.pool.query(`UPDATE job_key_leases SET leased_until = now() - interval '1 second' WHERE job_id = $1`, [jobId]);
  await q.world.ctx.jobs.sweepExpired();
}

/**
 * A HubSpot webhook delivery signed (v3) over DealBooks' public URL at the shared clock's time, or at `timestamp`
 * (the same body and timestamp give the same signature: the very same delivery, sent again).
 */
export async function postWebhook(q: Q2C, body: string, options: { signed?: boolean; timeoutMs?: number; timestamp?: number } = {}) {
  const url = `${q.world.baseUrl}/webhooks/hubspot`;
  const timestamp = options.timestamp ?? q.world.clock.nowMs();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.signed !== false) {
    headers['X-HubSpot-Signature-v3'] = signV3({ clientSecret: q.world.ctx.config.hubspot.clientSecret!, method: 'POST', uri: url, body, timestamp });
    headers['X-HubSpot-Request-Timestamp'] = String(timestamp);
  }
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, elapsedMs: performance.now() - started };
}

let nextEventId = 900_000_000;

/** A dealstage change event of this world's account, the way HubSpot words it (each with an id of its own). */
export function dealstageEvent(q: Q2C, dealId: string, overrides: Record<string, unknown> = {}) {
  const event = hubspotDealstageEvent({
    eventId: nextEventId++,
    subscriptionId: 1_000_001,
    portalId: q.portalId,
    appId: q.world.sandbox.hubspot.appId,
    occurredAt: q.world.clock.nowMs(),
    objectId: Number(dealId),
  });
  return { ...event, ...overrides };
}

/**
 * The same card request sent twice at once, as a double click makes the card do: two separately signed fetches
 * (HubSpot signs each with its own timestamp, so they are not replays of one another) in flight together.
 */
export async function clickTwiceAtOnce(q: Q2C, method: string, path: string, body: unknown) {
  const t = q.world.clock.nowMs() + 1;
  await q.world.clock.advance(2);
  const send = (timestamp: number) =>
    sendCardRequest({
      clientSecret: q.world.ctx.config.hubspot.clientSecret!,
      appId: q.world.sandbox.hubspot.appId,
      url: `${q.world.baseUrl}${path}`,
      method,
      body,
      portalId: q.portalId,
      userId: DEMO_USER.userId,
      userEmail: DEMO_USER.userEmail,
      now: () => timestamp,
    });
  return Promise.all([send(t), send(t + 1)]);
}

/**
 * The environment of a DealBooks worker process (test/support/worker-process.ts) on this world's database and
 * simulators, with the same token key, so it can do the same deal work as the in-process service.
 */
export function workerEnv(q: Q2C): Record<string, string> {
  const c = q.world.ctx.config;
  const env: Record<string, string | undefined> = {
    DATABASE_URL: q.world.service.db.url,
    TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    PUBLIC_BASE_URL: c.publicBaseUrl,
    HUBSPOT_CLIENT_ID: c.hubspot.clientId,
    HUBSPOT_CLIENT_SECRET: c.hubspot.clientSecret,
    HUBSPOT_APP_ID: c.hubspot.appId,
    HUBSPOT_API_BASE_URL: c.hubspot.apiBaseUrl,
    QBO_CLIENT_ID: c.quickbooks.clientId,
    QBO_CLIENT_SECRET: c.quickbooks.clientSecret,
    QBO_ENVIRONMENT: c.quickbooks.environment,
    QBO_API_BASE_URL: c.quickbooks.apiBaseUrl,
    QBO_AUTHORIZE_URL: c.quickbooks.authorizeUrl,
    QBO_TOKEN_URL: c.quickbooks.tokenUrl,
    QBO_REVOKE_URL: c.quickbooks.revokeUrl,
    QBO_WEBHOOK_VERIFIER_TOKEN: c.quickbooks.webhookVerifierToken,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
