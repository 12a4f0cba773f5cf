import { SEED_IDS } from './seed';
import { domainHarness, faultOf, type DomainHarness } from './domain-test-app';

const query = (h: DomainHarness, q: string) => h.get('/query').query({ query: q, minorversion: '75' });

describe('QBO query language', () => {
  it("When a DisplayName with a quote is matched with a \\' escape, then that customer is found", async () => {
    const h = domainHarness();
    await h.post('/customer', { DisplayName: "King's Groceries" }).expect(200);
    const res = await query(h, "SELECT * FROM Customer WHERE DisplayName = 'King\\'s Groceries'").expect(200);
    expect(res.body.QueryResponse.Customer.map((c: any) => c.DisplayName)).toEqual(["King's Groceries"]);
    expect(res.body.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 1 });
    expect(res.body.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}-08:00$/);
  });

  it('When LIKE, IN, ORDERBY DESC and lower-case keywords are used, then QBO semantics apply', async () => {
    const h = domainHarness();
    const like = await query(h, "select * from customer where DisplayName like 'ABC%' orderby DisplayName desc").expect(200);
    expect(like.body.QueryResponse.Customer.map((c: any) => c.DisplayName)).toEqual(['ABC, LLC', 'ABC LLC', 'ABC Inc']);
    const byEmail = await query(h, "SELECT * FROM Customer WHERE PrimaryEmailAddr = 'AP@abc-llc.example'").expect(200);
    expect(byEmail.body.QueryResponse.Customer.map((c: any) => c.DisplayName)).toEqual(['ABC, LLC']);
    const inList = await query(h, "SELECT * FROM Item WHERE Name IN ('SD Fee', 'Hours') ORDERBY Name").expect(200);
    expect(inList.body.QueryResponse.Item.map((i: any) => i.Name)).toEqual(['Hours', 'SD Fee']);
  });

  it('When comparing numbers, Ref fields and nested MetaData dates, then the operators filter correctly', async () => {
    const h = domainHarness();
    const line = (amount: number) => [{ DetailType: 'SalesItemLineDetail', Amount: amount, SalesItemLineDetail: { ItemRef: { value: SEED_IDS.item.hours } } }];
    await h.post('/invoice', { CustomerRef: { value: '1' }, Line: line(100) }).expect(200);
    await h.clock.advance(60_000);
    const later = (await h.post('/invoice', { CustomerRef: { value: '2' }, Line: line(250) }).expect(200)).body.Invoice;

    const big = await query(h, 'SELECT * FROM Invoice WHERE TotalAmt >= 200').expect(200);
    expect(big.body.QueryResponse.Invoice.map((i: any) => i.Id)).toEqual([later.Id]);
    const byCustomer = await query(h, "SELECT * FROM Invoice WHERE CustomerRef = '2'").expect(200);
    expect(byCustomer.body.QueryResponse.Invoice.map((i: any) => i.Id)).toEqual([later.Id]);
    const recent = await query(h, "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2026-03-02T10:00:30-08:00'").expect(200);
    expect(recent.body.QueryResponse.Invoice.map((i: any) => i.Id)).toEqual([later.Id]);
  });

  it('When paging with STARTPOSITION and MAXRESULTS, then pages do not overlap and COUNT(*) gives the total', async () => {
    const h = domainHarness();
    const page1 = await query(h, 'SELECT * FROM Item ORDERBY Name STARTPOSITION 1 MAXRESULTS 2').expect(200);
    const page2 = await query(h, 'SELECT * FROM Item ORDERBY Name STARTPOSITION 3 MAXRESULTS 2').expect(200);
    expect(page1.body.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 2 });
    expect(page2.body.QueryResponse).toMatchObject({ startPosition: 3, maxResults: 2 });
    const names = [...page1.body.QueryResponse.Item, ...page2.body.QueryResponse.Item].map((i: any) => i.Name);
    expect(names).toEqual(['Hours', 'Printed Plans', 'Schematic Design Fee', 'SD Fee']);
    const count = await query(h, 'SELECT COUNT(*) FROM Item').expect(200);
    expect(count.body.QueryResponse).toEqual({ totalCount: 4 });
  });

  it('When inactive customers exist, then they are hidden unless the WHERE names Active', async () => {
    const h = domainHarness();
    const all = await query(h, 'SELECT * FROM Customer').expect(200);
    expect(all.body.QueryResponse.Customer.every((c: any) => c.Active === true)).toBe(true);
    const inactive = await query(h, 'SELECT * FROM Customer WHERE Active = false').expect(200);
    expect(inactive.body.QueryResponse.Customer.map((c: any) => c.Id)).toEqual([SEED_IDS.customer.inactive]);
  });

  it('When nothing matches, then QueryResponse is an empty object', async () => {
    const h = domainHarness();
    const res = await query(h, "SELECT * FROM Customer WHERE DisplayName = 'Nobody'").expect(200);
    expect(res.body.QueryResponse).toEqual({});
  });

  it('When the query is POSTed as application/text, then it is answered like GET', async () => {
    const h = domainHarness();
    const res = await h.post('/query').set('Content-Type', 'application/text').send("SELECT * FROM Term WHERE Name = 'Net 30'").expect(200);
    expect(res.body.QueryResponse.Term[0]).toMatchObject({ Name: 'Net 30', DueDays: 30 });
  });

  it.each([
    ["SELECT * FROM Customer WHERE DisplayName = 'a' OR DisplayName = 'b'"],
    ["SELECT * FROM Customer WHERE DisplayName = 'King's'"],
    ['SELECT DisplayName FROM Customer'],
    ["SELECT * FROM Customer WHERE DisplayName != 'x'"],
    ['SELECT * FROM Nope'],
    [''],
  ])('When the query is malformed (%s), then QBO answers 400 code 4000 Error parsing query', async (text) => {
    const h = domainHarness();
    const res = await query(h, text);
    expect(res.status).toBe(400);
    expect(faultOf(res.body)).toMatchObject({ code: '4000', Message: 'Error parsing query', type: 'ValidationFault' });
    expect(faultOf(res.body).Detail).toMatch(/^QueryParserError: /);
  });

  it('When MAXRESULTS exceeds 1000, then at most 1000 objects come back', async () => {
    const h = domainHarness();
    const company = h.companies.get(h.realmId);
    for (let i = 0; i < 1001; i++) company?.insert('Class', { Name: `Bulk ${i}`, FullyQualifiedName: `Bulk ${i}`, Active: true }, { announce: false });
    const res = await query(h, 'SELECT * FROM Class MAXRESULTS 5000').expect(200);
    expect(res.body.QueryResponse.maxResults).toBe(1000);
    expect(res.body.QueryResponse.Class).toHaveLength(1000);
    const byDefault = await query(h, 'SELECT * FROM Class').expect(200);
    expect(byDefault.body.QueryResponse.Class).toHaveLength(100);
  });
});

describe('QBO query ordering', () => {
  it('When ordering by Id, then numeric Ids sort as numbers (9 before 10)', async () => {
    const h = domainHarness({ seed: 'empty' });
    for (const id of ['10', '9', '100']) await h.seed('Class', { Id: id, Name: `Class ${id}`, FullyQualifiedName: `Class ${id}`, Active: true });
    const res = await h.get('/query').query({ query: 'SELECT * FROM Class ORDERBY Id DESC' }).expect(200);
    expect(res.body.QueryResponse.Class.map((c: any) => c.Id)).toEqual(['100', '10', '9']);
  });
});
