import request from 'supertest';
import { crmTestApp } from './crm/test-app';
import { idByName } from './crm/test-helpers';

describe('HubSpot CRM simulator: property changes and the control API', () => {
  it('When a deal is patched over the API, then one PropertyChange per changed property is emitted with changeSource API', async () => {
    const { app, account, changes, clock } = crmTestApp();
    const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
    await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealstage: 'closedwon', amount: '2400', dealname: 'Feasibility' } });
    const change = (propertyName: string, propertyValue: string, changeSource: string) => ({
      portalId: account.portalId, objectType: 'deal', objectTypeId: '0-3', objectId: Number(dealId), propertyName, propertyValue, changeSource, occurredAt: expect.any(Number),
    });
    // amount is unchanged (2400), so it is not reported; the stage's calculated facts follow the stage.
    expect(changes).toEqual([
      change('dealname', 'Feasibility', 'API'),
      change('dealstage', 'closedwon', 'API'),
      change('hs_deal_stage_probability', '1', 'CALCULATED'),
      change('hs_is_closed', 'true', 'CALCULATED'),
      change('hs_is_closed_won', 'true', 'CALCULATED'),
    ]);
    expect(Math.abs((changes[0]?.occurredAt ?? 0) - clock.nowMs())).toBeLessThan(1000);
  });

  it('When a Renewals deal reaches its won stage, then hs_is_closed_won says so though the stage id is not closedwon', async () => {
    const { app, account } = crmTestApp();
    const dealId = idByName(account, 'deals', 'ABC LLC - Annual support renewal');
    const before = await request(app).get(`/crm/v3/objects/deals/${dealId}`).query({ properties: 'hs_is_closed_won,hs_deal_stage_probability' });
    expect(before.body.properties).toMatchObject({ hs_is_closed_won: 'false', hs_deal_stage_probability: '0.8' });
    await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealstage: '1029384756' } });
    const search = await request(app).post('/crm/v3/objects/deals/search').send({
      filterGroups: [{ filters: [{ propertyName: 'hs_is_closed_won', operator: 'EQ', value: 'true' }] }], properties: ['dealname'],
    });
    expect(search.body.results.map((r: { properties: { dealname: string } }) => r.properties.dealname).sort()).toEqual(['ABC LLC - Annual support renewal', 'Northwind - Construction documents']);
  });

  it('When a patch changes nothing, then no PropertyChange is emitted and updatedAt stays', async () => {
    const { app, account, changes, clock } = crmTestApp();
    const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
    const before = await request(app).get(`/crm/v3/objects/deals/${dealId}`);
    await clock.advance(5_000);
    const res = await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealstage: 'qualifiedtobuy', amount: '2400.00' } });
    expect(res.status).toBe(200);
    expect(changes).toEqual([]);
    expect(res.body.updatedAt).toBe(before.body.updatedAt);
  });

  it('When a line item quantity changes, then its amount change is reported as CALCULATED', async () => {
    const { app, account, changes } = crmTestApp();
    const item = account.list('line_items').find((o) => o.properties.name === 'Site Visit');
    await request(app).patch(`/crm/v3/objects/line_items/${item?.id}`).send({ properties: { quantity: '4' } });
    expect(changes.map((c) => [c.propertyName, c.propertyValue, c.changeSource])).toEqual([
      ['quantity', '4', 'API'], ['amount', '602', 'CALCULATED'], ['hs_pre_discount_amount', '602', 'CALCULATED'],
    ]);
  });

  it('When a user moves a deal to Closed Won through the control API, then a CRM_UI change with the user as source is emitted', async () => {
    const { app, account, changes } = crmTestApp();
    const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
    const res = await request(app).patch(`/_sim/hubspot/accounts/${account.portalId}/objects/deals/${dealId}`).send({ properties: { dealstage: 'closedwon' } });
    expect(res.status).toBe(200);
    expect(res.body.properties).toMatchObject({ dealstage: 'closedwon', hubspot_owner_id: '75000001', deal_currency_code: 'USD' });
    expect(changes[0]).toEqual(expect.objectContaining({ propertyName: 'dealstage', propertyValue: 'closedwon', changeSource: 'CRM_UI', sourceId: 'userId:9100001', objectTypeId: '0-3' }));
    // Calculated follow-ups carry no user: HubSpot computed them.
    expect(changes.slice(1).map((c) => [c.propertyName, c.changeSource, c.sourceId])).toEqual([
      ['hs_deal_stage_probability', 'CALCULATED', undefined], ['hs_is_closed', 'CALCULATED', undefined], ['hs_is_closed_won', 'CALCULATED', undefined],
    ]);
  });

  it('When creating through either API, then one ObjectCreation each and no PropertyChange is emitted', async () => {
    const { app, account, changes, creations } = crmTestApp();
    const a = await request(app).post('/crm/v3/objects/deals').send({ properties: { dealname: 'A' } });
    const b = await request(app).post(`/_sim/hubspot/accounts/${account.portalId}/objects/deals`).send({ properties: { dealname: 'B' } });
    expect(changes).toEqual([]);
    expect(creations).toEqual([
      { portalId: account.portalId, objectType: 'deal', objectTypeId: '0-3', objectId: Number(a.body.id), changeSource: 'API', occurredAt: Date.parse(a.body.createdAt) },
      { portalId: account.portalId, objectType: 'deal', objectTypeId: '0-3', objectId: Number(b.body.id), changeSource: 'CRM_UI', sourceId: 'userId:9100001', occurredAt: Date.parse(b.body.createdAt) },
    ]);
  });

  it('When a demo portal is created while listeners are attached, then its seed emits nothing', async () => {
    const { app, changes, creations } = crmTestApp();
    expect((await request(app).post('/_sim/hubspot/accounts').send({ seed: 'demo' })).status).toBe(201);
    expect(creations).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('When an unsubscribed listener is gone, then it hears nothing more', async () => {
    const { app, account, accounts } = crmTestApp();
    const heard: string[] = [];
    const stop = accounts.onPropertyChange((c) => heard.push(c.propertyName));
    const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
    await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealname: 'one' } });
    stop();
    await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealname: 'two' } });
    expect(heard).toEqual(['dealname']);
  });

  describe('control API', () => {
    it('When a portal is created empty, then it has the default pipeline and no objects; reset forgets it', async () => {
      const { app } = crmTestApp();
      const created = await request(app).post('/_sim/hubspot/accounts').send({ portalId: 99887766, seed: 'empty', name: 'Empty Co' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ portalId: 99887766 });
      expect((await request(app).post('/_sim/hubspot/accounts').send({ portalId: 99887766 })).status).toBe(409);
      const deals = await request(app).get('/_sim/hubspot/accounts/99887766/objects/deals');
      expect(deals.body.results).toEqual([]);
      const pipelines = await request(app).get('/crm/v3/pipelines/deals').set('x-test-portal', '99887766');
      expect(pipelines.body.results.map((p: { id: string }) => p.id)).toEqual(['default']);
      expect((await request(app).delete('/_sim/hubspot/accounts')).status).toBe(204);
      expect((await request(app).get('/_sim/hubspot/accounts')).body.results).toEqual([]);
      expect((await request(app).get('/_sim/hubspot/accounts/99887766/objects/deals')).status).toBe(404);
    });

    it('When a user creates a deal with associations, then the control read shows every property and association', async () => {
      const { app, account } = crmTestApp();
      const companyId = idByName(account, 'companies', 'ABC LLC');
      const created = await request(app).post(`/_sim/hubspot/accounts/${account.portalId}/objects/deals`).send({
        properties: { dealname: 'Walk-in', amount: '50' },
        associations: [{ to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 5 }] }],
      });
      expect(created.status).toBe(201);
      const read = await request(app).get(`/_sim/hubspot/accounts/${account.portalId}/objects/deals/${created.body.id}`);
      expect(read.body.properties).toMatchObject({ dealname: 'Walk-in', amount: '50', pipeline: 'default', dealstage: 'appointmentscheduled' });
      expect(read.body.associations).toEqual({ companies: { results: [{ id: companyId, type: 'deal_to_company' }] } });
    });

    it('When the control list is given property values, then only the records with exactly those values come back', async () => {
      const { app, account } = crmTestApp();
      const byName = await request(app).get(`/_sim/hubspot/accounts/${account.portalId}/objects/deals`).query({ dealname: 'ABC LLC - Schematic design' });
      expect(byName.body.results.map((d: { id: string }) => d.id)).toEqual([idByName(account, 'deals', 'ABC LLC - Schematic design')]);
      const none = await request(app).get(`/_sim/hubspot/accounts/${account.portalId}/objects/deals`).query({ dealname: 'ABC LLC - Schematic design', pipeline: 'nope' });
      expect(none.body.results).toEqual([]);
      const all = await request(app).get(`/_sim/hubspot/accounts/${account.portalId}/objects/deals`);
      expect(all.body.results.length).toBeGreaterThan(1);
    });

    it('When a user deletes a deal, then API reads are 404 but an archived read still finds it', async () => {
      const { app, account } = crmTestApp();
      const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
      expect((await request(app).delete(`/_sim/hubspot/accounts/${account.portalId}/objects/deals/${dealId}`)).status).toBe(204);
      expect((await request(app).get(`/crm/v3/objects/deals/${dealId}`)).status).toBe(404);
      const archived = await request(app).get(`/crm/v3/objects/deals/${dealId}`).query({ archived: 'true' });
      expect(archived.status).toBe(200);
      expect(archived.body).toMatchObject({ id: dealId, archived: true, archivedAt: expect.any(String) });
    });

    it('When a control edit is invalid, then it is a 400 in HubSpot error shape', async () => {
      const { app, account } = crmTestApp();
      const dealId = idByName(account, 'deals', 'ABC LLC - Schematic design');
      const res = await request(app).patch(`/_sim/hubspot/accounts/${account.portalId}/objects/deals/${dealId}`).send({ properties: { dealstage: 'nope' } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    });
  });
});
