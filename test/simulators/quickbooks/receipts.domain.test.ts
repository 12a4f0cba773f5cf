import { SEED_IDS } from './seed';
import { domainHarness, faultOf, type DomainHarness } from './domain-test-app';

/**
 * SalesReceipt, RefundReceipt and Deposit (entities/receipts.ts, entities/deposit.ts). Sources, as cited next to
 * the code: Intuit's reference pages developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/
 * salesreceipt, refundreceipt, deposit and payment ("Void a payment").
 */
const itemLine = (itemId: string, qty: number, unitPrice: number, amount: number) => ({
  DetailType: 'SalesItemLineDetail',
  Amount: amount,
  SalesItemLineDetail: { ItemRef: { value: itemId }, Qty: qty, UnitPrice: unitPrice, TaxCodeRef: { value: 'NON' } },
});

async function ok(h: DomainHarness, path: string, body: unknown, entity: string): Promise<Record<string, any>> {
  const res = await h.post(path, body);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body[entity];
}

/** An invoice of `amount` for ABC LLC and a payment of all of it into Undeposited Funds (the default). */
async function paidInvoice(h: DomainHarness, amount: number): Promise<Record<string, any>> {
  const invoice = await ok(h, '/invoice', { CustomerRef: { value: SEED_IDS.customer.abcLlc }, Line: [itemLine(SEED_IDS.item.hours, 1, amount, amount)] }, 'Invoice');
  return ok(h, '/payment', { CustomerRef: { value: SEED_IDS.customer.abcLlc }, TotalAmt: amount, Line: [{ Amount: amount, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] }, 'Payment');
}

const depositOf = (...payments: Array<Record<string, any>>) => ({
  DepositToAccountRef: { value: SEED_IDS.account.checking },
  Line: payments.map((p) => ({ Amount: p.TotalAmt, LinkedTxn: [{ TxnId: p.Id, TxnType: 'Payment', TxnLineId: '0' }] })),
});

describe('SalesReceipt (reference: salesreceipt)', () => {
  it('When a sales receipt has lines but no customer, then it is paid at once: Balance 0, exact total, Undeposited Funds, the sales numbering', async () => {
    const h = domainHarness();
    const receipt = await ok(h, '/salesreceipt', { Line: [itemLine(SEED_IDS.item.hours, 3, 33.33, 99.99), itemLine(SEED_IDS.item.hours, 1, 0.1, 0.1), itemLine(SEED_IDS.item.hours, 1, 0.2, 0.2)] }, 'SalesReceipt');
    expect(receipt).toMatchObject({ TotalAmt: 100.29, Balance: 0, DepositToAccountRef: { value: SEED_IDS.account.undepositedFunds }, DocNumber: '1001', SyncToken: '0' });
    expect(receipt.CustomerRef).toBeUndefined();
    const invoice = await ok(h, '/invoice', { CustomerRef: { value: SEED_IDS.customer.abcLlc }, Line: [itemLine(SEED_IDS.item.hours, 1, 10, 10)] }, 'Invoice');
    expect(invoice.DocNumber).toBe('1002');
  });

  it('When a sales receipt has no line that sells an item, then QBO answers 2020 for Line', async () => {
    const h = domainHarness();
    const res = await h.post('/salesreceipt', { Line: [{ DetailType: 'DescriptionOnly', Description: 'nothing sold' }] }).expect(400);
    expect(faultOf(res.body)).toMatchObject({ code: '2020', Detail: 'Required parameter Line is missing in the request', element: 'Line' });
  });

  it('When a sales receipt is voided, then it stays with amounts 0 and "Voided" in PrivateNote, and it can be read, queried and deleted', async () => {
    const h = domainHarness();
    const receipt = await ok(h, '/salesreceipt', { CustomerRef: { value: SEED_IDS.customer.abcLlc }, PrivateNote: 'walk-in', Line: [itemLine(SEED_IDS.item.hours, 2, 150, 300)] }, 'SalesReceipt');
    const voided = await ok(h, '/salesreceipt?operation=update&include=void', { Id: receipt.Id, SyncToken: receipt.SyncToken, sparse: true }, 'SalesReceipt');
    expect(voided).toMatchObject({ TotalAmt: 0, Balance: 0, PrivateNote: 'Voided - walk-in', SyncToken: '1' });
    expect(voided.Line[0].Amount).toBe(0);
    expect((await h.get(`/salesreceipt/${receipt.Id}`).expect(200)).body.SalesReceipt.TotalAmt).toBe(0);
    const query = await h.get('/query').query({ query: 'SELECT * FROM SalesReceipt' }).expect(200);
    expect(query.body.QueryResponse.SalesReceipt.map((r: { Id: string }) => r.Id)).toEqual([receipt.Id]);
    const deleted = await ok(h, '/salesreceipt?operation=delete', { Id: receipt.Id, SyncToken: '1' }, 'SalesReceipt');
    expect(deleted).toEqual({ status: 'Deleted', domain: 'QBO', Id: receipt.Id });
  });
});

describe('RefundReceipt (reference: refundreceipt)', () => {
  it('When a refund receipt has no DepositToAccountRef, then QBO answers 2020 for it', async () => {
    const h = domainHarness();
    const res = await h.post('/refundreceipt', { Line: [itemLine(SEED_IDS.item.hours, 1, 150, 150)] }).expect(400);
    expect(faultOf(res.body)).toMatchObject({ code: '2020', Detail: 'Required parameter DepositToAccountRef is missing in the request', element: 'DepositToAccountRef' });
  });

  it('When the refund is paid from an income account, then it is refused: the account must be Bank or Other Current Asset', async () => {
    const h = domainHarness();
    const res = await h.post('/refundreceipt', { DepositToAccountRef: { value: SEED_IDS.account.services }, Line: [itemLine(SEED_IDS.item.hours, 1, 150, 150)] }).expect(400);
    expect(faultOf(res.body)).toMatchObject({ code: '6000', element: 'DepositToAccountRef' });
  });

  it("When a refund is paid from Checking, then it is stored like Intuit's sample: exact total, Balance 0, the account named", async () => {
    const h = domainHarness();
    // The reference's sample: 2.5 x 35 = 87.5.
    const refund = await ok(h, '/refundreceipt', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [itemLine(SEED_IDS.item.hours, 2.5, 35, 87.5)] }, 'RefundReceipt');
    expect(refund).toMatchObject({ TotalAmt: 87.5, Balance: 0, DepositToAccountRef: { value: SEED_IDS.account.checking, name: 'Checking' } });
    const wrong = await h.post('/refundreceipt', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [itemLine(SEED_IDS.item.hours, 3, 0.1, 0.31)] }).expect(400);
    expect(faultOf(wrong.body).code).toBe('6000');
  });

  it('When a refund receipt is voided, then QBO refuses (the reference has no void for it); it can be deleted', async () => {
    const h = domainHarness();
    const refund = await ok(h, '/refundreceipt', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [itemLine(SEED_IDS.item.hours, 1, 10, 10)] }, 'RefundReceipt');
    const voided = await h.post('/refundreceipt?operation=update&include=void', { Id: refund.Id, SyncToken: refund.SyncToken, sparse: true }).expect(400);
    expect(faultOf(voided.body).code).toBe('500');
    await ok(h, '/refundreceipt?operation=delete', { Id: refund.Id, SyncToken: refund.SyncToken }, 'RefundReceipt');
  });
});

