import request from 'supertest';
import { MAX_BATCH_ITEMS } from './batch';
import { SEED_IDS } from './seed';
import { domainHarness, faultOf, TEST_START } from './domain-test-app';
import { fixture } from './oauth-test-support';

const invoiceBody = (amount = 150) => ({
  CustomerRef: { value: SEED_IDS.customer.abcLlc },
  Line: [{ DetailType: 'SalesItemLineDetail', Amount: amount, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours } } }],
});
const DAY = 24 * 60 * 60 * 1000;

describe('QBO requestid idempotency', () => {
  it('When a create is repeated with the same requestid, then the first answer is replayed and only one object exists', async () => {
    const h = domainHarness();
    const first = await h.post('/invoice?requestid=deal-42-create&minorversion=75', invoiceBody()).expect(200);
    await h.clock.advance(5_000);
    const again = await h.post('/invoice?requestid=deal-42-create&minorversion=75', invoiceBody()).expect(200);
    expect(again.body).toEqual(first.body);
    const count = await h.get('/query').query({ query: 'SELECT COUNT(*) FROM Invoice' }).expect(200);
    expect(count.body.QueryResponse.totalCount).toBe(1);
    expect(h.changes.filter((c) => c.entity === 'Invoice')).toHaveLength(1);
  });

  it('When the requestid differs or belongs to another company, then the write happens', async () => {
    const h = domainHarness();
    await h.post('/invoice?requestid=a', invoiceBody()).expect(200);
    await h.post('/invoice?requestid=b', invoiceBody()).expect(200);
    h.companies.create('5550001', { seed: 'demo' });
    await request(h.app).post('/v3/company/5550001/invoice?requestid=a').send(invoiceBody()).expect(200);
    expect((await h.get('/query').query({ query: 'SELECT COUNT(*) FROM Invoice' })).body.QueryResponse.totalCount).toBe(2);
  });

  it('When a request with a requestid faulted, then a corrected retry with the same id is executed', async () => {
    const h = domainHarness();
    const bad = await h.post('/invoice?requestid=retry-me', { ...invoiceBody(), CustomerRef: { value: '999' } });
    expect(bad.status).toBe(400);
    await h.post('/invoice?requestid=retry-me', invoiceBody()).expect(200);
  });

  it('When a requestid is longer than 50 characters, then it is refused; 50 is fine', async () => {
    const h = domainHarness();
    const res = await h.post(`/invoice?requestid=${'x'.repeat(51)}`, invoiceBody());
    expect(res.status).toBe(400);
    await h.post(`/invoice?requestid=${'x'.repeat(50)}`, invoiceBody()).expect(200);
  });

  it('When a batch requestid is longer than 36 characters, then the batch is refused; 36 is fine', async () => {
    const h = domainHarness();
    const batch = { BatchItemRequest: [{ bId: 'q', Query: 'SELECT * FROM Term' }] };
    const tooLong = await h.post(`/batch?requestid=${'b'.repeat(37)}`, batch);
    expect(tooLong.status).toBe(400);
    expect(faultOf(tooLong.body)).toMatchObject({ element: 'requestid', type: 'ValidationFault' });
    await h.post(`/batch?requestid=${'b'.repeat(36)}`, batch).expect(200);
  });
});

