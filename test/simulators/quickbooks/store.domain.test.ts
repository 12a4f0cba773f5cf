/**
 * The company's indexes (indexes.ts, table.ts) stand in for full-table scans; these tests check that what a
 * client sees still follows every update, delete and void, not only creates.
 */
import request from 'supertest';
import { SEED_IDS } from './seed';
import { domainHarness, faultOf, type DomainHarness } from './domain-test-app';

const ABC = SEED_IDS.customer.abcLlc;
const OTHER = SEED_IDS.customer.abcInc;

const hoursLine = (amount: number) => ({ DetailType: 'SalesItemLineDetail', Amount: amount, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours }, TaxCodeRef: { value: 'NON' } } });

async function createInvoice(h: DomainHarness, fields: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return (await h.post('/invoice', { CustomerRef: { value: ABC }, Line: [hoursLine(100)], ...fields }).expect(200)).body.Invoice;
}

async function sparseUpdate(h: DomainHarness, entity: string, object: Record<string, any>, fields: Record<string, unknown>): Promise<Record<string, any>> {
  return (await h.post(`/${entity.toLowerCase()}`, { Id: object.Id, SyncToken: object.SyncToken, sparse: true, ...fields }).expect(200)).body[entity];
}

const read = async (h: DomainHarness, entity: string, id: string): Promise<Record<string, any>> => (await h.get(`/${entity.toLowerCase()}/${id}`).expect(200)).body[entity];

describe('QBO store indexes', () => {
  it('When the invoice holding the highest DocNumber is renumbered or deleted, then the next number follows the remaining invoices', async () => {
    const h = domainHarness();
    expect((await createInvoice(h)).DocNumber).toBe('1001');
    const second = await createInvoice(h);
    expect(second.DocNumber).toBe('1002');
    const renumbered = await sparseUpdate(h, 'Invoice', second, { DocNumber: '5000' });
    expect((await createInvoice(h)).DocNumber).toBe('5001');
    const latest = await read(h, 'Invoice', String(Number(renumbered.Id) + 1));
    await h.post('/invoice?operation=delete', { Id: latest.Id, SyncToken: latest.SyncToken }).expect(200);
    await h.post('/invoice?operation=delete', { Id: renumbered.Id, SyncToken: renumbered.SyncToken }).expect(200);
    expect((await createInvoice(h)).DocNumber).toBe('1002');
  });

  it('When custom numbers are on and an invoice changes its DocNumber, then the old number is free and the new one taken', async () => {
    const h = domainHarness();
    await request(h.app).patch(`/_sim/quickbooks/companies/${h.realmId}/preferences`).send({ SalesFormsPrefs: { CustomTxnNumbers: true } }).expect(200);
    const invoice = await createInvoice(h, { DocNumber: 'A-1' });
    await sparseUpdate(h, 'Invoice', invoice, { DocNumber: 'B-1' });
    await createInvoice(h, { DocNumber: 'A-1' });
    const clash = await h.post('/invoice', { CustomerRef: { value: ABC }, Line: [hoursLine(1)], DocNumber: 'B-1' });
    expect(clash.status).toBe(400);
    expect(faultOf(clash.body).Detail).toContain(`DocNumber=B-1 is assigned to TxnType=Invoice with TxnId=${invoice.Id as string}`);
  });

  it('When a customer is renamed, then its old DisplayName is free and the new one is taken, whatever the case', async () => {
    const h = domainHarness();
    const customer = (await h.post('/customer', { DisplayName: 'Old Name' }).expect(200)).body.Customer;
    await sparseUpdate(h, 'Customer', customer, { DisplayName: 'New Name' });
    await h.post('/vendor', { DisplayName: 'old name' }).expect(200);
    const clash = await h.post('/employee', { DisplayName: ' NEW NAME ' });
    expect(clash.status).toBe(400);
    expect(faultOf(clash.body).Message).toBe('Duplicate Name Exists Error');
  });

  it('When an invoice moves to another customer, is voided or deleted, then both customers\' balances follow', async () => {
    const h = domainHarness();
    const first = await createInvoice(h);
    const second = await createInvoice(h);
    expect((await read(h, 'Customer', ABC)).Balance).toBe(200);
    await sparseUpdate(h, 'Invoice', first, { CustomerRef: { value: OTHER } });
    expect((await read(h, 'Customer', ABC)).Balance).toBe(100);
    expect((await read(h, 'Customer', OTHER)).Balance).toBe(100);
    await h.post('/invoice?operation=void', { Id: second.Id, SyncToken: second.SyncToken }).expect(200);
    expect((await read(h, 'Customer', ABC)).Balance).toBe(0);
    const moved = await read(h, 'Invoice', first.Id);
    await h.post('/invoice?operation=delete', { Id: moved.Id, SyncToken: moved.SyncToken }).expect(200);
    expect((await read(h, 'Customer', OTHER)).Balance).toBe(0);
  });

  it('When a payment is re-pointed from one invoice to another, then the first is open again and only the second lists it', async () => {
    const h = domainHarness();
    const first = await createInvoice(h);
    const second = await createInvoice(h);
    const line = (id: string) => ({ Amount: 40, LinkedTxn: [{ TxnId: id, TxnType: 'Invoice' }] });
    const payment = (await h.post('/payment', { CustomerRef: { value: ABC }, TotalAmt: 40, Line: [line(first.Id)] }).expect(200)).body.Payment;
    expect(await read(h, 'Invoice', first.Id)).toMatchObject({ Balance: 60, LinkedTxn: [{ TxnId: payment.Id, TxnType: 'Payment' }] });
    await h.post('/payment', { Id: payment.Id, SyncToken: payment.SyncToken, CustomerRef: { value: ABC }, TotalAmt: 40, Line: [line(second.Id)] }).expect(200);
    const reopened = await read(h, 'Invoice', first.Id);
    expect(reopened.Balance).toBe(100);
    expect(reopened.LinkedTxn ?? []).toEqual([]);
    expect(await read(h, 'Invoice', second.Id)).toMatchObject({ Balance: 60, LinkedTxn: [{ TxnId: payment.Id, TxnType: 'Payment' }] });
    // The first invoice has no payment left, so it can be deleted; the second cannot.
    await h.post('/invoice?operation=delete', { Id: reopened.Id, SyncToken: reopened.SyncToken }).expect(200);
    const current = await read(h, 'Invoice', second.Id);
    expect((await h.post('/invoice?operation=delete', { Id: current.Id, SyncToken: current.SyncToken })).status).toBe(400);
  });

  it('When objects are stored with Ids out of order, then queries still list them in Id order', async () => {
    const h = domainHarness();
    await h.seed('Class', { Id: '900', Name: 'Nine hundred' });
    await h.seed('Class', { Id: '70', Name: 'Seventy' });
    const created = (await h.post('/class', { Name: 'Next' }).expect(200)).body.Class;
    const res = await h.get(`/query?query=${encodeURIComponent('SELECT * FROM Class')}`).expect(200);
    const ids = (res.body.QueryResponse.Class as Array<{ Id: string }>).map((c) => c.Id);
    expect(ids).toEqual([SEED_IDS.class.consulting, SEED_IDS.class.design, '70', '900', created.Id]);
  });
});
