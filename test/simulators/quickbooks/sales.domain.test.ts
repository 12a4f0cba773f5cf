import request from 'supertest';
import { CLOSED_PERIOD_CODE } from './fault';
import { SEED_IDS } from './seed';
import { domainHarness, faultOf, type DomainHarness } from './domain-test-app';

const itemLine = (itemId: string, qty: number, unitPrice: number, amount: number, taxCode = 'NON') => ({
  DetailType: 'SalesItemLineDetail',
  Amount: amount,
  SalesItemLineDetail: { ItemRef: { value: itemId }, Qty: qty, UnitPrice: unitPrice, TaxCodeRef: { value: taxCode } },
});

async function createInvoice(h: DomainHarness, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await h.post('/invoice', {
    CustomerRef: { value: SEED_IDS.customer.abcLlc },
    Line: [itemLine(SEED_IDS.item.hours, 2, 150, 300)],
    ...overrides,
  });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return res.body.Invoice;
}

describe('QBO sales forms: numbering, dates, totals', () => {
  it('When TxnDate is 2014-09-19 and the term is Net 30 without a DueDate, then DueDate is 2014-10-19', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h, { TxnDate: '2014-09-19', SalesTermRef: { value: SEED_IDS.term.net30 } });
    expect(invoice.DueDate).toBe('2014-10-19');
    expect(invoice.SalesTermRef).toEqual({ value: SEED_IDS.term.net30 });
  });

  it('When no TxnDate is sent, then it is today in the company time zone and DocNumbers run sequentially', async () => {
    const h = domainHarness();
    const first = await createInvoice(h);
    const second = await createInvoice(h);
    expect(first.TxnDate).toBe('2026-03-02');
    expect([first.DocNumber, second.DocNumber]).toEqual(['1001', '1002']);
    expect(first.EmailStatus).toBe('NotSet');
  });

  it('When CustomTxnNumbers is on and a DocNumber repeats, then QBO answers 6140 naming the holder', async () => {
    const h = domainHarness();
    await request(h.app).patch(`/_sim/quickbooks/companies/${h.realmId}/preferences`).send({ SalesFormsPrefs: { CustomTxnNumbers: true } }).expect(200);
    const first = await createInvoice(h, { DocNumber: 'DEAL-42' });
    const res = await h.post('/invoice', { CustomerRef: { value: '1' }, DocNumber: 'DEAL-42', Line: [itemLine(SEED_IDS.item.hours, 1, 150, 150)] });
    expect(res.status).toBe(400);
    expect(faultOf(res.body)).toMatchObject({
      code: '6140',
      Message: 'Duplicate Document Number Error',
      Detail: `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=DEAL-42 is assigned to TxnType=Invoice with TxnId=${first.Id}`,
      element: '',
    });
  });

  it('When a line Amount is not Qty x UnitPrice, then it is refused with a 6000 business validation fault', async () => {
    const h = domainHarness();
    const res = await h.post('/invoice', { CustomerRef: { value: '1' }, Line: [itemLine(SEED_IDS.item.hours, 3, 33.33, 100)] });
    expect(res.status).toBe(400);
    expect(faultOf(res.body)).toMatchObject({ code: '6000' });
    expect(faultOf(res.body).Detail).toContain('Amount is not equal to UnitPrice * Qty');
  });

  it('When lines are taxable with a 10% discount, then subtotal, discount, 8.25% tax and total are exact to the cent', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h, {
      Line: [
        itemLine(SEED_IDS.item.hours, 3, 33.33, 99.99, 'TAX'),
        itemLine(SEED_IDS.item.printedPlans, 1, 0.1, 0.1, 'TAX'),
        itemLine(SEED_IDS.item.sdFee, 1, 0.2, 0.2, 'NON'),
        { DetailType: 'DiscountLineDetail', DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 } },
      ],
    });
    // subtotal 100.29; discount 10.029 -> 10.03; tax 8.25% of taxable 100.09 = 8.257425 -> 8.26 (tax before discount)
    const subtotal = invoice.Line.find((l: any) => l.DetailType === 'SubTotalLineDetail');
    const discount = invoice.Line.find((l: any) => l.DetailType === 'DiscountLineDetail');
    expect(subtotal.Amount).toBe(100.29);
    expect(discount.Amount).toBe(10.03);
    expect(invoice.TxnTaxDetail).toMatchObject({ TxnTaxCodeRef: { value: SEED_IDS.taxCode.salesTaxGroup }, TotalTax: 8.26 });
    expect(invoice.TxnTaxDetail.TaxLine[0].TaxLineDetail).toMatchObject({ NetAmountTaxable: 100.09, TaxPercent: 8.25, PercentBased: true });
    expect(invoice.TotalAmt).toBe(98.52);
    expect(invoice.Balance).toBe(98.52);
    expect(invoice.Line.map((l: any) => l.DetailType)).toEqual(['SalesItemLineDetail', 'SalesItemLineDetail', 'SalesItemLineDetail', 'SubTotalLineDetail', 'DiscountLineDetail']);
  });

  it('When ApplyTaxAfterDiscount is true, then tax is on the discounted taxable amount', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h, {
      ApplyTaxAfterDiscount: true,
      Line: [itemLine(SEED_IDS.item.hours, 1, 200, 200, 'TAX'), { DetailType: 'DiscountLineDetail', Amount: 50, DiscountLineDetail: { PercentBased: false } }],
    });
    // taxable 200 - 50 = 150; 8.25% = 12.375 -> 12.38; total 200 - 50 + 12.38
    expect(invoice.TxnTaxDetail.TotalTax).toBe(12.38);
    expect(invoice.TotalAmt).toBe(162.38);
  });

  it('When a non-taxable invoice is created, then TxnTaxDetail is just TotalTax 0 and LinkedTxn is empty', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    expect(invoice.TxnTaxDetail).toEqual({ TotalTax: 0 });
    expect(invoice.LinkedTxn).toEqual([]);
    expect(invoice.TotalAmt).toBe(300);
  });

  it('When the TxnDate is on or before BookCloseDate, then the write is refused as Account Period Closed', async () => {
    const h = domainHarness();
    await request(h.app).patch(`/_sim/quickbooks/companies/${h.realmId}/preferences`).send({ AccountingInfoPrefs: { BookCloseDate: '2026-01-31' } }).expect(200);
    const closed = await h.post('/invoice', { CustomerRef: { value: '1' }, TxnDate: '2026-01-31', Line: [itemLine(SEED_IDS.item.hours, 1, 150, 150)] });
    expect(closed.status).toBe(400);
    expect(faultOf(closed.body)).toMatchObject({ code: CLOSED_PERIOD_CODE, Message: 'Account Period Closed' });
    await createInvoice(h, { TxnDate: '2026-02-01' });
  });
});