describe('QBO batch', () => {
  it('When a batch mixes a create, a faulting item and a query, then each is answered on its own with HTTP 200', async () => {
    const h = domainHarness();
    const res = await h
      .post('/batch', {
        BatchItemRequest: [
          { bId: 'b1', operation: 'create', Customer: { DisplayName: 'Batch Co' } },
          { bId: 'b2', operation: 'create', Customer: { DisplayName: 'ABC Inc' } },
          { bId: 'b3', Query: "SELECT * FROM Term WHERE Name = 'Net 15'" },
        ],
      })
      .expect(200);
    const [b1, b2, b3] = res.body.BatchItemResponse;
    expect(b1).toMatchObject({ bId: 'b1', Customer: { DisplayName: 'Batch Co', SyncToken: '0' } });
    expect(b2).toMatchObject({ bId: 'b2', Fault: { type: 'ValidationFault', Error: [{ code: '6240' }] } });
    expect(b3).toMatchObject({ bId: 'b3', QueryResponse: { Term: [{ Name: 'Net 15' }], startPosition: 1, maxResults: 1 } });
    expect(res.body.time).toEqual(expect.any(String));
  });

  it('When a batch updates and deletes, then those operations apply with their SyncToken rules', async () => {
    const h = domainHarness();
    const invoice = (await h.post('/invoice', invoiceBody()).expect(200)).body.Invoice;
    const res = await h
      .post('/batch', {
        BatchItemRequest: [
          { bId: 'u', operation: 'update', Invoice: { Id: invoice.Id, SyncToken: '7', sparse: true, PrivateNote: 'stale' } },
          { bId: 'd', operation: 'delete', Invoice: { Id: invoice.Id, SyncToken: invoice.SyncToken } },
        ],
      })
      .expect(200);
    expect(res.body.BatchItemResponse[0].Fault.Error[0].code).toBe('5010');
    expect(res.body.BatchItemResponse[1]).toEqual({ bId: 'd', Invoice: { status: 'Deleted', domain: 'QBO', Id: invoice.Id } });
  });

  it('When a batch has more than 30 items, then the whole batch is refused with 400', async () => {
    const h = domainHarness();
    const items = Array.from({ length: MAX_BATCH_ITEMS + 1 }, (_, i) => ({ bId: `q${i}`, Query: 'SELECT * FROM Term' }));
    const res = await h.post('/batch', { BatchItemRequest: items });
    expect(MAX_BATCH_ITEMS).toBe(30);
    expect(res.status).toBe(400);
    expect(faultOf(res.body).type).toBe('ValidationFault');
  });
});

describe('QBO change data capture', () => {
  it('When objects change and one is deleted, then CDC returns the full objects and a Deleted marker', async () => {
    const h = domainHarness();
    const since = '2026-03-02T09:00:00-08:00';
    const kept = (await h.post('/invoice', invoiceBody(100)).expect(200)).body.Invoice;
    const gone = (await h.post('/invoice', invoiceBody(200)).expect(200)).body.Invoice;
    await h.clock.advance(60_000);
    await h.post('/invoice?operation=delete', { Id: gone.Id, SyncToken: gone.SyncToken }).expect(200);

    const res = await h.get('/cdc').query({ entities: 'Invoice,Payment', changedSince: since }).expect(200);
    const groups = res.body.CDCResponse[0].QueryResponse;
    expect(groups).toHaveLength(2);
    const invoices = groups[0].Invoice;
    expect(invoices[0]).toMatchObject({ Id: kept.Id, TotalAmt: 100, Line: expect.any(Array) });
    expect(invoices[1]).toEqual({ status: 'Deleted', domain: 'QBO', Id: gone.Id, MetaData: { LastUpdatedTime: expect.stringMatching(/^2026-03-02T10:01:0\d-08:00$/) } });
    expect(groups[0]).toMatchObject({ startPosition: 1, maxResults: 2, totalCount: 2 });
    expect(groups[1]).toEqual({});
  });

  it('When changedSince is after a change, then that change is not returned', async () => {
    const h = domainHarness();
    await h.post('/invoice', invoiceBody()).expect(200);
    await h.clock.advance(DAY);
    const res = await h.get('/cdc').query({ entities: 'Invoice', changedSince: '2026-03-03' }).expect(200);
    expect(res.body.CDCResponse[0].QueryResponse[0]).toEqual({});
  });

  it('When changedSince is more than 30 days back, then CDC is refused; 30 days exactly is fine', async () => {
    const h = domainHarness();
    await h.clock.advance(40 * DAY);
    const start = new Date(TEST_START).toISOString();
    const tooOld = await h.get('/cdc').query({ entities: 'Invoice', changedSince: start });
    expect(tooOld.status).toBe(400);
    expect(faultOf(tooOld.body).type).toBe('ValidationFault');
    const limit = new Date(h.clock.nowMs() - 30 * DAY + 1000).toISOString();
    await h.get('/cdc').query({ entities: 'Invoice', changedSince: limit }).expect(200);
  });
});

