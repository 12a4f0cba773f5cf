import { hubspotMark, timelineNotes } from './money-back-support';
import { clearFaults, dealActions, dealstageEvent, fault, invoicesOfDeal, newDeal, postWebhook, runOne } from './support-once';
import { hearFromQbo, invoicedDeal, pay } from './support-money';
import { hubspotRecord, useQ2C, type Q2C } from './support';

/**
 * Deals merged, deleted and restored in HubSpot (the simulator's "a user merges / deletes / restores" control calls,
 * whose webhooks reach DealBooks over real HTTP): what DealBooks holds follows the deal that survives, a deleted
 * deal's work stops and resumes with it, and nothing is ever invoiced twice.
 */
const user = (q: Q2C, path: string, body: unknown = {}) => q.world.control('hubspot', `/hubspot/accounts/${q.portalId}/objects/deals${path}`, body);

/** A user merges `other` into `primary` in HubSpot; HubSpot's webhooks reach DealBooks and its work runs. Returns the surviving deal. */
async function merge(q: Q2C, primary: string, other: string): Promise<string> {
  const result = await user(q, '/merge', { primaryObjectId: primary, objectIdToMerge: other });
  await q.flushHubSpot();
  await q.drain();
  return String(result.id);
}

async function remove(q: Q2C, dealId: string): Promise<void> {
  await user(q, `/${dealId}/delete`);
  await q.flushHubSpot();
  await q.drain();
}

async function restore(q: Q2C, dealId: string): Promise<void> {
  await user(q, `/${dealId}/restore`);
  await q.flushHubSpot();
  await q.drain();
}

async function summary(q: Q2C, dealId: string): Promise<any> {
  const answer = await q.card('GET', `/api/deals/${dealId}/summary`);
  expect(answer.status).toBe(200);
  return answer.body;
}

async function win(q: Q2C, dealId: string): Promise<void> {
  await q.edit('deals', dealId, { dealstage: 'closedwon' });
  await q.drain();
}

