import request from 'supertest';
import { crmTestApp } from './crm/test-app';
import { idByName } from './crm/test-helpers';

type Filter = { propertyName: string; operator: string; value?: string; highValue?: string; values?: string[] };

/** Names of the deals matching one filter group (or several ORed groups). */
async function dealNames(app: Parameters<typeof request>[0], ...groups: Filter[][]): Promise<string[]> {
  const res = await request(app).post('/crm/v3/objects/deals/search').send({
    filterGroups: groups.map((filters) => ({ filters })),
    properties: ['dealname'],
    sorts: [{ propertyName: 'dealname', direction: 'ASCENDING' }],
    limit: 100,
  });
  expect(res.status).toBe(200);
  return res.body.results.map((r: { properties: { dealname: string } }) => r.properties.dealname);
}

const DESIGN = 'ABC LLC - Schematic design';
const RENEWAL = 'ABC LLC - Annual support renewal';
const CONSTRUCTION = 'Northwind - Construction documents';
const FEASIBILITY = 'Northwind - Feasibility study';

describe('HubSpot CRM simulator: search', () => {
  it('When EQ is used on text, then it ignores case', async () => {
    const { app } = crmTestApp();
    expect(await dealNames(app, [{ propertyName: 'dealname', operator: 'EQ', value: 'abc llc - schematic DESIGN' }])).toEqual([DESIGN]);
  });

  it('When NEQ, IN and NOT_IN are used, then they select by value', async () => {
    const { app } = crmTestApp();
    expect(await dealNames(app, [{ propertyName: 'dealstage', operator: 'NEQ', value: 'closedwon' }])).toEqual([RENEWAL, DESIGN, FEASIBILITY]);
    expect(await dealNames(app, [{ propertyName: 'dealstage', operator: 'IN', values: ['closedwon', 'qualifiedtobuy'] }])).toEqual([CONSTRUCTION, FEASIBILITY]);
    expect(await dealNames(app, [{ propertyName: 'dealstage', operator: 'NOT_IN', values: ['closedwon', 'qualifiedtobuy'] }])).toEqual([RENEWAL, DESIGN]);
  });

  it('When amounts are compared, then they compare as numbers, not text', async () => {
    const { app } = crmTestApp();
    // As text "1651.5" < "2400" < "3000" but "1209.96" < "1651.5"; as numbers 1209.96 < 1651.5 < 2400 < 3000.
    expect(await dealNames(app, [{ propertyName: 'amount', operator: 'GT', value: '1651.5' }])).toEqual([RENEWAL, FEASIBILITY]);
    expect(await dealNames(app, [{ propertyName: 'amount', operator: 'GTE', value: '1651.50' }])).toEqual([RENEWAL, DESIGN, FEASIBILITY]);
    expect(await dealNames(app, [{ propertyName: 'amount', operator: 'LT', value: '1651.5' }])).toEqual([CONSTRUCTION]);
    expect(await dealNames(app, [{ propertyName: 'amount', operator: 'LTE', value: '999' }])).toEqual([]);
    expect(await dealNames(app, [{ propertyName: 'amount', operator: 'BETWEEN', value: '1500', highValue: '2400' }])).toEqual([DESIGN, FEASIBILITY]);
  });

  it('When a datetime is compared with epoch ms, then it compares as an instant', async () => {
    const { app } = crmTestApp();
    const dec1 = String(Date.parse('2026-12-01T00:00:00Z'));
    expect(await dealNames(app, [{ propertyName: 'closedate', operator: 'GTE', value: dec1 }])).toEqual([DESIGN]);
    expect(await dealNames(app, [{ propertyName: 'closedate', operator: 'LT', value: '2026-12-01T00:00:00Z' }])).toEqual([CONSTRUCTION]);
  });

  it('When HAS_PROPERTY and NOT_HAS_PROPERTY are used, then they test presence', async () => {
    const { app } = crmTestApp();
    expect(await dealNames(app, [{ propertyName: 'closedate', operator: 'HAS_PROPERTY' }])).toEqual([DESIGN, CONSTRUCTION]);
    expect(await dealNames(app, [{ propertyName: 'closedate', operator: 'NOT_HAS_PROPERTY' }])).toEqual([RENEWAL, FEASIBILITY]);
  });

  it('When CONTAINS_TOKEN is used, then it matches whole words and * wildcards', async () => {
    const { app } = crmTestApp();
    expect(await dealNames(app, [{ propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'northwind' }])).toEqual([CONSTRUCTION, FEASIBILITY]);
    expect(await dealNames(app, [{ propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'north' }])).toEqual([]);
    expect(await dealNames(app, [{ propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'feas*' }])).toEqual([FEASIBILITY]);
    expect(await dealNames(app, [{ propertyName: 'dealname', operator: 'NOT_CONTAINS_TOKEN', value: 'northwind' }])).toEqual([RENEWAL, DESIGN]);
  });

  it('When two filters share a group they are ANDed, and separate groups are ORed', async () => {
    const { app } = crmTestApp();
    const abc = { propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'abc' };
    const won = { propertyName: 'dealstage', operator: 'EQ', value: 'closedwon' };
    expect(await dealNames(app, [abc, won])).toEqual([]);
    expect(await dealNames(app, [abc], [won])).toEqual([RENEWAL, DESIGN, CONSTRUCTION]);
  });

  it('When sorted by amount descending, then the largest comes first', async () => {
    const { app } = crmTestApp();
    const res = await request(app).post('/crm/v3/objects/deals/search').send({ sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }], properties: ['amount'] });
    expect(res.body.results.map((r: { properties: { amount: string } }) => r.properties.amount)).toEqual(['3000', '2400', '1651.5', '1209.96']);
  });

  it('When a query is given, then products whose words start with it are found (near-duplicates included)', async () => {
    const { app } = crmTestApp();
    const res = await request(app).post('/crm/v3/objects/products/search').send({ query: 'schematic', properties: ['name', 'hs_sku'] });
    expect(res.body.total).toBe(2);
    expect(res.body.results.map((r: { properties: { name: string } }) => r.properties.name).sort()).toEqual(['Schematic Design Fee', 'Schematic Design Fees']);
    expect(res.body.results[0]).toEqual({ id: expect.any(String), properties: expect.any(Object), createdAt: expect.any(String), updatedAt: expect.any(String), archived: false });
  });

  it('When results span pages, then total counts all and after walks the pages', async () => {
    const { app } = crmTestApp();
    const first = await request(app).post('/crm/v3/objects/line_items/search').send({ limit: 4 });
    expect(first.body.total).toBe(6);
    expect(first.body.results).toHaveLength(4);
    expect(first.body.paging).toEqual({ next: { after: '4' } });
    const second = await request(app).post('/crm/v3/objects/line_items/search').send({ limit: 4, after: first.body.paging.next.after });
    expect(second.body.results).toHaveLength(2);
    expect(second.body.paging).toBeUndefined();
  });

  it('When a write happens, then the next search sees it', async () => {
    const { app, account } = crmTestApp();
    const dealId = idByName(account, 'deals', FEASIBILITY);
    await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealstage: 'closedwon' } });
    expect(await dealNames(app, [{ propertyName: 'dealstage', operator: 'EQ', value: 'closedwon' }])).toEqual([CONSTRUCTION, FEASIBILITY]);
  });

  it('When the limits are passed, then the search is a 400', async () => {
    const { app } = crmTestApp();
    const filter = { propertyName: 'dealname', operator: 'HAS_PROPERTY' };
    const search = (body: object) => request(app).post('/crm/v3/objects/deals/search').send(body);
    expect((await search({ limit: 201 })).status).toBe(400);
    expect((await search({ limit: 200 })).status).toBe(200);
    expect((await search({ filterGroups: Array.from({ length: 6 }, () => ({ filters: [filter] })) })).status).toBe(400);
    expect((await search({ filterGroups: [{ filters: Array.from({ length: 11 }, () => filter) }] })).status).toBe(400);
    expect((await search({ filterGroups: Array.from({ length: 3 }, () => ({ filters: Array.from({ length: 9 }, () => filter) })) })).status).toBe(400);
    expect((await search({ filterGroups: [{ filters: [{ propertyName: 'dealname', operator: 'LIKE', value: 'x' }] }] })).status).toBe(400);
    expect((await search({ filterGroups: [{ filters: [{ propertyName: 'nosuch', operator: 'EQ', value: 'x' }] }] })).status).toBe(400);
  });

  it('When more than 10,000 objects match, then paging stops at 10,000 and after=10000 is a 400', async () => {
    const { app, account } = crmTestApp({ seed: 'empty' });
    for (let i = 0; i < 10_010; i++) account.create('products', { name: `Bulk ${i}` });
    const search = (after: string) => request(app).post('/crm/v3/objects/products/search').send({ limit: 200, after, properties: ['name'] });
    const last = await search('9900');
    expect(last.status).toBe(200);
    expect(last.body.total).toBe(10_010);
    expect(last.body.results).toHaveLength(100);
    expect(last.body.paging).toBeUndefined();
    const beyond = await search('10000');
    expect(beyond.status).toBe(400);
    expect(beyond.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });
});