describe('QBO change events and routing', () => {
  it('When writes succeed, then onChange reports Create/Update/Void/Delete with QBO times; reads and faults report nothing', async () => {
    const h = domainHarness();
    const invoice = (await h.post('/invoice', invoiceBody()).expect(200)).body.Invoice;
    const updated = (await h.post('/invoice', { Id: invoice.Id, SyncToken: invoice.SyncToken, sparse: true, PrivateNote: 'x' }).expect(200)).body.Invoice;
    const voided = (await h.post('/invoice?operation=void', { Id: invoice.Id, SyncToken: updated.SyncToken }).expect(200)).body.Invoice;
    await h.post('/invoice?operation=delete', { Id: invoice.Id, SyncToken: voided.SyncToken }).expect(200);
    await h.get('/customer/1').expect(200);
    await h.post('/customer', { DisplayName: 'ABC LLC' }).expect(400);

    expect(h.changes.map((c) => [c.entity, c.id, c.operation])).toEqual([
      ['Invoice', invoice.Id, 'Create'],
      ['Invoice', invoice.Id, 'Update'],
      ['Invoice', invoice.Id, 'Void'],
      ['Invoice', invoice.Id, 'Delete'],
    ]);
    expect(h.changes[0]).toMatchObject({ realmId: h.realmId, lastUpdated: expect.stringMatching(/^2026-03-02T10:00:0\d-08:00$/) });
  });

  it('When the path names an unknown entity, then a 400 Fault comes back', async () => {
    const h = domainHarness();
    const res = await h.post('/widget', { Name: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.Fault.type).toBe('ValidationFault');
  });

  it('When the company does not exist, then the API answers the same lower-case 403 (code 3100) as the shell', async () => {
    const h = domainHarness();
    const res = await request(h.app).get('/v3/company/123/customer/1');
    expect(res.status).toBe(403);
    // QBO's 403 body (frappe/erpnext#29161), in the envelope of fixture fault_3200_authentication_401.json.
    expect(res.body.fault).toEqual({
      error: [{ message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403', detail: null, code: '3100', element: null }],
      type: 'SERVICE',
    });
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(fixture('fault_3200_authentication_401.json')).sort());
    expect(typeof res.body.time).toBe('number');
  });

  it('When a body is not valid JSON, then a 400 Fault comes back', async () => {
    const h = domainHarness();
    const res = await h.post('/customer').set('Content-Type', 'application/json').send('{"DisplayName": ');
    expect(res.status).toBe(400);
    expect(res.body.Fault.type).toBe('ValidationFault');
  });

  it('When preferences are read and sparsely updated, then the change sticks and the SyncToken moves', async () => {
    const h = domainHarness();
    const prefs = (await h.get('/preferences').expect(200)).body.Preferences;
    expect(prefs).toMatchObject({ CurrencyPrefs: { HomeCurrency: { value: 'USD' } }, SalesFormsPrefs: { CustomTxnNumbers: false, AllowEstimates: true }, TaxPrefs: { UsingSalesTax: true } });
    const updated = (await h.post('/preferences', { SyncToken: prefs.SyncToken, sparse: true, SalesFormsPrefs: { CustomTxnNumbers: true } }).expect(200)).body.Preferences;
    expect(updated.SalesFormsPrefs).toMatchObject({ CustomTxnNumbers: true, AllowEstimates: true });
    expect(updated.SyncToken).toBe('1');
  });

  it('When companyinfo is read by realm id, then the seeded US company comes back', async () => {
    const h = domainHarness();
    const res = await h.get(`/companyinfo/${h.realmId}`).expect(200);
    expect(res.body.CompanyInfo).toMatchObject({ CompanyName: 'DealBooks Demo Co', Country: 'US' });
  });
});

describe('QBO domain control API', () => {
  it('When a company is created, seeded and inspected through /_sim/quickbooks, then the API sees it', async () => {
    const h = domainHarness();
    const created = await request(h.app).post('/_sim/quickbooks/companies').send({ seed: 'empty', companyName: 'Empty Books' }).expect(201);
    const realmId = created.body.realmId as string;
    expect(realmId).toMatch(/^\d{16}$/);
    const base = `/_sim/quickbooks/companies/${realmId}`;
    expect((await request(h.app).get(`${base}/customer`).expect(200)).body).toEqual([]);
    const seeded = await request(h.app).post(`${base}/Customer`).send({ Id: '58', DisplayName: 'Seeded Co', Active: false }).expect(201);
    expect(seeded.body).toMatchObject({ Id: '58', SyncToken: '0', MetaData: { CreateTime: expect.any(String) } });
    expect((await request(h.app).get(`${base}/customer/58`).expect(200)).body.DisplayName).toBe('Seeded Co');
    expect((await request(h.app).get(`/v3/company/${realmId}/customer/58`).expect(200)).body.Customer.Active).toBe(false);
    const info = await request(h.app).get(`/v3/company/${realmId}/companyinfo/${realmId}`).expect(200);
    expect(info.body.CompanyInfo.CompanyName).toBe('Empty Books');
    expect(h.changes).toEqual([]);
    await request(h.app).delete('/_sim/quickbooks/companies').expect(204);
    expect(h.companies.list()).toEqual([]);
  });
});
