import request from 'supertest';
import { crmTestApp } from './crm/test-app';
import { ISO_WITH_MS, idByName } from './crm/test-helpers';

describe('HubSpot CRM simulator: objects', () => {
  describe('reading a deal', () => {
    it('When a deal is read with properties and associations, then it carries the chosen properties and the "line items" key', async () => {
      const { app, account } = crmTestApp();
      const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
      const res = await request(app)
        .get(`/crm/v3/objects/deals/${dealId}`)
        .query({ properties: 'dealname,amount,dealstage,nosuchprop', associations: 'line_items,companies,contacts' });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(dealId);
      expect(Object.keys(res.body.properties).sort()).toEqual(['amount', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id'].sort());
      expect(res.body.properties).toMatchObject({ dealname: 'ABC LLC - Schematic design', amount: '1651.5', dealstage: 'contractsent', hs_object_id: dealId });
      expect(res.body.createdAt).toMatch(ISO_WITH_MS);
      expect(res.body.archived).toBe(false);
      expect(Object.keys(res.body.associations).sort()).toEqual(['companies', 'contacts', 'line items']);
      expect(res.body.associations['line items'].results).toHaveLength(2);
      expect(res.body.associations['line items'].results[0]).toEqual({ id: expect.any(String), type: 'deal_to_line_item' });
      const companyId = idByName(account, 'companies', 'ABC LLC');
      expect(res.body.associations.companies.results).toEqual(
        expect.arrayContaining([{ id: companyId, type: 'deal_to_company' }, { id: companyId, type: 'deal_to_company_unlabeled' }]),
      );
    });

    it('When no properties are asked for, then the deal default set comes back, empty ones as null', async () => {
      const { app, account } = crmTestApp();
      const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
      const res = await request(app).get(`/crm/v3/objects/0-3/${dealId}`);
      expect(res.status).toBe(200);
      expect(res.body.properties).toEqual({
        amount: '2400', closedate: null, createdate: expect.stringMatching(ISO_WITH_MS), dealname: 'Northwind - Feasibility study',
        dealstage: 'qualifiedtobuy', hs_lastmodifieddate: expect.stringMatching(ISO_WITH_MS), hs_object_id: dealId, pipeline: 'default',
      });
      expect(res.body.associations).toBeUndefined();
    });

    it('When a contact is read by idProperty=email, then the contact with that email is returned', async () => {
      const { app, account } = crmTestApp();
      const res = await request(app).get('/crm/v3/objects/contacts/JANE@abc.example').query({ idProperty: 'email' });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(idByName(account, 'contacts', 'jane@abc.example'));
      expect(res.body.properties.lastmodifieddate).toMatch(ISO_WITH_MS);
    });

    it('When the deal does not exist, then the answer is a 404 in HubSpot error shape', async () => {
      const { app } = crmTestApp();
      const res = await request(app).get('/crm/v3/objects/deals/999');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 'error', message: expect.any(String), correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/), category: 'OBJECT_NOT_FOUND' });
      // As on the shell's errors (401, 429): the header repeats the body's correlationId.
      expect(res.headers['x-hubspot-correlation-id']).toBe(res.body.correlationId);
    });

    it('When the object type is unknown, then the answer is a 400', async () => {
      const { app } = crmTestApp();
      const res = await request(app).get('/crm/v3/objects/widgets/1');
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Unable to infer object type from: widgets');
    });
  });

  describe('listing', () => {
    it('When products are listed two at a time, then paging.next.after walks every product once', async () => {
      const { app, account } = crmTestApp();
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await request(app).get('/crm/v3/objects/products').query({ limit: 2, properties: 'name,hs_sku', ...(after ? { after } : {}) });
        expect(res.status).toBe(200);
        seen.push(...res.body.results.map((r: { id: string }) => r.id));
        after = res.body.paging?.next?.after;
        if (!after) break;
      }
      expect(seen).toEqual(account.list('products').map((p) => p.id));
      expect(seen).toHaveLength(4);
    });

    it('When the list limit is over 100, then the answer is a 400', async () => {
      const { app } = crmTestApp();
      expect((await request(app).get('/crm/v3/objects/deals').query({ limit: 101 })).status).toBe(400);
    });
  });

  describe('writing', () => {
    it('When a deal is created with associations, then it is 201 and readable with them', async () => {
      const { app, account } = crmTestApp();
      const companyId = idByName(account, 'companies', 'Northwind Traders');
      const created = await request(app).post('/crm/v3/objects/deals').send({
        properties: { dealname: 'New deal', amount: 1000.5, closedate: '1767225600000' },
        associations: [{ to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 341 }] }],
      });
      expect(created.status).toBe(201);
      expect(created.body.properties).toMatchObject({
        dealname: 'New deal', amount: '1000.5', closedate: '2026-01-01T00:00:00.000Z', pipeline: 'default', dealstage: 'appointmentscheduled',
      });
      const read = await request(app).get(`/crm/v3/objects/deals/${created.body.id}`).query({ associations: 'companies' });
      expect(read.body.associations.companies.results).toEqual([{ id: companyId, type: 'deal_to_company_unlabeled' }]);
    });

    it('When a deal is patched, then the answer and later reads show the new values and a later updatedAt', async () => {
      const { app, account, clock } = crmTestApp();
      const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
      const before = await request(app).get(`/crm/v3/objects/deals/${dealId}`);
      await clock.advance(60_000);
      const patched = await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { amount: '2500.00', dealstage: 'closedwon' } });
      expect(patched.status).toBe(200);
      expect(patched.body.properties).toMatchObject({ amount: '2500', dealstage: 'closedwon' });
      expect(Date.parse(patched.body.updatedAt) - Date.parse(before.body.updatedAt)).toBeGreaterThanOrEqual(60_000);
      const read = await request(app).get(`/crm/v3/objects/deals/${dealId}`).query({ properties: 'amount,dealstage' });
      expect(read.body.properties).toMatchObject({ amount: '2500', dealstage: 'closedwon' });
    });

    it('When a write names an unknown property, then it is a 400 VALIDATION_ERROR listing it in HubSpot words', async () => {
      const { app } = crmTestApp();
      const res = await request(app).post('/crm/v3/objects/deals').send({ properties: { dealname: 'x', favourite_colour: 'blue' } });
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('error');
      expect(res.body.category).toBe('VALIDATION_ERROR');
      expect(res.body.message).toMatch(/^Property values were not valid: \[/);
      const listed = JSON.parse(res.body.message.replace('Property values were not valid: ', ''));
      expect(listed).toEqual([expect.objectContaining({ isValid: false, error: 'PROPERTY_DOESNT_EXIST', name: 'favourite_colour' })]);
      expect(res.body.errors).toEqual([{ message: 'Property "favourite_colour" does not exist', code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['favourite_colour'] } }]);
    });

    it('When an enumeration gets an unknown option, then it is a 400 INVALID_OPTION', async () => {
      const { app } = crmTestApp();
      const res = await request(app).post('/crm/v3/objects/deals').send({ properties: { dealname: 'x', deal_currency_code: 'XYZ' } });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('INVALID_OPTION');
      expect(res.body.message).toContain('XYZ was not one of the allowed options');
    });

    it("When a deal's stage belongs to another pipeline, then it is a 400 and the deal is unchanged", async () => {
      const { app, account } = crmTestApp();
      const dealId = idByName(account, 'deals', 'ABC LLC - Annual support renewal');
      const res = await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealstage: 'closedwon' } });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('"name":"dealstage"');
      const unchanged = await request(app).get(`/crm/v3/objects/deals/${dealId}`).query({ properties: 'dealstage' });
      expect(unchanged.body.properties.dealstage).toBe('1029384751');
      const won = await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealstage: '1029384756' } });
      expect(won.status).toBe(200);
      expect(won.body.properties.pipeline).toBe('98765432');
    });

    it('When a number property gets text, then it is a 400', async () => {
      const { app } = crmTestApp();
      const res = await request(app).post('/crm/v3/objects/deals').send({ properties: { dealname: 'x', amount: 'lots' } });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('"name":"amount"');
    });

    it('When a contact is created with an email that exists, then it is a 409 CONFLICT naming the existing id', async () => {
      const { app, account } = crmTestApp();
      const res = await request(app).post('/crm/v3/objects/contacts').send({ properties: { email: 'Jane@ABC.example' } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: 'error', category: 'CONFLICT', message: `Contact already exists. Existing ID: ${idByName(account, 'contacts', 'jane@abc.example')}` });
    });

    it('When a task has no hs_timestamp, then it is a 400; with one and a bad status, a 400; valid, a 201', async () => {
      const { app, account } = crmTestApp();
      const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
      const assoc = [{ to: { id: dealId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 216 }] }];
      const missing = await request(app).post('/crm/v3/objects/tasks').send({ properties: { hs_task_subject: 'Call' }, associations: assoc });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('hs_timestamp');
      const badStatus = await request(app).post('/crm/v3/objects/tasks').send({ properties: { hs_timestamp: '2026-12-01T09:00:00Z', hs_task_status: 'DONE' }, associations: assoc });
      expect(badStatus.status).toBe(400);
      const ok = await request(app).post('/crm/v3/objects/tasks').send({
        properties: { hs_timestamp: '2026-12-01T09:00:00Z', hs_task_subject: 'Send invoice', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'TODO' },
        associations: assoc,
      });
      expect(ok.status).toBe(201);
      expect(ok.body.properties.hs_timestamp).toBe('2026-12-01T09:00:00.000Z');
      const tasks = await request(app).get(`/crm/v4/objects/deals/${dealId}/associations/tasks`);
      expect(tasks.body.results).toEqual([{ toObjectId: Number(ok.body.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 215, label: null }] }]);
    });

    it('When an association points at a missing object, then the create is a 400 and nothing is stored', async () => {
      const { app, account } = crmTestApp();
      const before = account.list('notes').length;
      const res = await request(app).post('/crm/v3/objects/notes').send({
        properties: { hs_timestamp: '2026-12-01T09:00:00Z', hs_note_body: 'hi' },
        associations: [{ to: { id: '1' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 214 }] }],
      });
      expect(res.status).toBe(400);
      expect(account.list('notes')).toHaveLength(before);
    });

    it('When the body is not JSON, then it is a 400 in HubSpot error shape', async () => {
      const { app } = crmTestApp();
      const res = await request(app).post('/crm/v3/objects/deals').set('content-type', 'application/json').send('{"properties": ');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    });

    it('When a deal is deleted, then it is 204 and reads answer 404', async () => {
      const { app, account } = crmTestApp();
      const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
      expect((await request(app).delete(`/crm/v3/objects/deals/${dealId}`)).status).toBe(204);
      expect((await request(app).get(`/crm/v3/objects/deals/${dealId}`)).status).toBe(404);
      const list = await request(app).get('/crm/v3/objects/deals').query({ archived: 'true' });
      expect(list.body.results.map((d: { id: string }) => d.id)).toEqual([dealId]);
      expect(list.body.results[0].archived).toBe(true);
    });
  });

  describe('accounts', () => {
    it('When portal A reads an object of portal B, then it is a 404', async () => {
      const { app, account, accounts } = crmTestApp();
      const other = accounts.create(undefined, { seed: 'empty' });
      const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
      expect((await request(app).get(`/crm/v3/objects/deals/${dealId}`)).status).toBe(200);
      const res = await request(app).get(`/crm/v3/objects/deals/${dealId}`).set('x-test-portal', String(other.portalId));
      expect(res.status).toBe(404);
      const list = await request(app).get('/crm/v3/objects/deals').set('x-test-portal', String(other.portalId));
      expect(list.body.results).toEqual([]);
    });

    it('When the portal is unknown, then the answer is a 401', async () => {
      const { app } = crmTestApp();
      const res = await request(app).get('/crm/v3/objects/deals').set('x-test-portal', '1');
      expect(res.status).toBe(401);
      expect(res.body.category).toBe('INVALID_AUTHENTICATION');
    });
  });
});
