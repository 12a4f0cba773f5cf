import request from 'supertest';
import { crmTestApp } from './crm/test-app';

describe('HubSpot CRM simulator: batch', () => {
  it('When line items are read in a batch, then they come back with the asked properties and status COMPLETE', async () => {
    const { app, account } = crmTestApp();
    const ids = account.list('line_items').slice(0, 3).map((o) => o.id);
    const res = await request(app).post('/crm/v3/objects/line_items/batch/read').send({ inputs: ids.map((id) => ({ id })), properties: ['name', 'price', 'quantity', 'amount'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'COMPLETE', results: expect.any(Array), startedAt: expect.any(String), completedAt: expect.any(String) });
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual(ids);
    expect(Object.keys(res.body.results[0].properties).sort()).toEqual(['amount', 'createdate', 'hs_lastmodifieddate', 'hs_object_id', 'name', 'price', 'quantity']);
  });

  it('When some ids of a batch read do not exist, then it is a 207 with numErrors and the missing ids', async () => {
    const { app, account } = crmTestApp();
    const id = account.list('line_items')[0]?.id;
    const res = await request(app).post('/crm/v3/objects/line_items/batch/read').send({ inputs: [{ id }, { id: '1' }, { id: '2' }] });
    expect(res.status).toBe(207);
    expect(res.body.results).toHaveLength(1);
    expect(res.body.numErrors).toBe(1);
    expect(res.body.errors).toEqual([{
      status: 'error', category: 'OBJECT_NOT_FOUND',
      message: 'Could not get some LINE_ITEM objects, they may be deleted or not exist. Check that ids are valid.',
      context: { ids: ['1', '2'] },
    }]);
  });

  it('When a batch has 101 inputs, then it is a 400 and nothing happens', async () => {
    const { app, account } = crmTestApp();
    const before = account.list('products').length;
    const inputs = Array.from({ length: 101 }, (_, i) => ({ properties: { name: `P${i}` } }));
    const res = await request(app).post('/crm/v3/objects/products/batch/create').send({ inputs });
    expect(res.status).toBe(400);
    expect(res.body.category).toBe('VALIDATION_ERROR');
    expect(account.list('products')).toHaveLength(before);
    const hundred = await request(app).post('/crm/v3/objects/products/batch/create').send({ inputs: inputs.slice(0, 100) });
    expect(hundred.status).toBe(201);
    expect(hundred.body.results).toHaveLength(100);
  });

  it('When one input of a batch create is invalid, then it is a 400 and none are created', async () => {
    const { app, account } = crmTestApp();
    const before = account.list('products').length;
    const res = await request(app).post('/crm/v3/objects/products/batch/create').send({ inputs: [{ properties: { name: 'A' } }, { properties: { name: 'B', price: 'free' } }] });
    expect(res.status).toBe(400);
    expect(account.list('products')).toHaveLength(before);
  });

  it('When a batch create fails after a valid input with an association, then no link and no creation event of the discarded object remain', async () => {
    const { app, account, creations, changes } = crmTestApp();
    const dealId = account.list('deals')[0]!.id;
    const linksBefore = account.associations.list('deals', dealId, 'line_items');
    const res = await request(app).post('/crm/v3/objects/line_items/batch/create').send({
      inputs: [
        { properties: { name: 'Kept?', price: '10', quantity: '1' }, associations: [{ to: { id: dealId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 20 }] }] },
        { properties: { name: 'Bad', price: 'free' } },
      ],
    });
    expect(res.status).toBe(400);
    expect(account.associations.list('deals', dealId, 'line_items')).toEqual(linksBefore);
    await new Promise((resolve) => setImmediate(resolve));
    expect(creations).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('When a batch upsert creates a contact, updates it and then fails, then neither its creation nor its property change is reported', async () => {
    const { app, account, creations, changes } = crmTestApp();
    const res = await request(app).post('/crm/v3/objects/contacts/batch/upsert').send({
      inputs: [
        { id: 'fresh@abc.example', idProperty: 'email', properties: { firstname: 'A' } },
        { id: 'fresh@abc.example', idProperty: 'email', properties: { firstname: 'B' } },
        { id: '1', properties: { firstname: 'C' } },
      ],
    });
    expect(res.status).toBe(404);
    expect(account.findByUnique('contacts', 'email', 'fresh@abc.example')).toBeUndefined();
    expect(creations).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('When a batch create succeeds, then every creation is reported once, in input order', async () => {
    const { app, creations } = crmTestApp();
    const res = await request(app).post('/crm/v3/objects/products/batch/create').send({ inputs: [{ properties: { name: 'A' } }, { properties: { name: 'B' } }] });
    expect(res.status).toBe(201);
    expect(creations.map((c) => String(c.objectId))).toEqual(res.body.results.map((r: { id: string }) => r.id));
  });

  it('When a batch update names a missing id, then the others are written and the answer is a 207', async () => {
    const { app, account } = crmTestApp();
    const [a, b] = account.list('deals');
    const res = await request(app).post('/crm/v3/objects/deals/batch/update').send({
      inputs: [{ id: a?.id, properties: { amount: '10' } }, { id: '42', properties: { amount: '20' } }, { id: b?.id, properties: { amount: '30' } }],
    });
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { properties: { amount: string } }) => r.properties.amount)).toEqual(['10', '30']);
    expect(res.body.errors[0].context.ids).toEqual(['42']);
    expect(account.find('deals', a?.id ?? '')?.properties.amount).toBe('10');
  });

  it('When contacts are upserted by email, then an existing one is updated (new:false) and an unknown one created (new:true)', async () => {
    const { app, account } = crmTestApp();
    const res = await request(app).post('/crm/v3/objects/contacts/batch/upsert').send({
      inputs: [
        { id: 'jane@abc.example', idProperty: 'email', properties: { phone: '+1 555 0100' } },
        { id: 'new@abc.example', idProperty: 'email', properties: { firstname: 'New' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('COMPLETE');
    const [jane, created] = res.body.results;
    expect(jane).toMatchObject({ new: false, properties: { email: 'jane@abc.example', phone: '+1 555 0100' } });
    expect(created).toMatchObject({ new: true, properties: { email: 'new@abc.example', firstname: 'New' } });
    expect(account.findByUnique('contacts', 'email', 'new@abc.example')?.id).toBe(created.id);
  });

  it('When upsert uses a property that is not unique, then it is a 400', async () => {
    const { app } = crmTestApp();
    const res = await request(app).post('/crm/v3/objects/companies/batch/upsert').send({ inputs: [{ id: 'abc.example', idProperty: 'domain', properties: {} }] });
    expect(res.status).toBe(400);
  });

  it('When deals are archived in a batch, then it is a 204 and they are gone', async () => {
    const { app, account } = crmTestApp();
    const ids = account.list('deals').slice(0, 2).map((d) => d.id);
    const res = await request(app).post('/crm/v3/objects/deals/batch/archive').send({ inputs: ids.map((id) => ({ id })) });
    expect(res.status).toBe(204);
    for (const id of ids) expect((await request(app).get(`/crm/v3/objects/deals/${id}`)).status).toBe(404);
  });
});
