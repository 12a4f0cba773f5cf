import { SEED_IDS } from './seed';
import { domainHarness, faultOf, type DomainHarness } from './domain-test-app';

const CUSTOMER = SEED_IDS.customer.abcLlc;

async function createInvoice(h: DomainHarness, customer: string = CUSTOMER): Promise<Record<string, any>> {
  const line = { DetailType: 'SalesItemLineDetail', Amount: 300, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours }, Qty: 2, UnitPrice: 150, TaxCodeRef: { value: 'NON' } } };
  return (await h.post('/invoice', { CustomerRef: { value: customer }, Line: [line] }).expect(200)).body.Invoice;
}

async function createCreditMemo(h: DomainHarness, amount: number, customer: string = CUSTOMER): Promise<Record<string, any>> {
  const line = { DetailType: 'SalesItemLineDetail', Amount: amount, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours } } };
  return (await h.post('/creditmemo', { CustomerRef: { value: customer }, Line: [line] }).expect(200)).body.CreditMemo;
}

const invoiceLine = (amount: number, id: string) => ({ Amount: amount, LinkedTxn: [{ TxnId: id, TxnType: 'Invoice' }] });
const creditLine = (amount: number, id: string) => ({ Amount: amount, LinkedTxn: [{ TxnId: id, TxnType: 'CreditMemo' }] });

const read = async (h: DomainHarness, entity: string, id: string): Promise<Record<string, any>> => {
  const body = (await h.get(`/${entity.toLowerCase()}/${id}`).expect(200)).body as Record<string, any>;
  return body[entity];
};

describe('QBO credit memos applied through payments', () => {
  it('When a zero-dollar payment links a credit memo and an invoice, then the credit pays the invoice and both announce an update', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const memo = await createCreditMemo(h, 50);
    h.changes.length = 0;
    const payment = (await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(50, invoice.Id), creditLine(50, memo.Id)] }).expect(200)).body.Payment;
    expect(payment).toMatchObject({ TotalAmt: 0, UnappliedAmt: 0, Line: [invoiceLine(50, invoice.Id), creditLine(50, memo.Id)] });
    expect(await read(h, 'Invoice', invoice.Id)).toMatchObject({ Balance: 250, LinkedTxn: [{ TxnId: payment.Id, TxnType: 'Payment' }] });
    expect(await read(h, 'CreditMemo', memo.Id)).toMatchObject({ TotalAmt: 50, RemainingCredit: 0, Balance: 0, SyncToken: '1' });
    expect((await read(h, 'Customer', CUSTOMER)).Balance).toBe(250);
    expect(h.changes.map((c) => `${c.entity}:${c.id}:${c.operation}`).sort()).toEqual(
      [`CreditMemo:${memo.Id}:Update`, `Invoice:${invoice.Id}:Update`, `Payment:${payment.Id}:Create`].sort(),
    );
  });

  it('When a payment brings money and credit, then UnappliedAmt is TotalAmt minus (invoice lines - credit lines)', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const memo = await createCreditMemo(h, 50.25);
    const payment = (await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 260, Line: [invoiceLine(300, invoice.Id), creditLine(50.25, memo.Id)] }).expect(200)).body.Payment;
    expect(payment.UnappliedAmt).toBe(10.25);
    expect((await read(h, 'Invoice', invoice.Id)).Balance).toBe(0);
    expect((await read(h, 'CreditMemo', memo.Id)).RemainingCredit).toBe(0);
    // Open invoices 0, unapplied money 10.25, credit left 0.
    expect((await read(h, 'Customer', CUSTOMER)).Balance).toBe(-10.25);
  });

  it('When a payment uses more than the remaining credit, then it is refused (6000) and nothing changes', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const memo = await createCreditMemo(h, 50);
    await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(30, invoice.Id), creditLine(30, memo.Id)] }).expect(200);
    const refused = await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(20.01, invoice.Id), creditLine(20.01, memo.Id)] });
    expect(refused.status).toBe(400);
    expect(faultOf(refused.body)).toMatchObject({ code: '6000', type: 'ValidationFault' });
    expect(faultOf(refused.body).Detail).toContain('remaining credit 20');
    expect(await read(h, 'CreditMemo', memo.Id)).toMatchObject({ RemainingCredit: 20, SyncToken: '1' });
    expect((await read(h, 'Invoice', invoice.Id)).Balance).toBe(270);
  });

  it('When the credit exceeds the invoice lines, or the memo is another customer\'s, then the payment is refused', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const memo = await createCreditMemo(h, 50);
    const tooMuchCredit = await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(20, invoice.Id), creditLine(50, memo.Id)] });
    expect(faultOf(tooMuchCredit.body).code).toBe('6000');
    const otherMemo = await createCreditMemo(h, 50, SEED_IDS.customer.abcInc);
    const foreign = await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(50, invoice.Id), creditLine(50, otherMemo.Id)] });
    expect(faultOf(foreign.body).code).toBe('6000');
    const missing = await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(50, invoice.Id), creditLine(50, '999')] });
    expect(faultOf(missing.body).code).toBe('610');
  });

  it('When the payment is voided, then the invoice balance and the credit come back and the memo announces an update', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const memo = await createCreditMemo(h, 50);
    const payment = (await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(50, invoice.Id), creditLine(50, memo.Id)] }).expect(200)).body.Payment;
    h.changes.length = 0;
    await h.post('/payment?operation=update&include=void', { Id: payment.Id, SyncToken: payment.SyncToken, sparse: true }).expect(200);
    expect((await read(h, 'Invoice', invoice.Id)).Balance).toBe(300);
    expect(await read(h, 'CreditMemo', memo.Id)).toMatchObject({ RemainingCredit: 50, Balance: 50, SyncToken: '2' });
    expect((await read(h, 'Customer', CUSTOMER)).Balance).toBe(250);
    expect(h.changes.some((c) => c.entity === 'CreditMemo' && c.id === memo.Id && c.operation === 'Update')).toBe(true);
  });

  it('When the payment is deleted, then the credit comes back; while it existed the credit memo could not be deleted', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const memo = await createCreditMemo(h, 50);
    const payment = (await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(40, invoice.Id), creditLine(40, memo.Id)] }).expect(200)).body.Payment;
    const used = await read(h, 'CreditMemo', memo.Id);
    const refused = await h.post('/creditmemo?operation=delete', { Id: used.Id, SyncToken: used.SyncToken });
    expect(faultOf(refused.body).code).toBe('6000');

    await h.post('/payment?operation=delete', { Id: payment.Id, SyncToken: payment.SyncToken }).expect(200);
    const restored = await read(h, 'CreditMemo', memo.Id);
    expect(restored).toMatchObject({ RemainingCredit: 50, Balance: 50 });
    expect((await read(h, 'Invoice', invoice.Id)).Balance).toBe(300);
    await h.post('/creditmemo?operation=delete', { Id: restored.Id, SyncToken: restored.SyncToken }).expect(200);
  });

  it('When a payment is updated to use less credit, then its own earlier use does not count against it', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const memo = await createCreditMemo(h, 50);
    const payment = (await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(50, invoice.Id), creditLine(50, memo.Id)] }).expect(200)).body.Payment;
    const updated = (
      await h.post('/payment', { Id: payment.Id, SyncToken: payment.SyncToken, sparse: true, Line: [invoiceLine(45, invoice.Id), creditLine(45, memo.Id)] }).expect(200)
    ).body.Payment;
    expect(updated.UnappliedAmt).toBe(0);
    expect((await read(h, 'CreditMemo', memo.Id)).RemainingCredit).toBe(5);
    expect((await read(h, 'Invoice', invoice.Id)).Balance).toBe(255);
  });

  it('When a used credit memo is updated below the credit already used, then it is refused; above, RemainingCredit is the new total minus the use', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const memo = await createCreditMemo(h, 50);
    await h.post('/payment', { CustomerRef: { value: CUSTOMER }, TotalAmt: 0, Line: [invoiceLine(30, invoice.Id), creditLine(30, memo.Id)] }).expect(200);
    const current = await read(h, 'CreditMemo', memo.Id);
    const lineOf = (amount: number) => [{ DetailType: 'SalesItemLineDetail', Amount: amount, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours } } }];
    const refused = await h.post('/creditmemo', { Id: current.Id, SyncToken: current.SyncToken, sparse: true, Line: lineOf(20) });
    expect(faultOf(refused.body).code).toBe('6000');
    const raised = (await h.post('/creditmemo', { Id: current.Id, SyncToken: current.SyncToken, sparse: true, Line: lineOf(80) }).expect(200)).body.CreditMemo;
    expect(raised).toMatchObject({ TotalAmt: 80, RemainingCredit: 50, Balance: 50 });
  });
});