describe('QBO estimates, payments and voids', () => {
  it('When an invoice links an estimate, then the estimate reads Closed with a LinkedTxn to the invoice', async () => {
    const h = domainHarness();
    const estimate = (await h.post('/estimate', { CustomerRef: { value: '1' }, Line: [itemLine(SEED_IDS.item.hours, 1, 150, 150)] }).expect(200)).body.Estimate;
    expect(estimate.TxnStatus).toBe('Pending');
    const invoice = await createInvoice(h, { LinkedTxn: [{ TxnId: estimate.Id, TxnType: 'Estimate' }] });
    expect(invoice.LinkedTxn).toEqual([{ TxnId: estimate.Id, TxnType: 'Estimate' }]);
    const after = (await h.get(`/estimate/${estimate.Id}`).expect(200)).body.Estimate;
    expect(after).toMatchObject({ TxnStatus: 'Closed', LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }], SyncToken: '1' });
  });

  it('When an invoice links two estimates, then it is refused', async () => {
    const h = domainHarness();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await h.post('/estimate', { CustomerRef: { value: '1' }, Line: [itemLine(SEED_IDS.item.hours, 1, 150, 150)] })).body.Estimate.Id);
    const res = await h.post('/invoice', { CustomerRef: { value: '1' }, Line: [itemLine(SEED_IDS.item.hours, 1, 150, 150)], LinkedTxn: ids.map((TxnId) => ({ TxnId, TxnType: 'Estimate' })) });
    expect(faultOf(res.body).code).toBe('6000');
  });

  it('When a payment is applied, then the invoice balance drops and voiding the payment restores it', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const payment = (
      await h.post('/payment', { CustomerRef: { value: '1' }, TotalAmt: 120.5, Line: [{ Amount: 100.25, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] }).expect(200)
    ).body.Payment;
    expect(payment.UnappliedAmt).toBe(20.25);
    const paid = (await h.get(`/invoice/${invoice.Id}`).expect(200)).body.Invoice;
    expect(paid.Balance).toBe(199.75);
    expect(paid.LinkedTxn).toEqual([{ TxnId: payment.Id, TxnType: 'Payment' }]);

    const voided = (await h.post('/payment?operation=update&include=void', { Id: payment.Id, SyncToken: payment.SyncToken, sparse: true }).expect(200)).body.Payment;
    expect(voided).toMatchObject({ TotalAmt: 0, UnappliedAmt: 0, Line: [], PrivateNote: 'Voided', SyncToken: '1' });
    const restored = (await h.get(`/invoice/${invoice.Id}`).expect(200)).body.Invoice;
    expect(restored.Balance).toBe(300);
    expect(restored.LinkedTxn).toEqual([]);
  });

  it('When a payment is deleted, then the invoice balance is restored', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const payment = (await h.post('/payment', { CustomerRef: { value: '1' }, TotalAmt: 300, Line: [{ Amount: 300, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] }).expect(200)).body.Payment;
    expect((await h.get(`/invoice/${invoice.Id}`)).body.Invoice.Balance).toBe(0);
    const deleted = await h.post('/payment?operation=delete', { Id: payment.Id, SyncToken: payment.SyncToken }).expect(200);
    expect(deleted.body.Payment).toEqual({ status: 'Deleted', domain: 'QBO', Id: payment.Id });
    expect((await h.get(`/invoice/${invoice.Id}`)).body.Invoice.Balance).toBe(300);
    expect(faultOf((await h.get(`/payment/${payment.Id}`)).body).code).toBe('610');
  });

  it('When a payment applies more than the open balance, then it is refused and nothing is stored', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const res = await h.post('/payment', { CustomerRef: { value: '1' }, TotalAmt: 300.01, Line: [{ Amount: 300.01, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] });
    expect(res.status).toBe(400);
    expect(faultOf(res.body).code).toBe('6000');
    expect((await h.get(`/invoice/${invoice.Id}`)).body.Invoice.Balance).toBe(300);
  });

  it('When an invoice with a payment applied is voided, then QBO refuses; without payments it voids to zero with a note', async () => {
    const h = domainHarness();
    const paidInvoice = await createInvoice(h);
    await h.post('/payment', { CustomerRef: { value: '1' }, TotalAmt: 10, Line: [{ Amount: 10, LinkedTxn: [{ TxnId: paidInvoice.Id, TxnType: 'Invoice' }] }] }).expect(200);
    const current = (await h.get(`/invoice/${paidInvoice.Id}`)).body.Invoice;
    const refused = await h.post('/invoice?operation=void', { Id: current.Id, SyncToken: current.SyncToken });
    expect(refused.status).toBe(400);
    expect(faultOf(refused.body).code).toBe('6000');

    const open = await createInvoice(h, { PrivateNote: 'deal 42' });
    const voided = (await h.post('/invoice?operation=void', { Id: open.Id, SyncToken: open.SyncToken }).expect(200)).body.Invoice;
    expect(voided).toMatchObject({ TotalAmt: 0, Balance: 0, PrivateNote: 'Voided - deal 42', SyncToken: '1' });
    expect(voided.Line.every((l: any) => l.Amount === 0)).toBe(true);
  });

  it('When an invoice is deleted, then the answer is the Deleted marker and its estimate reopens', async () => {
    const h = domainHarness();
    const estimate = (await h.post('/estimate', { CustomerRef: { value: '1' }, Line: [itemLine(SEED_IDS.item.hours, 1, 150, 150)] })).body.Estimate;
    const invoice = await createInvoice(h, { LinkedTxn: [{ TxnId: estimate.Id, TxnType: 'Estimate' }] });
    const res = await h.post('/invoice?operation=delete', { Id: invoice.Id, SyncToken: invoice.SyncToken }).expect(200);
    expect(res.body.Invoice).toEqual({ status: 'Deleted', domain: 'QBO', Id: invoice.Id });
    expect((await h.get(`/estimate/${estimate.Id}`)).body.Estimate.TxnStatus).toBe('Pending');
  });

  it('When a credit memo is created, then its RemainingCredit and Balance equal its total', async () => {
    const h = domainHarness();
    const memo = (await h.post('/creditmemo', { CustomerRef: { value: '1' }, Line: [{ DetailType: 'SalesItemLineDetail', Amount: 50, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours } } }] }).expect(200)).body.CreditMemo;
    expect(memo).toMatchObject({ TotalAmt: 50, Balance: 50, RemainingCredit: 50 });
  });
});

