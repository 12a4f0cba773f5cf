import request from 'supertest';
import { crmTestApp } from './crm/test-app';
import { ISO_WITH_MS, idByName } from './crm/test-helpers';

describe('HubSpot CRM simulator: properties, pipelines and owners', () => {
  describe('properties', () => {
    it('When deal properties are listed, then built-ins are there in HubSpot property shape', async () => {
      const { app } = crmTestApp();
      const res = await request(app).get('/crm/v3/properties/deals');
      expect(res.status).toBe(200);
      const dealstage = res.body.results.find((p: { name: string }) => p.name === 'dealstage');
      expect(dealstage).toMatchObject({ name: 'dealstage', type: 'enumeration', groupName: 'dealinformation', hubspotDefined: true, externalOptions: true });
      expect(dealstage.modificationMetadata).toEqual({ archivable: false, readOnlyDefinition: true, readOnlyValue: false });
      const one = await request(app).get('/crm/v3/properties/deals/amount');
      expect(one.body).toMatchObject({ name: 'amount', type: 'number', fieldType: 'number' });
      expect((await request(app).get('/crm/v3/properties/deals/nosuch')).status).toBe(404);
    });

    it('When the app creates a group and a property, then both are 201, the property is writable, stored and returned', async () => {
      const { app, account } = crmTestApp();
      const group = await request(app).post('/crm/v3/properties/deals/groups').send({ name: 'dealbooks', label: 'DealBooks', displayOrder: 5 });
      expect(group.status).toBe(201);
      expect(group.body).toEqual({ name: 'dealbooks', label: 'DealBooks', displayOrder: 5, archived: false });
      const created = await request(app).post('/crm/v3/properties/deals').send({
        name: 'dealbooks_status', label: 'Invoice status', type: 'enumeration', fieldType: 'select', groupName: 'dealbooks',
        description: 'Where the QuickBooks invoice stands', options: [{ label: 'Invoiced', value: 'invoiced' }, { label: 'Paid', value: 'paid' }],
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'dealbooks_status', hubspotDefined: false, createdAt: expect.stringMatching(ISO_WITH_MS) });
      expect(created.body.options).toEqual([
        { label: 'Invoiced', value: 'invoiced', displayOrder: 0, hidden: false },
        { label: 'Paid', value: 'paid', displayOrder: 1, hidden: false },
      ]);
      const balance = await request(app).post('/crm/v3/properties/deals').send({ name: 'dealbooks_balance', label: 'Balance', type: 'number', fieldType: 'number', groupName: 'dealbooks' });
      expect(balance.status).toBe(201);

      const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
      const patched = await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealbooks_status: 'invoiced', dealbooks_balance: 1651.5 } });
      expect(patched.status).toBe(200);
      const read = await request(app).get(`/crm/v3/objects/deals/${dealId}`).query({ properties: 'dealbooks_status,dealbooks_balance' });
      expect(read.body.properties).toMatchObject({ dealbooks_status: 'invoiced', dealbooks_balance: '1651.5' });
      const wrongOption = await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealbooks_status: 'lost' } });
      expect(wrongOption.status).toBe(400);
      expect(wrongOption.body.message).toContain('lost was not one of the allowed options: [invoiced, paid]');
    });

    it('When a property or group name exists, then it is a 409 OBJECT_ALREADY_EXISTS', async () => {
      const { app } = crmTestApp();
      const property = await request(app).post('/crm/v3/properties/deals').send({ name: 'dealname', label: 'x', type: 'string', fieldType: 'text', groupName: 'dealinformation' });
      expect(property.status).toBe(409);
      expect(property.body).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS' });
      const group = await request(app).post('/crm/v3/properties/deals/groups').send({ name: 'dealinformation', label: 'x' });
      expect(group.status).toBe(409);
    });

    it("When the app updates its property's options or archives a property, then reads and writes follow; HubSpot's own and unknown ones are refused", async () => {
      const { app, account } = crmTestApp();
      await request(app).post('/crm/v3/properties/deals/groups').send({ name: 'dealbooks', label: 'DealBooks' });
      await request(app).post('/crm/v3/properties/deals').send({ name: 'dealbooks_status', label: 'Status', type: 'enumeration', fieldType: 'select', groupName: 'dealbooks', options: [{ label: 'Paid', value: 'paid' }] });
      const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
      expect((await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealbooks_status: 'credited' } })).status).toBe(400);

      const updated = await request(app).patch('/crm/v3/properties/deals/dealbooks_status').send({ options: [{ label: 'Paid', value: 'paid' }, { label: 'Credited', value: 'credited' }] });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ name: 'dealbooks_status', label: 'Status', type: 'enumeration' });
      expect(updated.body.options.map((o: { value: string }) => o.value)).toEqual(['paid', 'credited']);
      expect((await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealbooks_status: 'credited' } })).status).toBe(200);

      expect((await request(app).delete('/crm/v3/properties/deals/dealbooks_status')).status).toBe(204);
      expect((await request(app).get('/crm/v3/properties/deals/dealbooks_status')).status).toBe(404);
      const write = await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealbooks_status: 'paid' } });
      expect(write.status).toBe(400);
      expect(write.body.message).toContain('PROPERTY_DOESNT_EXIST');

      expect((await request(app).patch('/crm/v3/properties/deals/dealname').send({ label: 'x' })).status).toBe(400);
      expect((await request(app).delete('/crm/v3/properties/deals/dealname')).status).toBe(400);
      expect((await request(app).patch('/crm/v3/properties/deals/nosuch').send({ label: 'x' })).status).toBe(404);
    });

    it('When type and fieldType do not fit, or the group is unknown, then it is a 400', async () => {
      const { app } = crmTestApp();
      const post = (body: object) => request(app).post('/crm/v3/properties/deals').send({ name: 'p1', label: 'P', groupName: 'dealinformation', ...body });
      expect((await post({ type: 'number', fieldType: 'text' })).status).toBe(400);
      expect((await post({ type: 'bool', fieldType: 'select' })).status).toBe(400);
      expect((await post({ type: 'string', fieldType: 'text', groupName: 'nosuchgroup' })).status).toBe(400);
      expect((await post({ type: 'enumeration', fieldType: 'select' })).status).toBe(400);
      expect((await post({ type: 'datetime', fieldType: 'date' })).status).toBe(201);
    });
  });

  describe('pipelines', () => {
    it('When deal pipelines are listed, then default and Renewals come with stage metadata as strings', async () => {
      const { app } = crmTestApp();
      const res = await request(app).get('/crm/v3/pipelines/deals');
      expect(res.status).toBe(200);
      const [sales, renewals] = res.body.results;
      expect(sales).toMatchObject({ id: 'default', archived: false, displayOrder: 0, createdAt: expect.stringMatching(ISO_WITH_MS) });
      expect(sales.stages.map((s: { id: string }) => s.id)).toEqual([
        'appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost',
      ]);
      expect(sales.stages[5]).toMatchObject({ id: 'closedwon', metadata: { isClosed: 'true', probability: '1.0' }, archived: false });
      expect(sales.stages[0].metadata).toEqual({ isClosed: 'false', probability: '0.2' });
      // Callers must find "won" by metadata: in Renewals it is neither called closedwon nor labelled Closed Won.
      const won = renewals.stages.filter((s: { metadata: { isClosed: string; probability: string } }) => s.metadata.isClosed === 'true' && s.metadata.probability === '1.0');
      expect(won).toEqual([expect.objectContaining({ id: '1029384756', label: 'Renewed' })]);
    });

    it('When one pipeline and its stages are read, then they match the list; an unknown id is a 404', async () => {
      const { app } = crmTestApp();
      const one = await request(app).get('/crm/v3/pipelines/deals/98765432');
      expect(one.body.label).toBe('Renewals');
      const stages = await request(app).get('/crm/v3/pipelines/0-3/98765432/stages');
      expect(stages.body.results).toEqual(one.body.stages);
      expect((await request(app).get('/crm/v3/pipelines/deals/nope')).status).toBe(404);
    });
  });

  describe('owners', () => {
    it('When owners are listed, then both come in HubSpot owner shape; email filters; limit pages', async () => {
      const { app } = crmTestApp();
      const all = await request(app).get('/crm/v3/owners');
      expect(all.body.results).toHaveLength(2);
      expect(all.body.results[0]).toEqual({
        id: '75000001', email: 'ada@dealbooks.example', firstName: 'Ada', lastName: 'Lovelace', userId: 9100001, type: 'PERSON',
        teams: [], archived: false, createdAt: expect.stringMatching(ISO_WITH_MS), updatedAt: expect.stringMatching(ISO_WITH_MS),
      });
      const byEmail = await request(app).get('/crm/v3/owners').query({ email: 'grace@dealbooks.example' });
      expect(byEmail.body.results.map((o: { id: string }) => o.id)).toEqual(['75000002']);
      const page = await request(app).get('/crm/v3/owners').query({ limit: 1 });
      expect(page.body.results).toHaveLength(1);
      const next = await request(app).get('/crm/v3/owners').query({ limit: 1, after: page.body.paging.next.after });
      expect(next.body.results[0].id).toBe('75000002');
      expect(next.body.paging).toBeUndefined();
    });

    it('When a deal is given an owner id that does not exist, then it is a 400', async () => {
      const { app, account } = crmTestApp();
      const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
      expect((await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { hubspot_owner_id: '1' } })).status).toBe(400);
      expect((await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { hubspot_owner_id: '75000002' } })).status).toBe(200);
    });
  });
});
