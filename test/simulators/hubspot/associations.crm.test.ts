import request from 'supertest';
import { crmTestApp } from './crm/test-app';
import { idByName } from './crm/test-helpers';

describe('HubSpot CRM simulator: associations', () => {
  it('When a seeded deal is read with v4, then its company shows the Primary label and the unlabelled type', async () => {
    const { app, account } = crmTestApp();
    const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
    const res = await request(app).get(`/crm/v4/objects/deals/${dealId}/associations/companies`);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([{
      toObjectId: Number(idByName(account, 'companies', 'ABC LLC')),
      associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 341, label: null }],
    }]);
  });

  it('When a default association is PUT, then both directions exist with their own type ids', async () => {
    const { app, account } = crmTestApp();
    const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
    const item = await request(app).post('/crm/v3/objects/line_items').send({ properties: { name: 'Extra', price: '10', quantity: '1' } });
    const put = await request(app).put(`/crm/v4/objects/deals/${dealId}/associations/default/line_items/${item.body.id}`);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ status: 'COMPLETE', startedAt: expect.any(String), completedAt: expect.any(String) });
    expect(put.body.results).toEqual([
      { from: { id: dealId }, to: { id: item.body.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 19 } },
      { from: { id: item.body.id }, to: { id: dealId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 20 } },
    ]);
    const back = await request(app).get(`/crm/v4/objects/line_items/${item.body.id}/associations/deals`);
    expect(back.body.results).toEqual([{ toObjectId: Number(dealId), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 20, label: null }] }]);
    const v3 = await request(app).get(`/crm/v3/objects/deals/${dealId}`).query({ associations: 'line_items' });
    expect(v3.body.associations['line items'].results.map((r: { id: string }) => r.id)).toContain(item.body.id);
  });

  it('When a typed association is PUT, then it is 201 with the labels and the reverse side sees it', async () => {
    const { app, account } = crmTestApp();
    const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
    const companyId = idByName(account, 'companies', 'ABC LLC');
    const put = await request(app)
      .put(`/crm/v4/objects/0-3/${dealId}/associations/companies/${companyId}`)
      .send([{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 5 }]);
    expect(put.status).toBe(201);
    expect(put.body).toEqual({ fromObjectTypeId: '0-3', fromObjectId: Number(dealId), toObjectTypeId: '0-2', toObjectId: Number(companyId), labels: ['Primary'] });
    const reverse = await request(app).get(`/crm/v4/objects/companies/${companyId}/associations/deals`);
    const entry = reverse.body.results.find((r: { toObjectId: number }) => r.toObjectId === Number(dealId));
    expect(entry.associationTypes).toEqual([{ category: 'HUBSPOT_DEFINED', typeId: 6, label: 'Primary' }]);
  });

  it('When a type id does not fit the pair, then it is a 400', async () => {
    const { app, account } = crmTestApp();
    const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
    const companyId = idByName(account, 'companies', 'ABC LLC');
    const res = await request(app).put(`/crm/v4/objects/deals/${dealId}/associations/companies/${companyId}`).send([{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 19 }]);
    expect(res.status).toBe(400);
  });

  it('When an association is deleted, then neither side lists it', async () => {
    const { app, account } = crmTestApp();
    const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
    const contactId = idByName(account, 'contacts', 'jane@abc.example');
    expect((await request(app).delete(`/crm/v4/objects/deals/${dealId}/associations/contacts/${contactId}`)).status).toBe(204);
    expect((await request(app).get(`/crm/v4/objects/deals/${dealId}/associations/contacts`)).body.results).toEqual([]);
    const fromContact = await request(app).get(`/crm/v4/objects/contacts/${contactId}/associations/deals`);
    expect(fromContact.body.results.map((r: { toObjectId: number }) => r.toObjectId)).not.toContain(Number(dealId));
  });

  it('When a note is created against a deal, then the deal lists it under notes', async () => {
    const { app, account } = crmTestApp();
    const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
    const note = await request(app).post('/crm/v3/objects/notes').send({
      properties: { hs_timestamp: '2026-11-20T10:00:00Z', hs_note_body: 'Invoice 1001 created in QuickBooks' },
      associations: [{ to: { id: dealId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 214 }] }],
    });
    expect(note.status).toBe(201);
    const res = await request(app).get(`/crm/v3/objects/deals/${dealId}`).query({ associations: 'notes' });
    expect(res.body.associations.notes.results).toEqual([{ id: note.body.id, type: 'deal_to_note' }]);
  });
});