describe('QBO invoice delivery', () => {
  it('When include=invoiceLink is asked on an invoice with BillEmail, then InvoiceLink points at the simulator pay page', async () => {
    const h = domainHarness();
    const withEmail = await createInvoice(h, { BillEmail: { Address: 'ap@abc.example' } });
    const withoutEmail = await createInvoice(h);
    const linked = (await h.get(`/invoice/${withEmail.Id}?include=invoiceLink`).expect(200)).body.Invoice;
    expect(linked.InvoiceLink).toMatch(new RegExp(`/_sim/quickbooks/pay/${h.realmId}/${withEmail.Id}$`));
    expect((await h.get(`/invoice/${withoutEmail.Id}?include=invoiceLink`)).body.Invoice).not.toHaveProperty('InvoiceLink');
    const page = await request(h.app).get(new URL(linked.InvoiceLink).pathname).expect(200);
    expect(page.text).toContain('Balance due: 300');
  });

  it('When an invoice is sent, then EmailStatus is EmailSent with DeliveryInfo and an Emailed change is announced', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const res = await h.post(`/invoice/${invoice.Id}/send?sendTo=pay@abc.example`).set('Content-Type', 'application/octet-stream').expect(200);
    expect(res.body.Invoice).toMatchObject({
      EmailStatus: 'EmailSent',
      BillEmail: { Address: 'pay@abc.example' },
      DeliveryInfo: { DeliveryType: 'Email', DeliveryTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-08:00$/) },
    });
    expect(h.changes.at(-1)).toMatchObject({ entity: 'Invoice', id: invoice.Id, operation: 'Emailed' });
  });

  it('When an invoice without any email is sent without sendTo, then it is refused', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const res = await h.post(`/invoice/${invoice.Id}/send`).set('Content-Type', 'application/octet-stream');
    expect(res.status).toBe(400);
  });

  it('When the PDF is asked for, then a real PDF document comes back', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h);
    const res = await h.get(`/invoice/${invoice.Id}/pdf`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/pdf/);
    const text = (res.body as Buffer).toString('latin1');
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    const xrefAt = Number(/startxref\n(\d+)/.exec(text)?.[1]);
    expect(text.slice(xrefAt, xrefAt + 4)).toBe('xref');
  });
});

describe('QBO invoice read-only fields', () => {
  it('When an invoice has a deposit, then Balance is TotalAmt minus the deposit and payments cannot exceed the rest', async () => {
    const h = domainHarness();
    const invoice = await createInvoice(h, { Deposit: 100 });
    expect(invoice).toMatchObject({ TotalAmt: 300, Deposit: 100, Balance: 200 });
    const res = await h.post('/payment', { CustomerRef: { value: '1' }, TotalAmt: 250, Line: [{ Amount: 250, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] });
    expect(faultOf(res.body).code).toBe('6000');
  });

  it('When a read copy with InvoiceLink and a stale Balance is sent back as a full update, then neither is stored', async () => {
    const h = domainHarness();
    const created = await createInvoice(h, { BillEmail: { Address: 'ap@abc.example' } });
    const read = (await h.get(`/invoice/${created.Id}?include=invoiceLink`).expect(200)).body.Invoice;
    const updated = (await h.post('/invoice', { ...read, Balance: 1, PrivateNote: 'full update' }).expect(200)).body.Invoice;
    expect(updated).not.toHaveProperty('InvoiceLink');
    expect(updated).toMatchObject({ Balance: 300, PrivateNote: 'full update', SyncToken: '1' });
  });
});