describe('Deposit (reference: deposit) and the payments it holds', () => {
  it('When payments are deposited, then the deposit totals them exactly and names the bank account', async () => {
    const h = domainHarness();
    const a = await paidInvoice(h, 0.1);
    const b = await paidInvoice(h, 0.2);
    const deposit = await ok(h, '/deposit', depositOf(a, b), 'Deposit');
    expect(deposit).toMatchObject({ TotalAmt: 0.3, DepositToAccountRef: { value: SEED_IDS.account.checking, name: 'Checking' } });
    expect(deposit.Line[1].LinkedTxn).toEqual([{ TxnId: b.Id, TxnType: 'Payment', TxnLineId: '0' }]);
  });

  it('When a deposit has no DepositToAccountRef or no line, then QBO answers 2020', async () => {
    const h = domainHarness();
    const payment = await paidInvoice(h, 50);
    const noAccount = await h.post('/deposit', { Line: depositOf(payment).Line }).expect(400);
    expect(faultOf(noAccount.body)).toMatchObject({ code: '2020', element: 'DepositToAccountRef' });
    const noLine = await h.post('/deposit', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [] }).expect(400);
    expect(faultOf(noLine.body)).toMatchObject({ code: '2020', element: 'Line' });
  });

  it('When a direct deposit line has no AccountRef, then QBO answers 2020 in its own words', async () => {
    const h = domainHarness();
    const res = await h.post('/deposit', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [{ Amount: 25, DetailType: 'DepositLineDetail', DepositLineDetail: {} }] }).expect(400);
    expect(faultOf(res.body)).toMatchObject({ code: '2020', Detail: 'Required parameter Line.DepositLineDetail.AccountRef is missing in the request' });
    const direct = await ok(h, '/deposit', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [{ Amount: 25, DetailType: 'DepositLineDetail', DepositLineDetail: { AccountRef: { value: SEED_IDS.account.services } } }] }, 'Deposit');
    expect(direct.TotalAmt).toBe(25);
  });

  it('When a payment is already in a deposit, or went straight to the bank, then it cannot be deposited (again)', async () => {
    const h = domainHarness();
    const payment = await paidInvoice(h, 40);
    await ok(h, '/deposit', depositOf(payment), 'Deposit');
    expect(faultOf((await h.post('/deposit', depositOf(payment)).expect(400)).body).code).toBe('6000');
    const invoice = await ok(h, '/invoice', { CustomerRef: { value: SEED_IDS.customer.abcLlc }, Line: [itemLine(SEED_IDS.item.hours, 1, 10, 10)] }, 'Invoice');
    const toBank = await ok(h, '/payment', { CustomerRef: { value: SEED_IDS.customer.abcLlc }, TotalAmt: 10, DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [{ Amount: 10, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] }, 'Payment');
    expect(faultOf((await h.post('/deposit', depositOf(toBank)).expect(400)).body).code).toBe('6000');
  });

  it('When a deposited payment is voided or deleted, then QBO refuses until the deposit is deleted ("you must delete the associated deposit object before voiding")', async () => {
    const h = domainHarness();
    const payment = await paidInvoice(h, 120);
    const deposit = await ok(h, '/deposit', depositOf(payment), 'Deposit');
    const voided = await h.post('/payment?operation=update&include=void', { Id: payment.Id, SyncToken: payment.SyncToken, sparse: true }).expect(400);
    expect(faultOf(voided.body)).toMatchObject({ code: '6000', type: 'ValidationFault', element: 'Id' });
    expect(faultOf(voided.body).Detail).toContain(`Deposit Id=${deposit.Id as string}`);
    expect((await h.post('/payment?operation=delete', { Id: payment.Id, SyncToken: payment.SyncToken }).expect(400)).body.Fault).toBeDefined();
    await ok(h, '/deposit?operation=delete', { Id: deposit.Id, SyncToken: deposit.SyncToken }, 'Deposit');
    const after = await ok(h, '/payment?operation=update&include=void', { Id: payment.Id, SyncToken: payment.SyncToken, sparse: true }, 'Payment');
    expect(after.TotalAmt).toBe(0);
  });

  it('When a deposited sales receipt is voided, then it is refused the same way', async () => {
    const h = domainHarness();
    const receipt = await ok(h, '/salesreceipt', { Line: [itemLine(SEED_IDS.item.hours, 1, 75, 75)] }, 'SalesReceipt');
    await ok(h, '/deposit', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [{ Amount: 75, LinkedTxn: [{ TxnId: receipt.Id, TxnType: 'SalesReceipt' }] }] }, 'Deposit');
    const res = await h.post('/salesreceipt?operation=update&include=void', { Id: receipt.Id, SyncToken: receipt.SyncToken, sparse: true }).expect(400);
    expect(faultOf(res.body).code).toBe('6000');
  });

  it('When the unconfirmed fault is configured, then the simulator answers with that code and lets a delete through', async () => {
    const h = domainHarness({ behaviour: { depositedTransaction: { code: '6540', detail: 'Deposited {txnType} {txnId}', refuseDelete: false } } });
    const payment = await paidInvoice(h, 30);
    await ok(h, '/deposit', depositOf(payment), 'Deposit');
    const voided = await h.post('/payment?operation=update&include=void', { Id: payment.Id, SyncToken: payment.SyncToken, sparse: true }).expect(400);
    expect(faultOf(voided.body)).toMatchObject({ code: '6540', Detail: `Deposited Payment ${payment.Id as string}` });
    await ok(h, '/payment?operation=delete', { Id: payment.Id, SyncToken: payment.SyncToken }, 'Payment');
  });

  it('When a deposit is updated with sparse: true and only a note, then QBO wants the whole object (2020 DepositToAccountRef)', async () => {
    const h = domainHarness();
    const deposit = await ok(h, '/deposit', depositOf(await paidInvoice(h, 20)), 'Deposit');
    const res = await h.post('/deposit', { Id: deposit.Id, SyncToken: deposit.SyncToken, sparse: true, PrivateNote: 'Friday' }).expect(400);
    expect(faultOf(res.body)).toMatchObject({ code: '2020', element: 'DepositToAccountRef' });
    const full = await ok(h, '/deposit', { ...deposit, PrivateNote: 'Friday' }, 'Deposit');
    expect(full).toMatchObject({ PrivateNote: 'Friday', SyncToken: '1', TotalAmt: 20 });
  });
});

