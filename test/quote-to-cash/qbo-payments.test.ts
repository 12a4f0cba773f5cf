import { QBO_CHANGE_QUEUE } from '../../server/src/jobs/qbo-change-jobs';
import { applyQboObject } from '../../server/src/quote-to-cash/apply-qbo-change';
import { useQ2C } from './support';
import {
  cloudEvent,
  copyOf,
  deleteObject,
  eventsAbout,
  hearFromQbo,
  invoicedDeal,
  invoiceProperties,
  notify,
  paymentOf,
  pay,
  postQboWebhook,
  qboObject,
  qboWrite,
  quietly,
  runAll,
  voidPayment,
} from './support-money';

/**
 * Payments recorded in QuickBooks reach DealBooks' copies of its invoices, the deals' properties and the card: the
 * notifications QBO sends (the simulator's, over real HTTP, signed) are read back as QBO has the objects now and
 * applied newer-only. Each invoice is of its own deal: 2 x 250 on the default item, no tax, so 500.00.
 */
describe('Money back: payments recorded in QuickBooks', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When a partial payment and then the rest are recorded in QuickBooks, then the copy, the card and the deal show each balance, and the payment is kept with what it applied', async () => {
    const deal = await invoicedDeal(q, { name: 'Partial pay deal', company: 'Quillon Partial Works' });
    expect(deal.totalCents).toBe(50000);
    const first = await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 120.25 }], { method: { value: '2', name: 'Check' }, reference: '4521' });
    await hearFromQbo(q);

    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ total_cents: '50000', balance_cents: '37975', qbo_state: 'active' });
    expect(await invoiceProperties(q, deal.dealId)).toEqual({ id: deal.invoiceId, status: 'partially_paid', total: '500', balance: '379.75' });
    const summary = await q.card('GET', `/api/deals/${deal.dealId}/summary`);
    expect(summary.body.invoices[0]).toMatchObject({ id: deal.invoiceId, balanceCents: 37975, status: 'partially_paid' });
    expect(await paymentOf(q, first.Id)).toEqual({
      row: expect.objectContaining({ customer_id: deal.customerId, total_cents: '12025', method: 'Check', reference: '4521', qbo_state: 'active', txn_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }),
      applications: [{ invoice_id: deal.invoiceId, amount_cents: '12025', credit_cents: '0' }],
    });
    // The payment's notification is settled with what was done.
    expect(await eventsAbout(q, 'payment', first.Id)).toEqual([expect.objectContaining({ status: 'processed', error: expect.stringMatching(/^Payment \d+ \$120\.25 recorded; /) })]);

    const rest = await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 379.75 }]);
    await hearFromQbo(q);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '0', qbo_state: 'active' });
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ status: 'paid', balance: '0' });
    expect((await paymentOf(q, rest.Id))!.applications).toEqual([{ invoice_id: deal.invoiceId, amount_cents: '37975', credit_cents: '0' }]);

    // What DealBooks last heard from QuickBooks, for the card.
    const { rows } = await q.world.ctx.pool.query('SELECT last_heard_at, last_heard_what FROM qbo_change_checkpoints WHERE portal_id = $1', [q.portalId]);
    expect(rows[0].last_heard_what).toMatch(/^(Payment|Invoice) \d+ (created|updated)$/);
    expect(rows[0].last_heard_at).toBeInstanceOf(Date);
  });

  it('When only the payment’s notification arrives (none for the invoice), then the payment alone brings the invoice’s balance, as QuickBooks has it', async () => {
    const deal = await invoicedDeal(q, { name: 'Payment-only notice deal', company: 'Ilex Payment Notices' });
    await hearFromQbo(q);
    // The simulator's delivery (payment and invoice changes) is lost; Intuit's notice of the payment alone comes.
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
    const payment = await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 120.25 }]);
    await q.world.control('quickbooks', '/webhooks/flush', {});
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '50000' });
    const notice = JSON.stringify([cloudEvent({ id: `pay-only-${payment.Id}`, realmId: q.realmId, entity: 'payment', verb: 'created', entityId: payment.Id })]);
    expect((await postQboWebhook(q, notice)).status).toBe(200);
    await hearFromQbo(q);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '37975' });
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ status: 'partially_paid', balance: '379.75' });
    expect(await eventsAbout(q, 'payment', payment.Id)).toEqual([
      expect.objectContaining({ status: 'processed', error: expect.stringMatching(/^Payment \d+ \$120\.25 recorded; Invoice \d+ updated \(balance \$500\.00 → \$379\.75\)\.$/) }),
    ]);
  });

  it('When one payment is applied to the invoices of two deals, then both copies and both deals show it', async () => {
    const first = await invoicedDeal(q, { name: 'Two-deal payment A', company: 'Rookery Twin Supply' });
    const second = await invoicedDeal(q, { name: 'Two-deal payment B', companyId: first.companyId });
    expect(second.customerId).toBe(first.customerId);
    const payment = await quietly(q, () =>
      pay(q, first.customerId, [
        { invoiceId: first.invoiceId, amount: 500 },
        { invoiceId: second.invoiceId, amount: 200 },
      ]),
    );
    await notify(q, 'payment', payment.Id, 'created');

    expect(await copyOf(q, 'invoice', first.invoiceId)).toMatchObject({ balance_cents: '0' });
    expect(await copyOf(q, 'invoice', second.invoiceId)).toMatchObject({ balance_cents: '30000' });
    expect(await invoiceProperties(q, first.dealId)).toMatchObject({ status: 'paid', balance: '0' });
    expect(await invoiceProperties(q, second.dealId)).toMatchObject({ status: 'partially_paid', balance: '300' });
    const stored = await paymentOf(q, payment.Id);
    expect(stored!.row.total_cents).toBe('70000');
    expect(stored!.applications).toEqual(
      [
        { invoice_id: first.invoiceId, amount_cents: '50000', credit_cents: '0' },
        { invoice_id: second.invoiceId, amount_cents: '20000', credit_cents: '0' },
      ].sort((a, b) => a.invoice_id.localeCompare(b.invoice_id)),
    );
  });

  it('When a payment is deleted in QuickBooks, then the invoice balance goes back up to what QuickBooks says and the payment applies nothing', async () => {
    const deal = await invoicedDeal(q, { name: 'Deleted payment deal', company: 'Saltmarsh Deletions' });
    const payment = await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 300 }]);
    await hearFromQbo(q);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '20000' });

    await quietly(q, () => deleteObject(q, 'Payment', payment.Id));
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '20000' });
    // Only the payment's Deleted notice: the invoices it applied to are read again from what DealBooks kept of it.
    await notify(q, 'payment', payment.Id, 'deleted');
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '50000' });
    expect((await qboObject(q, 'Invoice', deal.invoiceId)).Balance).toBe(500);
    expect(await paymentOf(q, payment.Id)).toEqual({ row: expect.objectContaining({ qbo_state: 'deleted' }), applications: [] });
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ status: 'open', balance: '500' });
    expect((await eventsAbout(q, 'payment', payment.Id)).at(-1)).toMatchObject({ event_type: 'qbo.payment.deleted.v1', status: 'processed', error: expect.stringMatching(/^Payment \d+ was deleted in QuickBooks; Invoice \d+ updated \(balance \$200\.00 → \$500\.00\)\.$/) });
  });

  it('When a payment is voided in QuickBooks, then it is kept as voided with a total of 0 and the invoice is owed again', async () => {
    const deal = await invoicedDeal(q, { name: 'Voided payment deal', company: 'Tamarack Void Co' });
    const payment = await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 500 }]);
    await hearFromQbo(q);
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ status: 'paid' });

    await quietly(q, () => voidPayment(q, payment.Id));
    await notify(q, 'payment', payment.Id, 'voided');
    expect(await paymentOf(q, payment.Id)).toEqual({ row: expect.objectContaining({ qbo_state: 'voided', total_cents: '0' }), applications: [] });
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '50000', qbo_state: 'active' });
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ status: 'open', balance: '500' });
  });

  it('When a credit memo is applied to the invoice through a zero-amount payment, then the balance drops and the credit is recorded as credit', async () => {
    const deal = await invoicedDeal(q, { name: 'Credit memo deal', company: 'Umber Credit Mills' });
    const memo = (
      await qboWrite(q, '/creditmemo', {
        CustomerRef: { value: deal.customerId },
        Line: [{ Amount: 75, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '3' }, Qty: 1, UnitPrice: 75 } }],
      })
    ).CreditMemo;
    const payment = await quietly(q, () => pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 75 }], { total: 0, credits: [{ memoId: memo.Id, amount: 75 }] }));
    await notify(q, 'payment', payment.Id, 'created');

    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '42500' });
    expect(await paymentOf(q, payment.Id)).toEqual({
      row: expect.objectContaining({ total_cents: '0', qbo_state: 'active' }),
      applications: [{ invoice_id: deal.invoiceId, amount_cents: '7500', credit_cents: '7500' }],
    });
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ status: 'partially_paid', balance: '425' });
    // The memo's own notice comes too: its invoices are read again and nothing more changes.
    await notify(q, 'creditmemo', memo.Id, 'updated');
    expect((await eventsAbout(q, 'creditmemo', memo.Id)).at(-1)).toMatchObject({ status: 'processed', error: expect.stringMatching(/^Credit memo \d+ changed; no invoice copy needed a change\.$/) });
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '42500' });
  });

  it('When payment notifications arrive newest first, then the copy ends at QuickBooks’ latest balance, and an older version applied after a newer one changes nothing', async () => {
    const deal = await invoicedDeal(q, { name: 'Reordered deal', company: 'Vireo Reorder Ltd' });
    const before = await qboObject(q, 'Invoice', deal.invoiceId);
    // Seconds apart, so QBO's LastUpdatedTime (to the second) tells the versions apart, not only the SyncToken.
    await q.world.clock.advance(5_000);
    await q.world.control('quickbooks', '/webhooks/mode', { reorder: 2 });
    await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 100 }]);
    await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 150 }]);
    await hearFromQbo(q);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '25000' });

    // The version of the invoice before both payments (as a late CDC answer or a slow reader would bring it).
    const connection = (await q.world.ctx.quickbooks.connections.live(q.portalId))!;
    const stale = await applyQboObject(q.world.ctx.quoteToCash, connection, 'Invoice', before);
    expect(stale).toMatchObject({ result: 'unchanged', documents: [expect.objectContaining({ order: 'older' })] });
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ balance_cents: '25000', sync_token: (await qboObject(q, 'Invoice', deal.invoiceId)).SyncToken });
  });

  it('When a notification comes for a QuickBooks company no account has connected, then it is acknowledged, nothing is queued and no copy changes', async () => {
    const deal = await invoicedDeal(q, { name: 'Stranger realm deal', company: 'Wrenfield Strangers' });
    await hearFromQbo(q);
    const copy = await copyOf(q, 'invoice', deal.invoiceId);
    const body = JSON.stringify([cloudEvent({ id: 'stranger-1', realmId: '4620816365999999999', entity: 'invoice', verb: 'voided', entityId: deal.invoiceId })]);
    const answer = await postQboWebhook(q, body);
    expect(answer).toEqual({ status: 200, body: { received: 1, stored: 0, duplicates: 0, ignored: 1 } });
    const { rows } = await q.world.ctx.pool.query(`SELECT status, error FROM webhook_deliveries WHERE source = 'quickbooks' ORDER BY id DESC LIMIT 1`);
    expect(rows[0]).toEqual({ status: 'processed', error: '1 event(s) ignored: they belong to QuickBooks companies no account has connected (4620816365999999999).' });
    expect(await runAll(q, QBO_CHANGE_QUEUE)).toBe(0);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toEqual(copy);
  });

  it('When a notification is forged (not signed with the verifier token), then it is refused 401, nothing is stored and no copy changes', async () => {
    const deal = await invoicedDeal(q, { name: 'Forged notice deal', company: 'Xanthe Forgery Guard' });
    await hearFromQbo(q);
    const copy = await copyOf(q, 'invoice', deal.invoiceId);
    const events = await eventsAbout(q, 'invoice', deal.invoiceId);
    const body = JSON.stringify([cloudEvent({ id: 'forged-1', realmId: q.realmId, entity: 'invoice', verb: 'deleted', entityId: deal.invoiceId })]);
    expect((await postQboWebhook(q, body, 'bm90IHRoZSByaWdodCBzaWduYXR1cmU=')).status).toBe(401);
    expect(await eventsAbout(q, 'invoice', deal.invoiceId)).toEqual(events);
    expect(await runAll(q, QBO_CHANGE_QUEUE)).toBe(0);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toEqual(copy);
  });

  it('When QuickBooks reports a refund receipt, a customer DealBooks does not link, or an item, then each is settled with why, and only the cached lists change', async () => {
    const deal = await invoicedDeal(q, { name: 'Other entities deal', company: 'Yarrow Other Things' });
    await hearFromQbo(q);
    const copy = await copyOf(q, 'invoice', deal.invoiceId);
    const notice = (entity: string, entityId: string) => cloudEvent({ id: `other-${entity}-${entityId}`, realmId: q.realmId, entity, verb: 'updated', entityId });
    const body = JSON.stringify([notice('refundreceipt', '901'), notice('customer', '2'), notice('customer', deal.customerId), notice('item', '3'), notice('vendor', '41')]);
    expect((await postQboWebhook(q, body)).status).toBe(200);
    await hearFromQbo(q);

    expect(await eventsAbout(q, 'refundreceipt', '901')).toEqual([
      expect.objectContaining({ status: 'ignored', error: 'A refund receipt records money paid back to a customer; it changes no invoice’s balance in QuickBooks, so DealBooks keeps nothing of it.' }),
    ]);
    expect(await eventsAbout(q, 'customer', '2')).toEqual([expect.objectContaining({ status: 'ignored', error: expect.stringMatching(/^Customer 2 is not linked to anything in HubSpot/) })]);
    expect((await eventsAbout(q, 'customer', deal.customerId)).at(-1)).toEqual(
      expect.objectContaining({ status: 'processed', error: `Customer ${deal.customerId} (linked to company ${deal.companyId}, deal ${deal.dealId}) changed in QuickBooks; DealBooks reads it fresh when it next needs it.` }),
    );
    expect(await eventsAbout(q, 'item', '3')).toEqual([expect.objectContaining({ status: 'processed', error: 'Item 3 changed in QuickBooks; DealBooks reads the item list fresh for the next document.' })]);
    expect(await eventsAbout(q, 'vendor', '41')).toEqual([expect.objectContaining({ status: 'ignored', error: 'DealBooks does not follow QuickBooks vendor changes.' })]);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toEqual(copy);
  });

  it('When an item changes in QuickBooks, then the next document reads the item list afresh instead of the minute-long cached one', async () => {
    const { cache } = q.world.ctx.quoteToCash;
    let loads = 0;
    const load = async () => {
      loads += 1;
      return [];
    };
    await cache.get(q.portalId, 'items', load);
    await cache.get(q.portalId, 'items', load);
    expect(loads).toBe(1);
    const body = JSON.stringify([cloudEvent({ id: 'item-change-7', realmId: q.realmId, entity: 'item', verb: 'updated', entityId: '7' })]);
    expect((await postQboWebhook(q, body)).status).toBe(200);
    await hearFromQbo(q);
    await cache.get(q.portalId, 'items', load);
    expect(loads).toBe(2);
  });

  it('When a bookkeeper invoices and is paid in QuickBooks without DealBooks, then DealBooks keeps nothing of either and says why', async () => {
    const invoice = (
      await qboWrite(q, '/invoice', {
        CustomerRef: { value: '1' },
        Line: [{ Amount: 90, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '3' }, Qty: 1, UnitPrice: 90 } }],
      })
    ).Invoice;
    const payment = await pay(q, '1', [{ invoiceId: invoice.Id, amount: 90 }]);
    await hearFromQbo(q);
    expect(await paymentOf(q, payment.Id)).toBeNull();
    expect(await eventsAbout(q, 'payment', payment.Id)).toEqual([
      expect.objectContaining({ status: 'ignored', error: `Payment ${payment.Id} applies to no invoice DealBooks made; nothing was kept.` }),
    ]);
    const invoiceEvents = await eventsAbout(q, 'invoice', invoice.Id);
    expect(invoiceEvents.length).toBeGreaterThan(0);
    for (const event of invoiceEvents) expect([event.status, event.error]).toEqual(['ignored', `Invoice ${invoice.Id} is not a document DealBooks made; nothing was read.`]);
    const { rows } = await q.world.ctx.pool.query('SELECT count(*)::int AS n FROM qbo_documents WHERE portal_id = $1 AND qbo_id = $2', [q.portalId, invoice.Id]);
    expect(rows[0].n).toBe(0);
  });
});