describe('Deals merged in HubSpot', () => {
  const q = useQ2C({ settings: { defaultItemId: '3', autoInvoice: true } });

  it('When an invoiced deal is merged with another and the result is won, then its card shows the invoice, a note says what moved, and no second invoice is made', async () => {
    const invoiced = await invoicedDeal(q, { name: 'Merge invoiced half', company: 'Alderwood Timber' });
    const other = await newDeal(q, { name: 'Merge empty half', company: 'Alderwood Timber West' });
    const survivor = await merge(q, other.dealId, invoiced.dealId);
    expect([invoiced.dealId, other.dealId]).not.toContain(survivor);

    const card = await summary(q, survivor);
    expect(card.invoices.map((i: any) => i.id)).toEqual([invoiced.invoiceId]);
    expect(card.allowedActions).not.toContain('create_invoice');
    expect(card.merge).toEqual({ mergedDealIds: expect.arrayContaining([invoiced.dealId, other.dealId]), message: null });
    expect((await timelineNotes(q, survivor)).filter((n) => n.includes('merged into this deal'))).toEqual([
      expect.stringMatching(/^Deals \d+, \d+ were merged into this deal\. DealBooks now shows its QuickBooks invoice \S+ on this deal\.$/),
    ]);
    // The deal properties follow on the survivor.
    expect((await hubspotRecord(q, 'deals', survivor)).properties.dealbooks_invoice_id).toBe(invoiced.invoiceId);

    await win(q, survivor);
    const invoices = (await q.qbo('Invoice')).filter((i: any) => [invoiced.dealId, other.dealId, survivor].some((id) => String(i.PrivateNote ?? '').includes(`(deal ${id},`)));
    expect(invoices.map((i: any) => i.Id)).toEqual([invoiced.invoiceId]);
    expect((await dealActions(q, survivor)).filter((a) => a.kind === 'invoice' && a.status !== 'succeeded')).toEqual([]);
  });

  it('When two invoiced deals are merged, then both invoices are shown on the survivor and the card and the note say QuickBooks keeps both', async () => {
    const a = await invoicedDeal(q, { name: 'Merge both invoiced A', company: 'Brightwater Glass' });
    const b = await invoicedDeal(q, { name: 'Merge both invoiced B', company: 'Quillon Ropeworks' });
    const survivor = await merge(q, a.dealId, b.dealId);
    const card = await summary(q, survivor);
    expect(card.invoices.map((i: any) => i.id).sort()).toEqual([a.invoiceId, b.invoiceId].sort());
    expect(card.merge.message).toMatch(/^This deal has 2 QuickBooks invoices \(.+ and .+\): deals \d+, \d+ were merged into it, and each had its own\. QuickBooks keeps both/);
    const notes = (await timelineNotes(q, survivor)).filter((n) => n.includes('merged into this deal'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('Both deals had a QuickBooks invoice');
    // Nothing in QuickBooks was merged, voided or deleted.
    expect((await q.qbo('Invoice')).filter((i: any) => [a.invoiceId, b.invoiceId].includes(i.Id)).map((i: any) => i.Balance)).toEqual([500, 500]);
  });

  it('When the merge webhook is delivered again, even out of order with the deletions, then nothing moves twice and the note is posted once', async () => {
    const a = await invoicedDeal(q, { name: 'Merge redelivered A', company: 'Osterley Kilns' });
    const b = await newDeal(q, { name: 'Merge redelivered B', company: 'Osterley Kilns North' });
    const survivor = await merge(q, b.dealId, a.dealId);
    const delivered = await q.world.ctx.pool.query(
      `SELECT payload FROM webhook_events WHERE portal_id = $1 AND event_type IN ('object.merge', 'object.deletion') AND object_id = ANY($2::text[]) ORDER BY id`,
      [q.portalId, [a.dealId, b.dealId]],
    );
    expect(delivered.rows.map((r: any) => r.payload.subscriptionType)).toEqual(expect.arrayContaining(['object.merge', 'object.deletion']));
    // HubSpot retries a delivery with a new attemptNumber, in any order: the deletions first this time.
    const again = delivered.rows.map((r: any) => ({ ...r.payload, attemptNumber: 1 })).reverse();
    expect((await postWebhook(q, JSON.stringify(again))).status).toBe(200);
    await q.drain();
    expect((await timelineNotes(q, survivor)).filter((n) => n.includes('merged into this deal'))).toHaveLength(1);
    expect((await summary(q, survivor)).invoices.map((i: any) => i.id)).toEqual([a.invoiceId]);
    const states = await q.world.ctx.pool.query(`SELECT deal_id, state, merged_into FROM deal_lifecycle WHERE portal_id = $1 AND deal_id = ANY($2::text[]) ORDER BY deal_id`, [
      q.portalId,
      [a.dealId, b.dealId],
    ]);
    expect(states.rows.map((r: any) => [r.state, r.merged_into])).toEqual([
      ['merged', survivor],
      ['merged', survivor],
    ]);
  });

  it('When the merge webhooks are lost and a late event of the merged deal comes, then HubSpot answering with another deal is taken as the merge', async () => {
    const a = await invoicedDeal(q, { name: 'Merge lost webhook A', company: 'Thistledown Pottery' });
    const b = await newDeal(q, { name: 'Merge lost webhook B', company: 'Wexcombe Forge' });
    await q.world.control('hubspot', '/webhooks/mode', { drop: 10 });
    const survivor = String((await user(q, '/merge', { primaryObjectId: b.dealId, objectIdToMerge: a.dealId })).id);
    await q.flushHubSpot();
    await q.world.control('hubspot', '/webhooks/mode', { drop: 0 });
    expect((await summary(q, survivor)).invoices).toEqual([]);

    expect((await postWebhook(q, JSON.stringify([dealstageEvent(q, a.dealId)]))).status).toBe(200);
    await q.drain();
    const lifecycle = await q.world.ctx.pool.query(`SELECT state, merged_into FROM deal_lifecycle WHERE portal_id = $1 AND deal_id = $2`, [q.portalId, a.dealId]);
    expect(lifecycle.rows).toEqual([{ state: 'merged', merged_into: survivor }]);
    expect((await summary(q, survivor)).invoices.map((i: any) => i.id)).toEqual([a.invoiceId]);
  });

  it('When work queued for a deal waits out a QuickBooks outage and the deal is merged, then the work runs for the survivor', async () => {
    const a = await newDeal(q, { name: 'Merge queued work A', company: 'Vantreight Bakery' });
    const b = await newDeal(q, { name: 'Merge queued work B', company: 'Vantreight Bakery Two' });
    await fault(q, 'quickbooks', { path: '/v3/company/', status: 503, times: 1000 });
    try {
      expect((await q.card('POST', `/api/deals/${a.dealId}/invoices`, {})).status).toBe(202);
      // One attempt meets the outage; the work waits for its next try.
      await runOne(q);
    } finally {
      await clearFaults(q, 'quickbooks');
    }
    const survivor = await merge(q, b.dealId, a.dealId);
    await q.drain();
    const card = await summary(q, survivor);
    expect(card.invoices).toHaveLength(1);
    // The invoice was made for the survivor (its private note names it), once.
    expect(await invoicesOfDeal(q, survivor)).toHaveLength(1);
    expect(await invoicesOfDeal(q, a.dealId)).toHaveLength(0);
  });
});

describe('Deals deleted and restored in HubSpot', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When an invoiced deal is deleted, paid in QuickBooks meanwhile, and restored, then nothing is written while it is deleted and the payment is on it after', async () => {
    const deal = await invoicedDeal(q, { name: 'Deleted then paid deal' });
    await remove(q, deal.dealId);
    const mark = await hubspotMark(q);
    await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 500 }]);
    await hearFromQbo(q);
    // DealBooks did not even try to write to the deleted deal.
    const { requests } = await q.world.control('hubspot', `/requests?method=PATCH&path=/crm/v3/objects/deals/${deal.dealId}`);
    expect(requests.filter((r: any) => r.seq > mark)).toEqual([]);

    await restore(q, deal.dealId);
    expect((await hubspotRecord(q, 'deals', deal.dealId)).properties).toMatchObject({ dealbooks_invoice_status: 'paid', dealbooks_invoice_balance: '0' });
    // The QuickBooks invoice was left as it was throughout.
    expect((await summary(q, deal.dealId)).invoices.map((i: any) => [i.id, i.status])).toEqual([[deal.invoiceId, 'paid']]);
  });

  it('When the deletion webhook is lost, then the next write-back finds the deal deleted (at HubSpot\'s archivedAt) and stops, and the restore still wins', async () => {
    const deal = await invoicedDeal(q, { name: 'Deleted without webhook deal', company: 'Marchbank Cordage' });
    await q.world.clock.advance(1_000);
    await q.world.control('hubspot', '/webhooks/mode', { drop: 10 });
    await user(q, `/${deal.dealId}/delete`);
    await q.flushHubSpot();
    await q.world.control('hubspot', '/webhooks/mode', { drop: 0 });
    await q.world.clock.advance(1_000);
    await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 500 }]);
    await hearFromQbo(q);
    const lifecycle = await q.world.ctx.pool.query(`SELECT state, changed_at FROM deal_lifecycle WHERE portal_id = $1 AND deal_id = $2`, [q.portalId, deal.dealId]);
    expect(lifecycle.rows).toEqual([{ state: 'deleted', changed_at: new Date(q.world.clock.nowMs() - 1_000) }]);
    expect((await dealActions(q, deal.dealId)).map((a) => a.status)).not.toContain('queued');

    await q.world.clock.advance(1_000);
    await restore(q, deal.dealId);
    expect((await hubspotRecord(q, 'deals', deal.dealId)).properties).toMatchObject({ dealbooks_invoice_status: 'paid' });
  });

  it('When a deal with queued work is deleted, then the work stops with the reason, and when it is restored the work runs', async () => {
    const deal = await newDeal(q, { name: 'Deleted with queued work deal' });
    await fault(q, 'quickbooks', { path: '/v3/company/', status: 503, times: 1000 });
    try {
      expect((await q.card('POST', `/api/deals/${deal.dealId}/invoices`, {})).status).toBe(202);
      await runOne(q);
      await remove(q, deal.dealId);
    } finally {
      await clearFaults(q, 'quickbooks');
    }
    const stopped = await q.world.ctx.pool.query(`SELECT status, problems FROM deal_actions WHERE portal_id = $1 AND deal_id = $2 AND kind = 'invoice'`, [q.portalId, deal.dealId]);
    expect(stopped.rows.map((a: any) => [a.status, a.problems.map((p: any) => p.code)])).toEqual([['blocked', ['deal_deleted']]]);
    await q.drain();
    expect(await invoicesOfDeal(q, deal.dealId)).toEqual([]);

    await restore(q, deal.dealId);
    expect(await invoicesOfDeal(q, deal.dealId)).toHaveLength(1);
  });

  it('When the restore is delivered before the deletion it followed, then the deal ends live, and a redelivered deletion changes nothing', async () => {
    const deal = await newDeal(q, { name: 'Out of order lifecycle deal' });
    const at = q.world.clock.nowMs();
    const event = (subscriptionType: string, occurredAt: number) => ({ ...dealstageEvent(q, deal.dealId), subscriptionType, occurredAt, propertyName: undefined, propertyValue: undefined, changeSource: 'CRM_UI' });
    const deletion = event('object.deletion', at - 2_000);
    const restored = event('object.restore', at - 1_000);
    const state = async () => (await q.world.ctx.pool.query(`SELECT state FROM deal_lifecycle WHERE portal_id = $1 AND deal_id = $2`, [q.portalId, deal.dealId])).rows.map((r: any) => r.state);
    // Delivered together, they are applied in the order they happened.
    expect((await postWebhook(q, JSON.stringify([restored, deletion]))).status).toBe(200);
    await q.drain();
    expect(await state()).toEqual(['live']);
    // Delivered apart (the deletion's retry comes after the restore was applied), the older deletion still loses.
    const retried = { ...deletion, occurredAt: at - 1_500 };
    expect((await postWebhook(q, JSON.stringify([retried]))).status).toBe(200);
    await q.drain();
    expect(await state()).toEqual(['live']);
    expect((await q.card('POST', `/api/deals/${deal.dealId}/invoices`, {})).status).toBe(202);
    await q.drain();
    expect(await invoicesOfDeal(q, deal.dealId)).toHaveLength(1);
  });

  it("When HubSpot reports DealBooks' own write (changeSource INTEGRATION naming the app), then it is set aside without a decision", async () => {
    const deal = await newDeal(q, { name: 'Own write deal', stage: 'closedwon' });
    await q.drain();
    const own = { ...dealstageEvent(q, deal.dealId), propertyValue: 'closedwon', changeSource: 'INTEGRATION', sourceId: String(q.world.sandbox.hubspot.appId) };
    expect((await postWebhook(q, JSON.stringify([own]))).status).toBe(200);
    await q.drain();
    const stored = await q.world.ctx.pool.query(`SELECT status, error FROM webhook_events WHERE portal_id = $1 AND object_id = $2 AND payload->>'changeSource' = 'INTEGRATION'`, [q.portalId, deal.dealId]);
    expect(stored.rows).toEqual([{ status: 'ignored', error: expect.stringContaining("DealBooks' own change") }]);
  });
});

