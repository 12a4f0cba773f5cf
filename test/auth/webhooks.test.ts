import { createHash } from 'node:crypto';
import type { Config } from '../../server/src/config';
import { migrate } from '../../server/src/db/migrate';
import { createHttpApp } from '../../server/src/http/app';
import { webhookRoutes } from '../../server/src/http/routes/webhooks';
import { signHubSpotV3 } from '../../server/src/security/hubspot-signature';
import { SimClock } from '../simulators/common/clock';
import * as Hs from '../simulators/hubspot';
import * as Qbo from '../simulators/quickbooks';
import { captureLogger, createTestDatabase, DATABASE_KIND, testConfig, type TestDatabase } from '../support/harness';
import { bindLoopback, type BoundServer } from '../support/loopback';

/**
 * The webhook inbox against the simulators' real deliveries: HubSpot's signed dealstage and privacy-deletion
 * events, QuickBooks' signed CloudEvents and legacy notifications. What the services would see (their delivery
 * attempts' statuses) and what DealBooks keeps (deliveries and events in the database) are both checked.
 */
const PORTAL = Hs.DEMO_PORTAL_ID;
const OTHER_PORTAL = 62_515_777;
const REALM = Qbo.DEMO_REALM_ID;

let db: TestDatabase;
let bound: BoundServer;
let baseUrl: string;
let config: Config;
let clock: SimClock;
const privacyDeletions: Array<[number, string]> = [];
let failNextPrivacyDeletion = false;
const logs = captureLogger();

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool, logs.logger);
  await db.pool.query('INSERT INTO portals (portal_id) VALUES ($1), ($2)', [PORTAL, OTHER_PORTAL]);
  await db.pool.query(
    `INSERT INTO qbo_connections (portal_id, realm_id, environment, status, access_token_cipher, refresh_token_cipher, key_id)
     VALUES ($1, $2, 'sandbox', 'connected', '\\x00', '\\x00', 'k')`,
    [PORTAL, REALM],
  );
  bound = await bindLoopback();
  baseUrl = bound.url;
  config = testConfig({ PUBLIC_BASE_URL: baseUrl, HUBSPOT_CLIENT_SECRET: Hs.DEMO_CLIENT_SECRET, QBO_WEBHOOK_VERIFIER_TOKEN: Qbo.DEMO_VERIFIER_TOKEN });
  clock = new SimClock({ freeze: true });
  const routes = webhookRoutes({
    config,
    clock: { now: () => clock.now() },
    pool: db.pool,
    logger: logs.logger,
    onPrivacyDeletion: async (portalId, contactId) => {
      privacyDeletions.push([portalId, contactId]);
      if (failNextPrivacyDeletion) {
        failNextPrivacyDeletion = false;
        throw new Error('deletion job could not be queued');
      }
    },
  });
  bound.server.on('request', createHttpApp({ logger: logs.logger, readiness: async () => ({ ready: true, checks: {} }), routers: [routes] }));
});

afterAll(async () => {
  await bound?.close();
  await db?.close();
});

beforeEach(async () => {
  await db.pool.query('DELETE FROM webhook_events');
  await db.pool.query('DELETE FROM webhook_deliveries');
  privacyDeletions.length = 0;
  failNextPrivacyDeletion = false;
});

interface DeliveryRow {
  id: string;
  source: string;
  status: string;
  error: string | null;
  portal_ids: string[];
  headers: Record<string, string>;
  body: Buffer;
  body_sha256: Buffer;
}
interface EventRow {
  portal_id: string;
  delivery_id: string;
  source: string;
  event_type: string;
  object_type: string | null;
  object_id: string | null;
  occurred_at: Date | null;
  status: string;
  payload: Record<string, unknown>;
}

const deliveries = async () => (await db.pool.query<DeliveryRow>('SELECT * FROM webhook_deliveries ORDER BY id')).rows;
const events = async () => (await db.pool.query<EventRow>('SELECT * FROM webhook_events ORDER BY id')).rows;

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

