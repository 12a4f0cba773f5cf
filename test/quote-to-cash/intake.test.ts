import { HUBSPOT_SIGNATURE_WINDOW_MS } from '../../server/src/security/hubspot-signature';
import { eventually } from '../support/harness';
import { useQ2C, type Q2C } from './support';
import { clearFaults, dealJobs, dealstageEvent, fault, inboxEvents, invoicePosts, newDeal, postWebhook, requestsTo, runOne } from './support-once';

/**
 * Webhook intake with DealBooks running against both simulators: HubSpot's deliveries are
 * verified, every event lands in the inbox once (by content: HubSpot's eventId is not unique), work is queued per
 * deal, and the answer never waits on QuickBooks. HubSpot gives a webhook 5 seconds before it counts as failed and
 * retries it (test/simulators/hubspot/webhooks.ts WEBHOOK_TIMEOUT_MS).
 */
const HUBSPOT_WEBHOOK_TIMEOUT_MS = 5000;

async function deliveryCount(q: Q2C): Promise<number> {
  const { rows } = await q.world.ctx.pool.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE source = 'hubspot'`);
  return rows[0].n;
}

async function allQboRequests(q: Q2C): Promise<number> {
  return (await requestsTo(q, 'quickbooks', '', '/')).length;
}

describe('Webhook intake', () => {
  const q = useQ2C({ settings: { autoInvoice: true, defaultItemId: '3' } });
  afterEach(async () => {
    await clearFaults(q, 'quickbooks');
    await clearFaults(q, 'hubspot');
    await q.drain();
  });

  it('When a signed batch of 100 events arrives while QuickBooks hangs on every call, then all 100 are stored and answered 200 at once, with one job per deal', async () => {
    const deals: string[] = [];
    for (let i = 1; i <= 4; i++) deals.push((await newDeal(q, { name: `Intake batch ${i}`, stage: 'appointmentscheduled' })).dealId);
    // Every QuickBooks path hangs for as long as the test lasts: anything waiting on QBO would never answer.
    await fault(q, 'quickbooks', { path: '/', kind: 'hang', times: 10_000 });
    const qboBefore = await allQboRequests(q);
    const stages = ['qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'appointmentscheduled'];
    const events = Array.from({ length: 100 }, (_, i) =>
      dealstageEvent(q, deals[i % 4]!, { propertyValue: stages[Math.floor(i / 4) % 4], occurredAt: q.world.clock.nowMs() - 100 + i }),
    );

    const answer = await postWebhook(q, JSON.stringify(events), { timeoutMs: 30_000 });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ received: 100, stored: 100, duplicates: 0, ignored: 0 });
    expect(answer.elapsedMs).toBeLessThan(HUBSPOT_WEBHOOK_TIMEOUT_MS);
    expect(await allQboRequests(q)).toBe(qboBefore);
    for (const dealId of deals) {
      const inbox = await inboxEvents(q, dealId);
      expect(inbox).toHaveLength(25);
      expect(inbox.every((e) => e.status === 'pending')).toBe(true);
      // One job per deal for the whole batch, not one per event.
      expect((await dealJobs(q, dealId, 'events')).map((j) => j.state)).toEqual(['created']);
    }

    // QuickBooks comes back; the work reads each deal as it is now (not a trigger stage) and touches nothing there.
    await clearFaults(q, 'quickbooks');
    await q.drain();
    for (const dealId of deals) {
      const inbox = await inboxEvents(q, dealId);
      expect(new Set(inbox.map((e) => `${e.status}: ${e.error}`))).toEqual(new Set(['processed: stage appointmentscheduled does not trigger auto-invoice']));
    }
    expect(await invoicePosts(q)).toHaveLength(0);
  });

  it('When an event is delivered again, then it is stored once; when an event reuses an eventId with other content, then it is stored as a second event', async () => {
    const { dealId } = await newDeal(q, { name: 'Intake dedupe', stage: 'contractsent' });
    const first = dealstageEvent(q, dealId, { propertyValue: 'closedwon' });

    expect((await postWebhook(q, JSON.stringify([first]))).body).toEqual({ received: 1, stored: 1, duplicates: 0, ignored: 0 });
    // The same bytes again (a duplicate delivery), then HubSpot's retry of it (only attemptNumber differs).
    expect((await postWebhook(q, JSON.stringify([first]))).body).toEqual({ received: 1, stored: 0, duplicates: 1, ignored: 0 });
    expect((await postWebhook(q, JSON.stringify([{ ...first, attemptNumber: 1 }]))).body).toEqual({ received: 1, stored: 0, duplicates: 1, ignored: 0 });
    // The same keys in another order are the same content.
    const reordered = Object.fromEntries(Object.entries(first).reverse());
    expect((await postWebhook(q, JSON.stringify([reordered]))).body).toEqual({ received: 1, stored: 0, duplicates: 1, ignored: 0 });
    // HubSpot's eventId is not unique: another change that happens to carry the same id is a different event.
    const other = { ...first, propertyValue: 'contractsent', occurredAt: first.occurredAt + 1000 };
    expect((await postWebhook(q, JSON.stringify([other]))).body).toEqual({ received: 1, stored: 1, duplicates: 0, ignored: 0 });

    const inbox = await inboxEvents(q, dealId);
    expect(inbox.map((e) => [e.payload.eventId, e.payload.propertyValue])).toEqual([
      [first.eventId, 'closedwon'],
      [first.eventId, 'contractsent'],
    ]);
    // Only deliveries that brought something new queued work.
    expect(await dealJobs(q, dealId, 'events')).toHaveLength(2);

    // The events said "closedwon", but the deal is read as HubSpot has it now (contractsent): no invoice.
    await q.drain();
    expect((await inboxEvents(q, dealId)).map((e) => e.status)).toEqual(['processed', 'processed']);
    expect(await invoicePosts(q)).toHaveLength(0);
  });

  it('When the very same signed delivery is sent again inside the signature window, then it is accepted as a duplicate (one event, one job); after the window it is refused and nothing is kept', async () => {
    const { dealId } = await newDeal(q, { name: 'Intake replay', stage: 'contractsent' });
    const body = JSON.stringify([dealstageEvent(q, dealId, { propertyValue: 'closedwon' })]);
    const signedAt = q.world.clock.nowMs();

    expect((await postWebhook(q, body, { timestamp: signedAt })).body).toEqual({ received: 1, stored: 1, duplicates: 0, ignored: 0 });
    await q.drain();
    // Webhooks keep no memory of signatures (HubSpot's own retries are new signatures over the same events): inside
    // the window the same bytes and signature are accepted, and the content de-duplication makes them harmless.
    await q.world.clock.advance(HUBSPOT_SIGNATURE_WINDOW_MS - 1000);
    const replay = await postWebhook(q, body, { timestamp: signedAt });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ received: 1, stored: 0, duplicates: 1, ignored: 0 });
    await q.drain();
    expect(await inboxEvents(q, dealId)).toHaveLength(1);
    expect((await dealJobs(q, dealId, 'events')).map((j) => j.state)).toEqual(['completed']);

    // Past the window the signature is stale: refused before anything is stored.
    const deliveries = await deliveryCount(q);
    await q.world.clock.advance(2000);
    const late = await postWebhook(q, body, { timestamp: signedAt });
    expect(late.status).toBe(401);
    expect(late.body.error.message).toBe('request timestamp is outside the 5-minute window (stale or future-dated)');
    expect(await deliveryCount(q)).toBe(deliveries);
    expect(await inboxEvents(q, dealId)).toHaveLength(1);
    expect(await dealJobs(q, dealId, 'events')).toHaveLength(1);
  });

  it('When a signed delivery cannot be understood, then it is kept as failed with the reason and answered 200; an unsigned one is refused and nothing is kept', async () => {
    const before = await deliveryCount(q);
    const { rows: eventsBefore } = await q.world.ctx.pool.query(`SELECT count(*)::int AS n FROM webhook_events`);

    const notJson = await postWebhook(q, '[{"eventId": 1, "portalId": ');
    expect(notJson.status).toBe(200);
    expect(notJson.body).toMatchObject({ received: true, stored: 'failed' });
    expect(notJson.body.reason).toMatch(/^The body is not valid JSON/);

    const notABatch = await postWebhook(q, JSON.stringify({ eventId: 1, portalId: q.portalId }));
    expect(notABatch.status).toBe(200);
    expect(notABatch.body.reason).toBe('The body is not a HubSpot webhook batch: (body): expected a JSON array of HubSpot events.');

    const badEvent = await postWebhook(q, JSON.stringify([{ eventId: 2, portalId: 'abc', subscriptionType: 'object.propertyChange' }]));
    expect(badEvent.status).toBe(200);
    expect(badEvent.body.reason).toMatch(/^The body is not a HubSpot webhook batch: 0\.portalId: /);

    const unsigned = await postWebhook(q, JSON.stringify([dealstageEvent(q, '30000000011')]), { signed: false });
    expect(unsigned.status).toBe(401);

    const { rows } = await q.world.ctx.pool.query(`SELECT status, error, convert_from(body, 'UTF8') AS body FROM webhook_deliveries WHERE source = 'hubspot' ORDER BY id DESC LIMIT 3`);
    expect(rows.reverse()).toEqual([
      { status: 'failed', error: notJson.body.reason, body: '[{"eventId": 1, "portalId": ' },
      { status: 'failed', error: notABatch.body.reason, body: JSON.stringify({ eventId: 1, portalId: q.portalId }) },
      { status: 'failed', error: badEvent.body.reason, body: expect.stringContaining('"portalId":"abc"') },
    ]);
    expect(await deliveryCount(q)).toBe(before + 3);
    const { rows: eventsAfter } = await q.world.ctx.pool.query(`SELECT count(*)::int AS n FROM webhook_events`);
    expect(eventsAfter[0].n).toBe(eventsBefore[0].n);
  });

  it("When one deal's work is stuck, then that deal's next job waits for it while another deal's work goes on", async () => {
    const stuckDeal = (await newDeal(q, { name: 'Intake stuck deal', stage: 'appointmentscheduled' })).dealId;
    const otherDeal = (await newDeal(q, { name: 'Intake other deal', stage: 'appointmentscheduled' })).dealId;
    // Reading the stuck deal from HubSpot hangs until the test lets go.
    await fault(q, 'hubspot', { path: `/crm/v3/objects/deals/${stuckDeal}`, method: 'GET', kind: 'hang' });
    await postWebhook(q, JSON.stringify([dealstageEvent(q, stuckDeal, { propertyValue: 'qualifiedtobuy' })]));
    await postWebhook(q, JSON.stringify([dealstageEvent(q, stuckDeal, { propertyValue: 'appointmentscheduled' })]));
    await postWebhook(q, JSON.stringify([dealstageEvent(q, otherDeal, { propertyValue: 'appointmentscheduled' })]));
    expect(await dealJobs(q, stuckDeal, 'events')).toHaveLength(2);

    const first = runOne(q);
    await eventually(async () => (await requestsTo(q, 'hubspot', 'GET', `/crm/v3/objects/deals/${stuckDeal}`)).length > 0, {
      what: 'the first job of the stuck deal to be reading it',
    });
    // A second worker: the stuck deal's next job must not run beside the first (it is put back, not failed)...
    expect(await runOne(q)).toBe('deferred');
    // ...and the other deal's job is not held up behind it.
    expect(await runOne(q)).toBe('completed');
    expect((await inboxEvents(q, otherDeal)).map((e) => e.status)).toEqual(['processed']);
    expect((await inboxEvents(q, stuckDeal)).map((e) => e.status)).toEqual(['pending', 'pending']);

    await clearFaults(q, 'hubspot'); // the hung read fails; its job is retried
    await first;
    await q.drain();
    expect((await inboxEvents(q, stuckDeal)).map((e) => e.status)).toEqual(['processed', 'processed']);
  });
});
