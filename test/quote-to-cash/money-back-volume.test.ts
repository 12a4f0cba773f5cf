import { DEAL_PROPERTY } from '../../server/src/hubspot/deal-properties';
import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import { QBO_CHANGE_QUEUE } from '../../server/src/jobs/qbo-change-jobs';
import { cloudEvent, hearFromQbo, invoicedDeal, pay, postQboWebhook, type InvoicedDeal } from './support-money';
import { hubspotRecord, useQ2C } from './support';

/**
 * A thousand payments, as QuickBooks reports them on a bad day: every notification delivered twice (once as the very
 * same event, once as another event about the same payment), all of them in a random order. Whatever the order, each
 * deal ends with QuickBooks' final balance, one timeline note per payment, and HubSpot was written only with values
 * that changed.
 */
const DEALS = 20;
const PAYMENTS_PER_DEAL = 50;
/** Names far apart, so none is a fuzzy candidate for another (that would rightly stop and ask a person). */
const COMPANIES = [
  'Aster Pottery', 'Birchwood Lumber', 'Cobalt Dental', 'Dunmore Freight', 'Egret Optics', 'Fjordline Ferries', 'Gannet Bakery', 'Hollis Roofing',
  'Ibex Climbing', 'Juniper Florals', 'Kestrel Drones', 'Lumen Lighting', 'Marrow Butchers', 'Nettle Tea', 'Osprey Charters', 'Pewter Smithy',
  'Quartz Watches', 'Rowan Kennels', 'Sable Furs', 'Tundra Heating',
];

/** A small seeded generator, so a failure can be replayed with the same order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('A thousand payment notifications, each twice, in random order', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When every notification arrives twice and out of order, then every deal ends at QuickBooks’ balance with one note per payment, and HubSpot got only changed values', async () => {
    // The simulators' rate limits would only slow this test down (their clock is frozen): lifted here, tested elsewhere.
    await q.world.control('quickbooks', '/limits', { perMinute: 1_000_000, concurrent: 50, batchPerMinute: 1_000_000 });
    await q.world.control('hubspot', '/limits', { max: 1_000_000 });

    const deals: InvoicedDeal[] = [];
    for (let d = 0; d < DEALS; d++) deals.push(await invoicedDeal(q, { name: `Volume deal ${d}`, company: COMPANIES[d]! }));
    await hearFromQbo(q);
    const { requests: before } = await q.world.control('hubspot', '/requests?method=PATCH&path=/crm/v3/objects/deals/');
    const mark = Math.max(0, ...before.map((r: any) => r.seq));

    // Even deals are paid in full (50 x $10.00 of $500.00), odd ones in part (50 x $7.77 = $388.50). QuickBooks' own
    // webhooks are dropped: the test delivers the notifications itself.
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1_000_000 });
    const paymentsOf = new Map<string, string[]>();
    for (const [d, deal] of deals.entries()) {
      const ids: string[] = [];
      for (let p = 0; p < PAYMENTS_PER_DEAL; p++) ids.push((await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: d % 2 === 0 ? 10 : 7.77 }])).Id);
      paymentsOf.set(deal.dealId, ids);
    }
    await q.world.control('quickbooks', '/webhooks/flush', {});
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 0 });

    const events = [...paymentsOf.values()].flat().flatMap((id) => {
      const event = cloudEvent({ id: `payment-${id}`, realmId: q.realmId, entity: 'Payment', verb: 'created', entityId: id });
      return [event, event, cloudEvent({ id: `payment-${id}-again`, realmId: q.realmId, entity: 'Payment', verb: 'updated', entityId: id })];
    });
    expect(events).toHaveLength(3 * DEALS * PAYMENTS_PER_DEAL);
    const order = shuffled(events, 20261202);
    for (let i = 0; i < order.length; i += 100) expect((await postQboWebhook(q, JSON.stringify(order.slice(i, i + 100)))).status).toBe(200);
    // The work runs in slices, the deals' write-backs between them, so HubSpot sees the deals pass through their
    // intermediate states as it would with workers running.
    for (let round = 0; ; round++) {
      if (round > 1000) throw new Error('the work did not settle');
      let ran = 0;
      for (let i = 0; i < 37; i++) {
        const outcome = await q.world.ctx.jobs.runNext(QBO_CHANGE_QUEUE, { ignoreStartAfter: true });
        if (outcome === 'idle') break;
        ran++;
      }
      for (let i = 0; i < 10_000; i++) {
        const outcome = await q.world.ctx.jobs.runNext(DEAL_WORK_QUEUE, { ignoreStartAfter: true });
        if (outcome === 'idle') break;
        ran++;
      }
      if (ran === 0) break;
    }

    const pending = await q.world.ctx.pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE portal_id = $1 AND source = 'quickbooks' AND status = 'pending'`, [q.portalId]);
    expect(pending.rows[0].n).toBe(0);
    for (const [d, deal] of deals.entries()) {
      const { properties } = await hubspotRecord(q, 'deals', deal.dealId);
      expect([deal.dealId, properties[DEAL_PROPERTY.invoiceStatus], properties[DEAL_PROPERTY.invoiceBalance], properties.dealbooks_amount_paid]).toEqual(
        d % 2 === 0 ? [deal.dealId, 'paid', '0', '500'] : [deal.dealId, 'partially_paid', '111.5', '388.5'],
      );
    }
    // One note per payment, each posted once.
    const notes = await q.world.ctx.pool.query(`SELECT count(*)::int AS n, count(DISTINCT hubspot_note_id)::int AS posted FROM deal_notes WHERE portal_id = $1 AND note_key LIKE '%payment%'`, [
      q.portalId,
    ]);
    expect(notes.rows[0]).toEqual({ n: DEALS * PAYMENTS_PER_DEAL, posted: DEALS * PAYMENTS_PER_DEAL });

    // Every property write carried only values that differ from what the deal held just before it.
    const { requests } = await q.world.control('hubspot', '/requests?method=PATCH&path=/crm/v3/objects/deals/');
    const writes = requests.filter((r: any) => r.seq > mark && r.status < 300);
    expect(writes.length).toBeGreaterThan(0);
    const held = new Map<string, Record<string, string>>();
    for (const deal of deals) held.set(deal.dealId, {});
    let unchanged = 0;
    for (const write of writes) {
      const dealId = String(write.path.split('/').pop());
      const state = held.get(dealId);
      if (!state) continue;
      const properties = write.body.properties as Record<string, string>;
      const changed = Object.entries(properties).filter(([name, value]) => name !== DEAL_PROPERTY.lastSynced && state[name] !== value);
      if (changed.length === 0 && Object.keys(state).length > 0) unchanged++;
      Object.assign(state, properties);
    }
    expect(unchanged).toBe(0);
    // Far fewer writes than notifications: the duplicates and the stale versions wrote nothing.
    expect(writes.length).toBeLessThanOrEqual(DEALS * PAYMENTS_PER_DEAL + DEALS);
  }, 600_000);
});