function hubspotHeaders(body: string, timestamp = clock.nowMs(), secret = Hs.DEMO_CLIENT_SECRET): Record<string, string> {
  const signature = signHubSpotV3({ clientSecret: secret, method: 'POST', url: `${baseUrl}/webhooks/hubspot`, rawBody: body, timestamp });
  return { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': String(timestamp) };
}

const intuitHeaders = (body: string, token = Qbo.DEMO_VERIFIER_TOKEN) => ({ 'intuit-signature': Qbo.signWebhookBody(token, body) });

/** The won event for this file's portal and deal; `overrides` may also break it (a missing portalId, say). */
function dealstageEvent(overrides: Record<string, unknown> = {}) {
  const event = Hs.dealstageEvent({ eventId: 100, subscriptionId: 1_000_001, portalId: PORTAL, appId: Hs.DEMO_APP_ID, occurredAt: clock.nowMs(), objectId: 30_000_000_011 });
  return { ...event, ...overrides };
}

async function control(sim: { url: string }, path: string, body: unknown, method = 'POST') {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
}

describe(`HubSpot webhooks (${DATABASE_KIND})`, () => {
  let sim: Hs.HubSpotSimulator;
  afterEach(async () => sim?.close());

  async function winDeal(name: string): Promise<string> {
    const deal = sim.accounts.get(PORTAL)!.list('deals').find((d) => d.properties.dealname === name)!;
    await control(sim, `/_sim/hubspot/accounts/${PORTAL}/objects/deals/${deal.id}`, { properties: { dealstage: 'closedwon' } }, 'PATCH');
    return deal.id;
  }

  it('When a user wins a deal, then the signed delivery is accepted, stored as received and its event waits for the sync engine', async () => {
    sim = await Hs.startHubSpotSimulator({ clock, webhookUrl: `${baseUrl}/webhooks/hubspot` });
    const dealId = await winDeal('ABC LLC - Schematic design');
    await sim.flushWebhooks();

    expect(sim.webhooks.attempts().map((a) => a.status)).toEqual([200]);
    const [delivery, ...more] = await deliveries();
    expect(more).toEqual([]);
    const sent = sim.webhooks.attempts()[0]!.body;
    expect(delivery).toMatchObject({ source: 'hubspot', status: 'processed', error: null, portal_ids: [String(PORTAL)] });
    expect(delivery!.body.toString('utf8')).toBe(sent);
    expect(delivery!.body_sha256.toString('hex')).toBe(createHash('sha256').update(sent).digest('hex'));
    // Enough to understand the delivery later; never a signature.
    expect(delivery!.headers).toEqual({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(sent)),
      'user-agent': expect.any(String),
      'x-hubspot-request-timestamp': String(clock.nowMs()),
      'x-hubspot-signature-version': 'v1',
    });

    expect(await events()).toEqual([
      expect.objectContaining({
        portal_id: String(PORTAL),
        delivery_id: delivery!.id,
        source: 'hubspot',
        event_type: 'object.propertyChange',
        object_type: 'deal',
        object_id: dealId,
        occurred_at: clock.now(),
        status: 'pending',
        payload: expect.objectContaining({ propertyName: 'dealstage', propertyValue: 'closedwon' }),
      }),
    ]);
  });

  it('When HubSpot delivers the same batch twice, then the second delivery is kept but adds no event', async () => {
    sim = await Hs.startHubSpotSimulator({ clock, webhookUrl: `${baseUrl}/webhooks/hubspot` });
    sim.webhooks.setMode({ duplicate: 1 });
    await winDeal('ABC LLC - Schematic design');
    await sim.flushWebhooks();

    expect(sim.webhooks.attempts().map((a) => a.status)).toEqual([200, 200]);
    expect((await deliveries()).map((d) => d.status)).toEqual(['processed', 'processed']);
    expect(await events()).toHaveLength(1);
  });

  it('When HubSpot retries an event (attemptNumber 1, a new timestamp), then the retry is a duplicate, not a new event', async () => {
    const occurredAt = clock.nowMs();
    const first = JSON.stringify([dealstageEvent({ occurredAt })]);
    expect((await post('/webhooks/hubspot', first, hubspotHeaders(first))).body).toEqual({ received: 1, stored: 1, duplicates: 0, ignored: 0 });
    await clock.advance(60_000);
    const retry = JSON.stringify([dealstageEvent({ occurredAt, attemptNumber: 1 })]);
    expect((await post('/webhooks/hubspot', retry, hubspotHeaders(retry))).body).toEqual({ received: 1, stored: 0, duplicates: 1, ignored: 0 });
    // eventId is not unique at HubSpot: another change that happens to reuse it is still a new event.
    const other = JSON.stringify([dealstageEvent({ propertyValue: 'closedlost', occurredAt: clock.nowMs() })]);
    expect((await post('/webhooks/hubspot', other, hubspotHeaders(other))).body).toEqual({ received: 1, stored: 1, duplicates: 0, ignored: 0 });
    expect((await events()).map((e) => e.payload.propertyValue)).toEqual(['closedwon', 'closedlost']);
  });

  it('When a delivery is signed with another secret, then every attempt is refused 401 and nothing is stored', async () => {
    sim = await Hs.startHubSpotSimulator({
      clock,
      apps: [{ ...Hs.demoApp(`${baseUrl}/webhooks/hubspot`), clientSecret: 'someone-elses-secret' }],
    });
    await winDeal('ABC LLC - Schematic design');
    await sim.flushWebhooks();
    await clock.advance(60_000);
    await sim.flushWebhooks();

    expect(sim.webhooks.attempts().map((a) => a.status)).toEqual([401, 401]);
    expect(await deliveries()).toEqual([]);
    expect(await events()).toEqual([]);
    const refusals = logs.entries().filter((e) => e.msg === 'webhook delivery refused');
    expect(refusals.at(-1)).toMatchObject({ level: 30, source: 'hubspot', status: 401, reason: 'invalid HubSpot signature' });
    // Both attempts are counted; the warning is said once for the burst, not once per attempt.
    const warnings = logs.entries().filter((e) => e.level === 40 && e.source === 'hubspot' && /refused for their signature/.test(String(e.msg)));
    expect(warnings).toHaveLength(1);
    const { rows } = await db.pool.query(`SELECT refused_total::int AS total, burst_refused FROM webhook_signature_refusals WHERE source = 'hubspot'`);
    expect(rows).toEqual([{ total: 2, burst_refused: 2 }]);
  });

  it('When a delivery is stale, future-dated, unsigned or carries only a v1 signature, then it is refused 401 and nothing is stored', async () => {
    const body = JSON.stringify([dealstageEvent()]);
    const stale = await post('/webhooks/hubspot', body, hubspotHeaders(body, clock.nowMs() - 6 * 60_000));
    expect(stale.status).toBe(401);
    const future = await post('/webhooks/hubspot', body, hubspotHeaders(body, clock.nowMs() + 6 * 60_000));
    expect(future.status).toBe(401);
    const unsigned = await post('/webhooks/hubspot', body, {});
    expect(unsigned.status).toBe(401);
    const v1 = await post('/webhooks/hubspot', body, { 'X-HubSpot-Signature': Hs.signV1(Hs.DEMO_CLIENT_SECRET, body), 'X-HubSpot-Signature-Version': 'v1' });
    expect(v1.status).toBe(401);
    expect(v1.body!.error.message).toBe('v1/v2 signatures cannot be checked for freshness; DealBooks requires v3');
    // A valid signature over other bytes than those sent.
    const tampered = await post('/webhooks/hubspot', body.replace('closedwon', 'closedlost'), hubspotHeaders(body));
    expect(tampered.status).toBe(401);
    expect(await deliveries()).toEqual([]);
  });

  it('When a signed delivery is not JSON or not a batch of events, then it is kept as failed with the reason and answered 200', async () => {
    const notJson = '[{"eventId": 1,';
    const res = await post('/webhooks/hubspot', notJson, hubspotHeaders(notJson));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, stored: 'failed', reason: expect.stringMatching(/^The body is not valid JSON/) });

    const wrongShape = JSON.stringify({ events: [dealstageEvent()] });
    const shape = await post('/webhooks/hubspot', wrongShape, hubspotHeaders(wrongShape));
    expect(shape.body!.reason).toMatch(/^The body is not a HubSpot webhook batch: \(body\): expected a JSON array of HubSpot events/);

    const noPortal = JSON.stringify([dealstageEvent({ portalId: undefined })]);
    const missing = await post('/webhooks/hubspot', noPortal, hubspotHeaders(noPortal));
    expect(missing.body!.reason).toMatch(/0\.portalId/);

    const stored = await deliveries();
    expect(stored.map((d) => [d.status, d.body.toString('utf8')])).toEqual([
      ['failed', notJson],
      ['failed', wrongShape],
      ['failed', noPortal],
    ]);
    expect(stored.map((d) => d.error)).toEqual([res.body!.reason, shape.body!.reason, missing.body!.reason]);
    expect(await events()).toEqual([]);
    expect(logs.entries().filter((e) => e.msg === 'webhook delivery kept as failed: it cannot be understood').length).toBeGreaterThanOrEqual(3);
  });

  it('When one event of a batch holds what Postgres cannot store (\\u0000, a lone surrogate, year 275760, 20,000 levels of nesting), then the others are stored, each bad one is kept as failed with its reason, and HubSpot gets 200', async () => {
    const good = [dealstageEvent({ eventId: 1 }), dealstageEvent({ eventId: 6, propertyValue: 'contractsent' })];
    const nul = dealstageEvent({ eventId: 2, propertyValue: 'closed\u0000won' });
    const surrogate = dealstageEvent({ eventId: 3, changeSource: 'CRM\udc00UI' });
    const farFuture = dealstageEvent({ eventId: 4, occurredAt: 8.64e15 });
    const deep = `${JSON.stringify(dealstageEvent({ eventId: 5 })).slice(0, -1)},"extra":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    // Built by hand: JSON.stringify itself overflows the stack on 20,000 levels.
    const body = `[${JSON.stringify(good[0])},${JSON.stringify(nul)},${JSON.stringify(surrogate)},${JSON.stringify(farFuture)},${deep},${JSON.stringify(good[1])}]`;

    const res = await post('/webhooks/hubspot', body, hubspotHeaders(body));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 6, stored: 2, duplicates: 0, ignored: 0, failed: 4 });
    const [delivery] = await deliveries();
    expect(delivery!.status).toBe('processed');
    expect(delivery!.body.toString('utf8')).toBe(body);
    const stored = await db.pool.query<EventRow & { error: string | null }>('SELECT * FROM webhook_events ORDER BY (payload->>\'eventId\')::int');
    expect(stored.rows.map((e) => [e.payload.eventId, e.status])).toEqual([
      [1, 'pending'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'failed'],
      [5, 'failed'],
      [6, 'pending'],
    ]);
    const [, nulRow, surrogateRow, futureRow, deepRow] = stored.rows;
    expect(nulRow!.error).toBe('event 1: propertyValue holds a NUL character (\\u0000)');
    expect(nulRow!.payload.propertyValue).toBe('closed\ufffdwon');
    expect(surrogateRow!.error).toBe('event 2: changeSource holds a lone UTF-16 surrogate (an invalid \\ud800-\\udfff escape)');
    expect(surrogateRow!.payload.changeSource).toBe('CRM\ufffdUI');
    expect(futureRow!.error).toBe('event 3: occurredAt 8640000000000000 is not a date DealBooks can store (year 275760; years 1 to 9999 are)');
    expect(futureRow!.occurred_at).toBeNull();
    expect(deepRow!.error).toMatch(/^event 4: extra(\.0)+ is nested deeper than 64 levels$/);
    expect(JSON.stringify(deepRow!.payload)).toContain('[nested deeper than 64 levels: not kept]');
    expect(delivery!.error).toBe(`4 event(s) failed: ${[nulRow, surrogateRow, futureRow, deepRow].map((e) => e!.error).join('; ')}.`);

    // HubSpot's retry of the same batch: nothing new, the bad events recognised as well.
    await clock.advance(1000);
    const again = await post('/webhooks/hubspot', body, hubspotHeaders(body));
    expect(again.body).toEqual({ received: 6, stored: 0, duplicates: 2, ignored: 0, failed: 4 });
    expect(await events()).toHaveLength(6);
  });

  it('When one event of a batch does not fit the schema, then the others are stored and the delivery names the one that failed', async () => {
    const body = JSON.stringify([dealstageEvent({ portalId: undefined }), dealstageEvent({ eventId: 101 })]);
    const res = await post('/webhooks/hubspot', body, hubspotHeaders(body));
    expect(res.body).toEqual({ received: 2, stored: 1, duplicates: 0, ignored: 0, failed: 1 });
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'processed', error: expect.stringMatching(/^1 event\(s\) failed: event 0 cannot be understood: 0\.portalId: /) });
    expect((await events()).map((e) => [e.status, e.payload.eventId])).toEqual([['pending', 101]]);
  });

  it('When the database refuses a delivery\'s events for a reason nobody foresaw, then HubSpot gets a 5xx to retry and the delivery says why it was not stored', async () => {
    // A constraint stands in for any refusal the parsers did not foresee.
    await db.pool.query(`ALTER TABLE webhook_events ADD CONSTRAINT test_refuses_boom CHECK (event_type <> 'deal.boom')`);
    try {
      const body = JSON.stringify([dealstageEvent({ subscriptionType: 'deal.boom' })]);
      expect((await post('/webhooks/hubspot', body, hubspotHeaders(body))).status).toBe(500);
      const [delivery] = await deliveries();
      expect(delivery).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Its events could not be stored: .*test_refuses_boom/) });
      expect(await events()).toEqual([]);
    } finally {
      await db.pool.query('ALTER TABLE webhook_events DROP CONSTRAINT test_refuses_boom');
    }
  });

  it('When a batch holds events of an account DealBooks does not know, then only the known account gets events and the delivery says so', async () => {
    const body = JSON.stringify([dealstageEvent(), dealstageEvent({ portalId: 99_000_001, eventId: 101 }), dealstageEvent({ portalId: OTHER_PORTAL, eventId: 102 })]);
    const res = await post('/webhooks/hubspot', body, hubspotHeaders(body));
    expect(res.body).toEqual({ received: 3, stored: 2, duplicates: 0, ignored: 1 });
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'processed', portal_ids: [String(PORTAL), String(OTHER_PORTAL)] });
    expect(delivery!.error).toBe('1 event(s) ignored: they belong to HubSpot accounts where DealBooks is not installed (99000001).');
    expect((await events()).map((e) => e.portal_id)).toEqual([String(PORTAL), String(OTHER_PORTAL)]);
  });

  it('When a user GDPR-deletes a contact, then the privacyDeletion event is stored and the deletion callback runs for that account and contact', async () => {
    sim = await Hs.startHubSpotSimulator({ clock, webhookUrl: `${baseUrl}/webhooks/hubspot` });
    await control(sim, `/_sim/apps/${Hs.DEMO_APP_ID}/webhooks`, {
      subscriptions: [...Hs.DEALBOOKS_SUBSCRIPTIONS, { subscriptionType: 'contact.privacyDeletion', active: true }],
    });
    const contact = sim.accounts.get(PORTAL)!.list('contacts')[0]!;
    await control(sim, `/_sim/hubspot/accounts/${PORTAL}/objects/contacts/${contact.id}/gdpr-delete`, {});
    await sim.flushWebhooks();

    expect(sim.webhooks.attempts().map((a) => a.status)).toEqual([200]);
    expect(await events()).toEqual([
      expect.objectContaining({ portal_id: String(PORTAL), event_type: 'contact.privacyDeletion', object_type: 'contact', object_id: contact.id }),
    ]);
    expect(privacyDeletions).toEqual([[PORTAL, contact.id]]);
    // Logged without personal data: no contact id, no e-mail.
    const line = logs.entries().find((e) => e.msg === 'contact privacy deletion requested');
    expect(line).toMatchObject({ portalId: PORTAL });
    expect(JSON.stringify(line)).not.toContain(contact.id);
  });

  it('When the deletion cannot be started, then HubSpot gets a 5xx and its retry (a duplicate event) still triggers the deletion', async () => {
    const occurredAt = clock.nowMs();
    const event = { eventId: 7, subscriptionId: 1_000_002, portalId: PORTAL, appId: Hs.DEMO_APP_ID, occurredAt, subscriptionType: 'contact.privacyDeletion', objectId: 30_000_000_003, changeSource: 'CRM_UI' };
    failNextPrivacyDeletion = true;
    const first = JSON.stringify([{ ...event, attemptNumber: 0 }]);
    expect((await post('/webhooks/hubspot', first, hubspotHeaders(first))).status).toBe(500);
    await clock.advance(60_000);
    const retry = JSON.stringify([{ ...event, attemptNumber: 1 }]);
    const res = await post('/webhooks/hubspot', retry, hubspotHeaders(retry));
    expect(res.body).toEqual({ received: 1, stored: 0, duplicates: 1, ignored: 0 });
    expect(privacyDeletions).toEqual([
      [PORTAL, '30000000003'],
      [PORTAL, '30000000003'],
    ]);
    expect(await events()).toHaveLength(1);
  });
});

describe(`QuickBooks webhooks (${DATABASE_KIND})`, () => {
  let sim: Qbo.QuickbooksSimulator;
  beforeEach(async () => {
    sim = await Qbo.startQuickbooksSimulator({ clock, webhook: { url: `${baseUrl}/webhooks/quickbooks` } });
  });
  afterEach(async () => sim.close());

  function addCustomer(realmId: string, name: string): string {
    return String(sim.companies.get(realmId)!.insert('Customer', { DisplayName: name }).Id);
  }

  it('When QBO sends a signed CloudEvent, then it is stored for the account connected to that company', async () => {
    const customerId = addCustomer(REALM, 'Zephyr Ltd');
    await sim.flushWebhooks();

    expect(sim.dispatcher.attempts().map((a) => a.status)).toEqual([200]);
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ source: 'quickbooks', status: 'processed', error: null, portal_ids: [String(PORTAL)] });
    expect(Object.keys(delivery!.headers)).not.toContain('intuit-signature');
    const [cloudEvent] = JSON.parse(delivery!.body.toString('utf8')) as Array<{ id: string; time: string }>;
    expect(await events()).toEqual([
      expect.objectContaining({
        portal_id: String(PORTAL),
        source: 'quickbooks',
        event_type: 'qbo.customer.created.v1',
        object_type: 'customer',
        object_id: customerId,
        occurred_at: new Date(cloudEvent!.time),
        status: 'pending',
        payload: expect.objectContaining({ id: cloudEvent!.id, intuitaccountid: REALM }),
      }),
    ]);
  });

  it('When QBO sends the legacy eventNotifications format, then its events are stored in the same vocabulary', async () => {
    sim.webhooks.configure({ format: 'legacy' });
    const customerId = addCustomer(REALM, 'Legacy Labs');
    await sim.flushWebhooks();

    expect(sim.dispatcher.attempts().map((a) => a.status)).toEqual([200]);
    expect(await events()).toEqual([
      expect.objectContaining({
        portal_id: String(PORTAL),
        event_type: 'qbo.customer.created.v1',
        object_type: 'customer',
        object_id: customerId,
        payload: expect.objectContaining({ realmId: REALM, name: 'Customer', id: customerId, operation: 'Create' }),
      }),
    ]);
  });

  it('When QBO delivers a batch twice (and later retries it), then the events are stored once', async () => {
    sim.dispatcher.setMode({ duplicate: 1 });
    addCustomer(REALM, 'Twice Co');
    addCustomer(REALM, 'Twice Inc');
    await sim.flushWebhooks();
    expect(sim.dispatcher.attempts().map((a) => a.status)).toEqual([200, 200]);
    const [first] = await deliveries();
    // Intuit's retry repeats the bytes exactly.
    const again = await post('/webhooks/quickbooks', first!.body.toString('utf8'), intuitHeaders(first!.body.toString('utf8')));
    expect(again.body).toEqual({ received: 2, stored: 0, duplicates: 2, ignored: 0 });
    expect(await deliveries()).toHaveLength(3);
    expect(await events()).toHaveLength(2);
  });

  it('When a delivery is signed with another verifier token or not at all, then it is refused 401 and nothing is stored', async () => {
    sim.webhooks.configure({ verifierToken: 'someone-elses-token' });
    addCustomer(REALM, 'Forged Goods');
    await sim.flushWebhooks();
    expect(sim.dispatcher.attempts().map((a) => a.status)).toEqual([401]);

    const body = '[]';
    expect((await post('/webhooks/quickbooks', body, {})).status).toBe(401);
    expect((await post('/webhooks/quickbooks', `${body} `, intuitHeaders(body))).status).toBe(401);
    expect(await deliveries()).toEqual([]);
    expect(logs.text()).not.toContain(Qbo.signWebhookBody('someone-elses-token', sim.dispatcher.attempts()[0]!.body));
  });

  it('When events come for a company no account has connected (or only a disconnected one), then they are ignored and the delivery says so', async () => {
    const stranger = sim.companies.create(undefined, { seed: 'empty' }).realmId;
    const formerly = sim.companies.create(undefined, { seed: 'empty' }).realmId;
    await db.pool.query(
      `INSERT INTO qbo_connections (portal_id, realm_id, environment, status, disconnected_at) VALUES ($1, $2, 'sandbox', 'disconnected', now())`,
      [OTHER_PORTAL, formerly],
    );
    try {
      addCustomer(stranger, 'Nobody Knows');
      await sim.flushWebhooks();
      addCustomer(formerly, 'Gone Away');
      await sim.flushWebhooks();
      expect(sim.dispatcher.attempts().map((a) => a.status)).toEqual([200, 200]);
      const stored = await deliveries();
      expect(stored.map((d) => [d.status, d.portal_ids, d.error])).toEqual([
        ['processed', [], `1 event(s) ignored: they belong to QuickBooks companies no account has connected (${stranger}).`],
        ['processed', [], `1 event(s) ignored: they belong to QuickBooks companies no account has connected (${formerly}).`],
      ]);
      expect(await events()).toEqual([]);
    } finally {
      await db.pool.query('DELETE FROM qbo_connections WHERE realm_id = $1', [formerly]);
    }
  });

  it('When one CloudEvent holds a NUL character, then the others are stored and that one is kept as failed, made storable', async () => {
    const event = (id: string, entity: string) => ({ specversion: '1.0', id, type: 'qbo.customer.created.v1', time: '2026-11-02T10:00:00Z', intuitentityid: entity, intuitaccountid: REALM });
    const body = JSON.stringify([event('e1', '58'), { ...event('e2', '59'), source: 'intuit\u0000' }, event('e3', '60')]);
    const res = await post('/webhooks/quickbooks', body, intuitHeaders(body));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 3, stored: 2, duplicates: 0, ignored: 0, failed: 1 });
    const rows = await db.pool.query<{ object_id: string; status: string; error: string | null; payload: Record<string, unknown> }>(
      'SELECT object_id, status, error, payload FROM webhook_events ORDER BY object_id',
    );
    expect(rows.rows.map((r) => [r.object_id, r.status, r.error])).toEqual([
      ['58', 'pending', null],
      ['59', 'failed', 'event 1: source holds a NUL character (\\u0000)'],
      ['60', 'pending', null],
    ]);
    expect(rows.rows[1]!.payload.source).toBe('intuit\ufffd');
  });

  it('When a signed delivery is malformed, then it is kept as failed with the reason in words and answered 200', async () => {
    const cases = [
      ['{"eventNotifications": [', /^The body is not valid JSON/],
      ['{"hello": "world"}', /^The body is neither a QuickBooks CloudEvents array nor an \{"eventNotifications": \[\.\.\.\]\} payload\.$/],
      [JSON.stringify([{ specversion: '1.0', id: 'e1', type: 'qbo.customer.created.v1' }]), /CloudEvents batch: 0\.intuitentityid: .*; 0\.intuitaccountid: /],
      [JSON.stringify([{ id: 'e1', type: 'customer-created', intuitentityid: '1', intuitaccountid: REALM }]), /0\.type: expected a type like qbo\.invoice\.created\.v1/],
      [JSON.stringify({ eventNotifications: [{ realmId: REALM }] }), /eventNotifications payload: eventNotifications\.0\.dataChangeEvent: /],
    ] as const;
    for (const [body, reason] of cases) {
      const res = await post('/webhooks/quickbooks', body, intuitHeaders(body));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true, stored: 'failed', reason: expect.stringMatching(reason) });
    }
    const stored = await deliveries();
    expect(stored.map((d) => d.status)).toEqual(cases.map(() => 'failed'));
    expect(stored.map((d) => d.body.toString('utf8'))).toEqual(cases.map(([body]) => body));
    expect(stored.every((d) => typeof d.error === 'string' && d.error.length > 20)).toBe(true);
    expect(await events()).toEqual([]);
  });
});