describe('QBO estimate conversion edge cases', () => {
  const estimateLine = { DetailType: 'SalesItemLineDetail', Amount: 150, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours }, Qty: 1, UnitPrice: 150 } };
  const invoiceFrom = (h: DomainHarness, estimateId: string) =>
    h.post('/invoice', { CustomerRef: { value: CUSTOMER }, Line: [estimateLine], LinkedTxn: [{ TxnId: estimateId, TxnType: 'Estimate' }] });

  it('When a second invoice links an estimate that is already Closed, then it is accepted (no evidence QBO refuses) and the estimate lists both invoices', async () => {
    const h = domainHarness();
    const estimate = (await h.post('/estimate', { CustomerRef: { value: CUSTOMER }, Line: [estimateLine] }).expect(200)).body.Estimate;
    const first = (await invoiceFrom(h, estimate.Id).expect(200)).body.Invoice;
    expect((await read(h, 'Estimate', estimate.Id)).TxnStatus).toBe('Closed');
    const second = (await invoiceFrom(h, estimate.Id).expect(200)).body.Invoice;
    expect(second.LinkedTxn).toEqual([{ TxnId: estimate.Id, TxnType: 'Estimate' }]);
    expect(await read(h, 'Estimate', estimate.Id)).toMatchObject({
      TxnStatus: 'Closed',
      LinkedTxn: [
        { TxnId: first.Id, TxnType: 'Invoice' },
        { TxnId: second.Id, TxnType: 'Invoice' },
      ],
    });
  });

  it('When an invoice links a Rejected estimate, then it is accepted and the estimate reads Closed', async () => {
    const h = domainHarness();
    const estimate = (await h.post('/estimate', { CustomerRef: { value: CUSTOMER }, Line: [estimateLine], TxnStatus: 'Rejected' }).expect(200)).body.Estimate;
    expect(estimate.TxnStatus).toBe('Rejected');
    const invoice = (await invoiceFrom(h, estimate.Id).expect(200)).body.Invoice;
    expect(await read(h, 'Estimate', estimate.Id)).toMatchObject({ TxnStatus: 'Closed', LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] });
  });
});
