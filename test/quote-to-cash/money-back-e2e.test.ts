import { DEAL_PROPERTY } from '../../server/src/hubspot/deal-properties';
import { timelineNotes } from './money-back-support';
import { QBO_CHANGE_QUEUE } from '../../server/src/jobs/qbo-change-jobs';
import { clearFaults, fault } from './support-once';
import { copyOf, deleteObject, hearFromQbo, invoicedDeal, pay, paymentOf, postQboWebhook, cloudEvent, qboObject, qboWrite, quietly, voidInvoice } from './support-money';
import { hubspotRecord, useQ2C, type Q2C } from './support';

/**
 * Money back end to end: a bookkeeper records payments, deletes one and voids an invoice in QuickBooks (the
 * simulator, through QBO's API); QuickBooks' webhooks reach DealBooks, the change pipeline stores what changed and
 * queues the deal's write-back; the deal's properties, its timeline and the card follow, each note once.
 */
async function dealbooksProperties(q: Q2C, dealId: string): Promise<Record<string, string | null>> {
  const { properties } = await hubspotRecord(q, 'deals', dealId);
  return Object.fromEntries(Object.values(DEAL_PROPERTY).map((name) => [name, (properties as Record<string, string | null>)[name] ?? null]));
}

describe('Money back end to end: payments in QuickBooks reach the deal', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When a customer pays in part, then in full, and a payment is deleted, then the deal, its timeline and the card follow, each note once', async () => {
    const deal = await invoicedDeal(q, { name: 'Paying customer deal', company: 'Larkspur Paying Co' });
    expect(deal.totalCents).toBe(50_000);
    const number = (await dealbooksProperties(q, deal.dealId)).dealbooks_invoice_number!;

    const first = await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 200 }], { method: { value: '2', name: 'Check' }, reference: '1001' });
    await hearFromQbo(q);
    expect(await dealbooksProperties(q, deal.dealId)).toMatchObject({
      dealbooks_invoice_status: 'partially_paid',
      dealbooks_invoice_balance: '300',
      dealbooks_amount_paid: '200',
      dealbooks_last_payment_date: first.TxnDate,
      dealbooks_last_payment_amount: '200',
      dealbooks_first_paid_date: null,
    });

    const second = await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 300 }]);
    await hearFromQbo(q);
    expect(await dealbooksProperties(q, deal.dealId)).toMatchObject({ dealbooks_invoice_status: 'paid', dealbooks_invoice_balance: '0', dealbooks_amount_paid: '500', dealbooks_first_paid_date: second.TxnDate });

    // QuickBooks' notice of the first payment again, much later: nothing new on the deal.
    const replay = JSON.stringify([cloudEvent({ id: 'replayed-payment', realmId: q.realmId, entity: 'Payment', verb: 'updated', entityId: first.Id })]);
    expect((await postQboWebhook(q, replay)).status).toBe(200);
    await hearFromQbo(q);

    await deleteObject(q, 'Payment', second.Id);
    await hearFromQbo(q);
    expect(await dealbooksProperties(q, deal.dealId)).toMatchObject({ dealbooks_invoice_status: 'partially_paid', dealbooks_invoice_balance: '300', dealbooks_first_paid_date: second.TxnDate });

    expect((await timelineNotes(q, deal.dealId)).filter((n) => !n.includes('created in QuickBooks'))).toEqual([
      `Payment of $200.00 received on ${first.TxnDate}; $300.00 still open on invoice ${number}.`,
      `Payment of $300.00 received on ${second.TxnDate}; nothing is left to pay on invoice ${number}.`,
      `Payment of $300.00 received on ${second.TxnDate} was deleted in QuickBooks; $300.00 is open again on invoice ${number}.`,
    ]);
    const summary = (await q.card('GET', `/api/deals/${deal.dealId}/summary`)).body;
    expect(summary.invoices[0]).toMatchObject({ status: 'partially_paid', amountPaidCents: 20_000, payments: [{ id: first.Id, date: first.TxnDate, amount: '$200.00', method: 'Check', reference: '1001', state: 'active' }] });
    expect(summary.lastHeardFromQuickBooks).toMatchObject({ at: expect.any(String) });
  });

  it('When an invoice is voided in QuickBooks, then the deal says voided and one note says so', async () => {
    const deal = await invoicedDeal(q, { name: 'Voided by bookkeeper deal', company: 'Yarrow Voids Ltd' });
    const number = (await dealbooksProperties(q, deal.dealId)).dealbooks_invoice_number!;
    await voidInvoice(q, deal.invoiceId);
    await hearFromQbo(q);
    await hearFromQbo(q);
    expect((await dealbooksProperties(q, deal.dealId)).dealbooks_invoice_status).toBe('voided');
    expect((await timelineNotes(q, deal.dealId)).filter((n) => n.includes('voided'))).toEqual([expect.stringMatching(new RegExp(`^Invoice ${number} was voided in QuickBooks on \\d{4}-\\d{2}-\\d{2}\\.$`))]);
  });
  it("When a bookkeeper corrects a payment's date in QuickBooks without changing its amount, then the deal's last payment date follows", async () => {
    const deal = await invoicedDeal(q, { name: 'Payment date corrected deal', company: 'Corrected Date Cutlery' });
    const payment = await pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 100 }]);
    await hearFromQbo(q);
    expect((await dealbooksProperties(q, deal.dealId)).dealbooks_last_payment_date).toBe(payment.TxnDate);
    const current = await qboObject(q, 'Payment', payment.Id);
    await qboWrite(q, '/payment', { Id: payment.Id, SyncToken: current.SyncToken, sparse: true, TxnDate: '2026-11-20' });
    await hearFromQbo(q);
    expect(await dealbooksProperties(q, deal.dealId)).toMatchObject({ dealbooks_last_payment_date: '2026-11-20', dealbooks_invoice_balance: '400' });
  });
  it('When a bookkeeper edits the invoice lines in QuickBooks, then the card shows the invoice as QuickBooks has it and flags the total against the deal\'s line items', async () => {
    const deal = await invoicedDeal(q, { name: 'Edited in QuickBooks deal', company: 'Edited Lines Lumber' });
    const before = (await q.card('GET', `/api/deals/${deal.dealId}/summary`)).body.invoices[0];
    expect(before.totalMismatch).toBeNull();
    const current = await qboObject(q, 'Invoice', deal.invoiceId);
    const line = current.Line.find((l: any) => l.DetailType === 'SalesItemLineDetail');
    await qboWrite(q, '/invoice', {
      Id: deal.invoiceId,
      SyncToken: current.SyncToken,
      sparse: true,
      Line: [{ ...line, Amount: 600, SalesItemLineDetail: { ...line.SalesItemLineDetail, Qty: 2, UnitPrice: 300 } }],
    });
    await hearFromQbo(q);
    const after = (await q.card('GET', `/api/deals/${deal.dealId}/summary`)).body.invoices[0];
    expect(after).toMatchObject({ totalCents: 60_000, totalMismatch: "The total in QuickBooks ($600.00) no longer matches the deal's line items ($500.00)." });
    expect((await dealbooksProperties(q, deal.dealId)).dealbooks_invoice_total).toBe('600');
  });
  it('When QuickBooks fails while DealBooks reads the invoice of a payment it has just recorded, then the retry reads it again and the deal shows the payment', async () => {
    const deal = await invoicedDeal(q, { name: 'Failure after the commit deal', company: 'Halfway Hinges' });
    await hearFromQbo(q);
    // Only the payment's notice arrives (the invoice's own would repair the copy by another door).
    const payment = await quietly(q, () => pay(q, deal.customerId, [{ invoiceId: deal.invoiceId, amount: 100 }]));
    await fault(q, 'quickbooks', { path: `/invoice/${deal.invoiceId}`, method: 'GET', status: 500, times: 50 });
    const notice = JSON.stringify([cloudEvent({ id: `lost-follow-up-${payment.Id}`, realmId: q.realmId, entity: 'Payment', verb: 'created', entityId: payment.Id })]);
    expect((await postQboWebhook(q, notice)).status).toBe(200);
    expect(await q.world.ctx.jobs.runNext(QBO_CHANGE_QUEUE, { ignoreStartAfter: true })).toBe('failed');
    // The payment was recorded; the invoice's new balance was not.
    expect(await paymentOf(q, payment.Id)).not.toBeNull();
    expect((await copyOf(q, 'invoice', deal.invoiceId)).balance_cents).toBe('50000');

    await clearFaults(q, 'quickbooks');
    await hearFromQbo(q);
    expect((await copyOf(q, 'invoice', deal.invoiceId)).balance_cents).toBe('40000');
    expect(await dealbooksProperties(q, deal.dealId)).toMatchObject({ dealbooks_invoice_status: 'partially_paid', dealbooks_invoice_balance: '400', dealbooks_amount_paid: '100' });
  });
});
