import { useQ2C } from './support';
import {
  copyOf,
  deleteObject,
  eventsAbout,
  hearFromQbo,
  invoicedDeal,
  invoiceLinks,
  invoiceProperties,
  postQboWebhook,
  qboObject,
  qboWrite,
  voidInvoice,
} from './support-money';
import { invoicesOfDeal, newEstimate } from './support-once';

/**
 * Invoices voided, deleted or edited in QuickBooks: the copy keeps QBO's state, a voided or deleted invoice stops
 * counting as the deal's (its link is kept as history, unlinked), so the deal can get exactly one new invoice, and
 * QBO answering 610 to anything DealBooks does with a document says, in words, that it was deleted.
 */
describe('Money back: invoices voided, deleted or edited in QuickBooks', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  async function pressCreateInvoice(dealId: string): Promise<void> {
    const pressed = await q.card('POST', `/api/deals/${dealId}/invoices`, {});
    expect(pressed.status).toBe(202);
    await q.drain();
  }

  it('When an invoice is voided in QuickBooks, then the copy reads voided, and a new "Create invoice" makes exactly one new invoice with a fresh request id, which a repeated void notice does not unlink', async () => {
    const deal = await invoicedDeal(q, { name: 'Voided invoice deal', company: 'Abelia Void Works' });
    const [firstLink] = await invoiceLinks(q, deal.dealId);
    await voidInvoice(q, deal.invoiceId);
    await hearFromQbo(q);

    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ qbo_state: 'voided', total_cents: '0', balance_cents: '0', state_changed_at: expect.any(Date) });
    expect(await invoiceLinks(q, deal.dealId)).toEqual([{ ...firstLink, status: 'unlinked' }]);
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ id: deal.invoiceId, status: 'voided', balance: '0' });
    const summary = await q.card('GET', `/api/deals/${deal.dealId}/summary`);
    expect(summary.body.invoices).toEqual([expect.objectContaining({ id: deal.invoiceId, status: 'voided' })]);
    expect(summary.body.allowedActions).toContain('create_invoice');
    const { rows } = await q.world.ctx.pool.query(`SELECT message FROM sync_log WHERE portal_id = $1 AND hubspot_object_id = $2 AND action = 'quickbooks-change'`, [q.portalId, deal.dealId]);
    expect(rows.map((r) => r.message)).toEqual([expect.stringMatching(/^Invoice \d+ was voided in QuickBooks\. DealBooks no longer counts it as the deal’s invoice: press Create invoice to make a new one\.$/)]);

    await pressCreateInvoice(deal.dealId);
    // Pressed again: the new invoice is there; nothing more is made.
    const pressedAgain = await q.card('POST', `/api/deals/${deal.dealId}/invoices`, {});
    expect(pressedAgain).toMatchObject({ status: 200, body: { status: 'exists' } });
    await q.drain();
    const invoices = await invoicesOfDeal(q, deal.dealId);
    expect(invoices.map((i) => i.TotalAmt).sort()).toEqual([0, 500]);
    const fresh = invoices.find((i) => i.TotalAmt === 500);
    const links = await invoiceLinks(q, deal.dealId);
    expect(links).toEqual([
      { ...firstLink, status: 'unlinked' },
      { qbo_entity_id: fresh.Id, status: 'linked', qbo_request_id: expect.any(String) },
    ]);
    expect(links[1]!.qbo_request_id).not.toBe(firstLink!.qbo_request_id);
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ id: fresh.Id, status: 'open', balance: '500' });

    // The void notice again (a re-delivery written anew): the old copy stays voided, the new invoice stays the deal's.
    const again = JSON.stringify([
      {
        specversion: '1.0',
        id: 'void-again',
        source: 'intuit.test',
        type: 'qbo.invoice.voided.v1',
        time: new Date(q.world.clock.nowMs()).toISOString(),
        intuitentityid: deal.invoiceId,
        intuitaccountid: q.realmId,
      },
    ]);
    expect((await postQboWebhook(q, again)).status).toBe(200);
    await hearFromQbo(q);
    expect(await eventsAbout(q, 'invoice', deal.invoiceId)).toContainEqual(expect.objectContaining({ event_type: 'qbo.invoice.voided.v1', status: 'processed' }));
    expect((await invoiceLinks(q, deal.dealId))[1]).toMatchObject({ qbo_entity_id: fresh.Id, status: 'linked' });
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ id: fresh.Id, status: 'open' });
  });

  it('When an invoice is deleted in QuickBooks, then the copy reads deleted, the deal no longer shows it, and its link is history', async () => {
    const deal = await invoicedDeal(q, { name: 'Deleted invoice deal', company: 'Bergenia Deletes' });
    await deleteObject(q, 'Invoice', deal.invoiceId);
    await hearFromQbo(q);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ qbo_state: 'deleted', total_cents: '50000', state_changed_at: expect.any(Date) });
    expect((await invoiceLinks(q, deal.dealId)).map((l) => l.status)).toEqual(['unlinked']);
    // Emptied properties: HubSpot keeps an empty value as no value.
    const properties = await invoiceProperties(q, deal.dealId);
    expect([properties.id ?? '', properties.status ?? '']).toEqual(['', '']);
    expect((await eventsAbout(q, 'invoice', deal.invoiceId)).at(-1)).toMatchObject({ event_type: 'qbo.invoice.deleted.v1', status: 'processed', error: expect.stringMatching(/^Invoice \d+ was deleted in QuickBooks\.$/) });
  });

  it('When an invoice is edited in QuickBooks (lines, amounts, due date), then the copy is stored as QuickBooks has it now', async () => {
    const deal = await invoicedDeal(q, { name: 'Edited invoice deal', company: 'Calluna Edits' });
    const current = await qboObject(q, 'Invoice', deal.invoiceId);
    await qboWrite(q, '/invoice', {
      Id: deal.invoiceId,
      SyncToken: current.SyncToken,
      sparse: true,
      DueDate: '2027-01-31',
      Line: [{ Amount: 640, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '3' }, Qty: 2, UnitPrice: 320 } }],
    });
    await hearFromQbo(q);
    const edited = await qboObject(q, 'Invoice', deal.invoiceId);
    expect(edited.TotalAmt).toBe(640);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ total_cents: '64000', balance_cents: '64000', due_date: '2027-01-31', sync_token: edited.SyncToken, qbo_state: 'active' });
    expect(await invoiceProperties(q, deal.dealId)).toMatchObject({ total: '640', balance: '640' });
  });

  it('When an invoice deleted in QuickBooks (its notice lost) is sent from the card, then QBO’s 610 marks it deleted and the words say so', async () => {
    const deal = await invoicedDeal(q, { name: 'Send deleted deal', company: 'Dianthus Sends' });
    await hearFromQbo(q);
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
    await deleteObject(q, 'Invoice', deal.invoiceId);
    await hearFromQbo(q);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ qbo_state: 'active' });

    // With an address given, nothing is read at the press: the job's send meets the 610.
    const pressed = await q.card('POST', `/api/invoices/${deal.invoiceId}/send`, { sendTo: 'ap@dianthus.example' });
    expect(pressed.status).toBe(202);
    await q.drain();
    const words = new RegExp(`^Invoice \\d+ was deleted in QuickBooks, so it cannot be sent\\. DealBooks no longer counts it as the deal’s invoice: press Create invoice to make a new one\\.$`);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ qbo_state: 'deleted' });
    const { rows } = await q.world.ctx.pool.query(`SELECT outcome, message, error_code FROM sync_log WHERE portal_id = $1 AND hubspot_object_id = $2 AND action = 'send'`, [q.portalId, deal.dealId]);
    expect(rows).toEqual([{ outcome: 'failed', message: expect.stringMatching(words), error_code: '610' }]);
    expect(rows[0].message).not.toMatch(/Fix it in HubSpot/);
    expect((await invoiceLinks(q, deal.dealId)).map((l) => l.status)).toEqual(['unlinked']);

    // Pressed again: refused at once, in the same words.
    const again = await q.card('POST', `/api/invoices/${deal.invoiceId}/send`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(words);
  });

  it('When Send is pressed for an invoice QuickBooks no longer has, then the press itself is refused in words and the copy marked deleted', async () => {
    const deal = await invoicedDeal(q, { name: 'Press deleted deal', company: 'Eryngium Press' });
    await hearFromQbo(q);
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
    await deleteObject(q, 'Invoice', deal.invoiceId);
    const pressed = await q.card('POST', `/api/invoices/${deal.invoiceId}/send`, {});
    expect(pressed.status).toBe(409);
    expect(pressed.body.error.message).toMatch(/^Invoice \d+ was deleted in QuickBooks, so it cannot be sent\./);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ qbo_state: 'deleted' });
  });

  it('When "Create invoice" is pressed for a deal whose invoice was deleted in QuickBooks without DealBooks hearing of it, then QBO’s 610 unlinks it and exactly one new invoice is made', async () => {
    const deal = await invoicedDeal(q, { name: 'Recreate deleted deal', company: 'Fuchsia Recreate' });
    await hearFromQbo(q);
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
    await deleteObject(q, 'Invoice', deal.invoiceId);
    await hearFromQbo(q);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ qbo_state: 'active' });
    await pressCreateInvoice(deal.dealId);
    expect(await copyOf(q, 'invoice', deal.invoiceId)).toMatchObject({ qbo_state: 'deleted' });
    const live = await invoicesOfDeal(q, deal.dealId);
    expect(live).toHaveLength(1);
    expect(live[0].Id).not.toBe(deal.invoiceId);
    expect((await invoiceLinks(q, deal.dealId)).map((l) => [l.qbo_entity_id, l.status])).toEqual([
      [deal.invoiceId, 'unlinked'],
      [live[0].Id, 'linked'],
    ]);
  });

  it('When the customer accepts an estimate in QuickBooks, then the copy shows it as QuickBooks has it', async () => {
    const deal = await newEstimate(q, { name: 'Accepted estimate deal', company: 'Gaillardia Accepts' });
    await hearFromQbo(q);
    await qboWrite(q, '/estimate', { Id: deal.estimate.Id, SyncToken: (await qboObject(q, 'Estimate', deal.estimate.Id)).SyncToken, sparse: true, TxnStatus: 'Accepted' });
    await hearFromQbo(q);
    const { rows } = await q.world.ctx.pool.query(`SELECT txn_status, qbo_state FROM qbo_documents WHERE portal_id = $1 AND kind = 'estimate' AND qbo_id = $2`, [q.portalId, deal.estimate.Id]);
    expect(rows).toEqual([{ txn_status: 'Accepted', qbo_state: 'active' }]);
    expect((await eventsAbout(q, 'estimate', deal.estimate.Id)).at(-1)).toMatchObject({ status: 'processed', error: expect.stringMatching(/^Estimate \d+ updated \(status Pending → Accepted\)\.$/) });
  });

  it('When an estimate is deleted in QuickBooks and then converted from the card, then the press is refused in words', async () => {
    const deal = await newEstimate(q, { name: 'Deleted estimate deal', company: 'Heuchera Estimates' });
    await hearFromQbo(q);
    await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
    await deleteObject(q, 'Estimate', deal.estimate.Id);
    const pressed = await q.card('POST', `/api/estimates/${deal.estimate.Id}/convert`, {});
    expect(pressed.status).toBe(409);
    expect(pressed.body.error.message).toMatch(/^Estimate \d+ was deleted in QuickBooks, so it cannot be converted\. DealBooks no longer counts it as the deal’s estimate/);
    expect(await copyOf(q, 'estimate', deal.estimate.Id)).toMatchObject({ qbo_state: 'deleted' });
  });
});