describe('Companies merged in HubSpot', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it("When two companies billed to two QBO customers are merged, then nothing is merged in QuickBooks, the merged company keeps the primary's customer, and a deal billed to the other is offered it", async () => {
    const a = await invoicedDeal(q, { name: 'Company merge A deal', company: 'Harrowgate Mills' });
    const b = await invoicedDeal(q, { name: 'Company merge B deal', company: 'Pemberly Looms' });
    expect(a.customerId).not.toBe(b.customerId);
    const merged = await q.world.control('hubspot', `/hubspot/accounts/${q.portalId}/objects/companies/merge`, { primaryObjectId: b.companyId, objectIdToMerge: a.companyId });
    await q.flushHubSpot();
    await q.drain();
    const survivor = String(merged.id);

    const links = await q.world.ctx.pool.query(
      `SELECT hubspot_object_id, qbo_entity_id FROM entity_links WHERE portal_id = $1 AND hubspot_object_type = 'company' AND qbo_entity_type = 'Customer' AND status = 'linked'
          AND hubspot_object_id = ANY($2::text[])`,
      [q.portalId, [a.companyId, b.companyId, survivor]],
    );
    expect(links.rows).toEqual([{ hubspot_object_id: survivor, qbo_entity_id: b.customerId }]);
    // Nothing was merged, made inactive or deleted in QuickBooks.
    expect((await q.qbo('Customer')).filter((c: any) => [a.customerId, b.customerId].includes(c.Id)).map((c: any) => c.Active)).toEqual([true, true]);

    // The deal billed to the merged-away company's customer keeps it, and is offered the other.
    const card = await summary(q, a.dealId);
    expect(card.customer).toMatchObject({ state: 'linked', id: a.customerId, partyMerge: { other: { id: b.customerId, displayName: 'Pemberly Looms' } } });
    expect(card.customer.partyMerge.message).toContain('nothing was merged in QuickBooks');
    expect(card.allowedActions).toContain('confirm_customer');
    // The deal billed to the survivor's customer is not asked anything.
    expect((await summary(q, b.dealId)).customer.partyMerge).toBeUndefined();

    // A new deal of the merged company is billed to its customer without a question.
    const next = await invoicedDeal(q, { name: 'Company merge next deal', companyId: survivor });
    expect(next.customerId).toBe(b.customerId);

    // Taking the offer bills the deal's next documents to the other customer.
    const chosen = await q.card('POST', `/api/deals/${a.dealId}/customer`, { customerId: b.customerId });
    expect(chosen.status).toBeLessThan(300);
    const after = await summary(q, a.dealId);
    expect(after.customer).toMatchObject({ id: b.customerId });
    expect(after.customer.partyMerge).toBeUndefined();
  });
});