describe('receipts and deposits in change notifications and CDC', () => {
  it('When receipts and a deposit are written and one is deleted, then each change is announced and CDC lists them', async () => {
    const h = domainHarness();
    const since = '2026-03-02T09:00:00-08:00';
    const sale = await ok(h, '/salesreceipt', { Line: [itemLine(SEED_IDS.item.hours, 1, 15, 15)] }, 'SalesReceipt');
    const refund = await ok(h, '/refundreceipt', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [itemLine(SEED_IDS.item.hours, 1, 5, 5)] }, 'RefundReceipt');
    const deposit = await ok(h, '/deposit', { DepositToAccountRef: { value: SEED_IDS.account.checking }, Line: [{ Amount: 15, LinkedTxn: [{ TxnId: sale.Id, TxnType: 'SalesReceipt' }] }] }, 'Deposit');
    await ok(h, '/refundreceipt?operation=delete', { Id: refund.Id, SyncToken: refund.SyncToken }, 'RefundReceipt');
    expect(h.changes.map((c) => `${c.entity} ${c.id} ${c.operation}`)).toEqual([
      `SalesReceipt ${sale.Id as string} Create`,
      `RefundReceipt ${refund.Id as string} Create`,
      `Deposit ${deposit.Id as string} Create`,
      `RefundReceipt ${refund.Id as string} Delete`,
    ]);
    const res = await h.get('/cdc').query({ entities: 'SalesReceipt,RefundReceipt,Deposit', changedSince: since }).expect(200);
    const [sales, refunds, deposits] = res.body.CDCResponse[0].QueryResponse;
    expect(sales.SalesReceipt.map((o: { Id: string }) => o.Id)).toEqual([sale.Id]);
    expect(refunds.RefundReceipt).toEqual([expect.objectContaining({ status: 'Deleted', Id: refund.Id })]);
    expect(deposits.Deposit[0]).toMatchObject({ Id: deposit.Id, TotalAmt: 15 });
  });
});
