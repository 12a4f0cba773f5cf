import { DEMO_INACTIVE_CUSTOMER_NAME, DEMO_VENDOR_NAME, SEED_IDS } from './seed';
import { domainHarness, faultOf } from './domain-test-app';

describe('QBO names, versions and references', () => {
  it('When an update carries an old SyncToken, then it is refused with 5010 Stale Object Error and nothing changes', async () => {
    const h = domainHarness();
    const created = (await h.post('/customer', { DisplayName: 'Stale Co' }).expect(200)).body.Customer;
    await h.post('/customer', { Id: created.Id, SyncToken: '0', sparse: true, Notes: 'first' }).expect(200);

    const res = await h.post('/customer', { Id: created.Id, SyncToken: '0', sparse: true, Notes: 'second' });

    expect(res.status).toBe(400);
    expect(faultOf(res.body)).toMatchObject({ code: '5010', Message: 'Stale Object Error', type: 'ValidationFault' });
    const current = (await h.get(`/customer/${created.Id}`).expect(200)).body.Customer;
    expect(current).toMatchObject({ Notes: 'first', SyncToken: '1' });
  });

  it('When a sparse update sends one field, then only that field changes; a full update drops omitted writable fields', async () => {
    const h = domainHarness();
    const created = (
      await h.post('/customer', { DisplayName: 'Sparse Co', CompanyName: 'Sparse Company', Notes: 'keep me', PrimaryEmailAddr: { Address: 'a@sparse.example' } }).expect(200)
    ).body.Customer;

    const sparse = (await h.post('/customer', { Id: created.Id, SyncToken: created.SyncToken, sparse: true, Notes: 'changed' }).expect(200)).body.Customer;
    expect(sparse).toMatchObject({ Notes: 'changed', CompanyName: 'Sparse Company', PrimaryEmailAddr: { Address: 'a@sparse.example' }, SyncToken: '1' });

    const full = (await h.post('/customer', { Id: created.Id, SyncToken: '1', DisplayName: 'Sparse Co' }).expect(200)).body.Customer;
    expect(full.SyncToken).toBe('2');
    expect(full).not.toHaveProperty('Notes');
    expect(full).not.toHaveProperty('CompanyName');
    expect(full).not.toHaveProperty('PrimaryEmailAddr');
    expect(full.MetaData.CreateTime).toBe(created.MetaData.CreateTime);
  });

  it.each([
    ['a vendor', DEMO_VENDOR_NAME],
    ['an inactive customer', DEMO_INACTIVE_CUSTOMER_NAME],
    ['an active customer, differently cased', 'abc llc'],
  ])('When a customer takes the DisplayName of %s, then QBO answers 6240 Duplicate Name Exists', async (_label, name) => {
    const h = domainHarness();
    const res = await h.post('/customer', { DisplayName: name });
    expect(res.status).toBe(400);
    expect(faultOf(res.body)).toMatchObject({ code: '6240', Message: 'Duplicate Name Exists Error', type: 'ValidationFault' });
    expect(faultOf(res.body).Detail).toMatch(/^The name supplied already exists\./);
  });

  it.each([
    ['CompanyName', { CompanyName: 'c'.repeat(101) }, 100, 101],
    ['GivenName', { GivenName: 'g'.repeat(101) }, 100, 101],
    ['PrimaryPhone.FreeFormNumber', { PrimaryPhone: { FreeFormNumber: '5'.repeat(31) } }, 30, 31],
    ['BillAddr.Line1', { BillAddr: { Line1: 'a'.repeat(501) } }, 500, 501],
    ['Notes', { Notes: 'n'.repeat(2001) }, 2000, 2001],
    ['DisplayName', { DisplayName: 'd'.repeat(501) }, 500, 501],
  ])('When a customer %s is longer than QBO allows, then it is refused with 2050 naming the field and the limit', async (element, fields, max, supplied) => {
    const h = domainHarness();
    const res = await h.post('/customer', { DisplayName: `Long ${element}`, ...fields });
    expect(res.status).toBe(400);
    expect(faultOf(res.body)).toEqual({
      Message: 'String length is either shorter or longer than supported by specification',
      Detail: `String length specified does not match the supported length. Min:0 Max:${max.toLocaleString('en-US')} supported. Supplied length: ${supplied.toLocaleString('en-US')}`,
      code: '2050',
      element,
      type: 'ValidationFault',
    });
  });

  it('When customer fields are exactly at their limits, then the customer is created', async () => {
    const h = domainHarness();
    const res = await h.post('/customer', {
      DisplayName: 'd'.repeat(500),
      CompanyName: 'c'.repeat(100),
      PrimaryPhone: { FreeFormNumber: '5'.repeat(30) },
      BillAddr: { Line1: 'a'.repeat(500) },
      Notes: 'n'.repeat(2000),
    });
    expect(res.status).toBe(200);
  });

  it('When a vendor takes a customer name, then it collides too (one name list)', async () => {
    const h = domainHarness();
    const res = await h.post('/vendor', { DisplayName: 'ABC Inc' });
    expect(faultOf(res.body).code).toBe('6240');
  });

  it("When a DisplayName contains ':' or a tab, then it is refused", async () => {
    const h = domainHarness();
    for (const name of ['Parent:Child', 'Tab\tName']) {
      const res = await h.post('/customer', { DisplayName: name });
      expect(res.status).toBe(400);
      expect(faultOf(res.body).element).toBe('DisplayName');
    }
  });

  it('When a customer has no name at all, then it is refused with 2020 Required param missing', async () => {
    const h = domainHarness();
    const res = await h.post('/customer', { Notes: 'nameless' });
    expect(res.status).toBe(400);
    expect(faultOf(res.body)).toMatchObject({ code: '2020', Message: 'Required param missing, need to supply the required value for the API' });
  });

  it('When only name parts are sent, then QBO derives DisplayName and the defaults', async () => {
    const h = domainHarness();
    const customer = (await h.post('/customer', { GivenName: 'James', FamilyName: 'King' }).expect(200)).body.Customer;
    expect(customer).toMatchObject({ DisplayName: 'James King', FullyQualifiedName: 'James King', Active: true, Balance: 0, Job: false, CurrencyRef: { value: 'USD' } });
    expect(typeof customer.Id).toBe('string');
  });

  it('When a sales item has no income account, then it is refused with 2020 naming the account fields', async () => {
    const h = domainHarness();
    const res = await h.post('/item', { Name: 'No Account', Type: 'Service' });
    expect(faultOf(res.body)).toMatchObject({ code: '2020', Detail: 'Required parameter ExpenseAccountRef or IncomeAccountRef is missing in the request' });
  });

  it('When an invoice references a missing customer, a missing item or an inactive customer, then QBO answers 610 Object Not Found', async () => {
    const h = domainHarness();
    const line = (itemId: string) => [{ DetailType: 'SalesItemLineDetail', Amount: 10, SalesItemLineDetail: { ItemRef: { value: itemId } } }];
    const missingCustomer = await h.post('/invoice', { CustomerRef: { value: '999' }, Line: line(SEED_IDS.item.hours) });
    const missingItem = await h.post('/invoice', { CustomerRef: { value: SEED_IDS.customer.abcLlc }, Line: line('999') });
    const inactiveCustomer = await h.post('/invoice', { CustomerRef: { value: SEED_IDS.customer.inactive }, Line: line(SEED_IDS.item.hours) });
    for (const res of [missingCustomer, missingItem, inactiveCustomer]) {
      expect(res.status).toBe(400);
      expect(faultOf(res.body)).toMatchObject({ code: '610', Message: 'Object Not Found' });
    }
    expect(faultOf(missingItem.body).element).toBe('Line[0].SalesItemLineDetail.ItemRef');
  });

  it('When an item is made inactive, then new invoice lines may not use it (610)', async () => {
    const h = domainHarness();
    const item = (await h.get(`/item/${SEED_IDS.item.sdFee}`).expect(200)).body.Item;
    await h.post('/item', { Id: item.Id, SyncToken: item.SyncToken, sparse: true, Active: false }).expect(200);
    const res = await h.post('/invoice', { CustomerRef: { value: '1' }, Line: [{ DetailType: 'SalesItemLineDetail', Amount: 5, SalesItemLineDetail: { ItemRef: { value: item.Id } } }] });
    expect(faultOf(res.body).code).toBe('610');
  });

  it('When an object id does not exist, then reading it answers 610', async () => {
    const h = domainHarness();
    const res = await h.get('/invoice/424242');
    expect(res.status).toBe(400);
    expect(faultOf(res.body).code).toBe('610');
  });

  it('When a list entity is deleted, then QBO refuses (lists are made inactive instead)', async () => {
    const h = domainHarness();
    const res = await h.post('/customer?operation=delete', { Id: '1', SyncToken: '0' });
    expect(res.status).toBe(400);
    expect(faultOf(res.body).type).toBe('ValidationFault');
    await h.get('/customer/1').expect(200);
  });
});

describe('QBO sub-customers and balances', () => {
  it('When a sub-customer is created with Job and ParentRef, then its FullyQualifiedName is Parent:Child', async () => {
    const h = domainHarness();
    const job = (await h.post('/customer', { DisplayName: 'Kitchen Remodel', Job: true, ParentRef: { value: SEED_IDS.customer.abcInc } }).expect(200)).body.Customer;
    expect(job).toMatchObject({ FullyQualifiedName: 'ABC Inc:Kitchen Remodel', Job: true, ParentRef: { value: SEED_IDS.customer.abcInc } });
    const orphan = await h.post('/customer', { DisplayName: 'Orphan Job', Job: true });
    expect(faultOf(orphan.body).code).toBe('2020');
  });

  it('When invoices and payments are written, then the customer Balance is what the customer still owes', async () => {
    const h = domainHarness();
    const line = [{ DetailType: 'SalesItemLineDetail', Amount: 300, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours } } }];
    const invoice = (await h.post('/invoice', { CustomerRef: { value: '1' }, Line: line }).expect(200)).body.Invoice;
    await h.post('/payment', { CustomerRef: { value: '1' }, TotalAmt: 100, Line: [{ Amount: 100, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }] }).expect(200);
    const customer = (await h.get('/customer/1').expect(200)).body.Customer;
    expect(customer).toMatchObject({ Balance: 200, SyncToken: '0' });
  });
});
