import { Client } from '@hubspot/api-client';
import request from 'supertest';
import { HISTORY_BATCH_MESSAGE } from './crm/history';
import { crmTestApp } from './crm/test-app';
import { idByName, useOfficialClient } from './crm/test-helpers';

/**
 * `propertiesWithHistory` on single and batch reads: entries `{value, timestamp, sourceType, sourceId,
 * updatedByUserId}` (sample in https://github.com/HubSpot/hubspot-api-nodejs/issues/154), and HubSpot's cap of 50
 * inputs on reads that ask for history, in its words (https://github.com/activepieces/activepieces/pull/9359).
 */
describe('HubSpot CRM simulator: property history', () => {
  const crm = useOfficialClient();

  it('When a deal stage is changed by an API write and then by a user, then a single read lists both with the first value, newest first', async () => {
    const dealId = idByName(crm.sim.account, 'deals', 'Northwind - Feasibility study');
    await crm.sim.clock.advance(60_000);
    await crm.client.crm.deals.basicApi.update(dealId, { properties: { dealstage: 'presentationscheduled' } });
    await crm.sim.clock.advance(60_000);
    crm.sim.account.setProperties('deals', dealId, { dealstage: 'contractsent' });
    const deal = await crm.client.crm.deals.basicApi.getById(dealId, ['dealstage'], ['dealstage', 'dealname']);
    const stages = deal.propertiesWithHistory?.dealstage ?? [];
    expect(stages.map((h) => h.value)).toEqual(['contractsent', 'presentationscheduled', 'qualifiedtobuy']);
    expect(stages[0]).toMatchObject({ sourceType: 'CRM_UI', sourceId: 'userId:9100001', updatedByUserId: 9100001 });
    expect(stages[1]?.sourceType).toBe('API');
    expect(stages[0]?.timestamp).toBeInstanceOf(Date);
    // The test clock moves with real time as well, so the minute between the two writes is a lower bound.
    expect(stages[0]!.timestamp.getTime() - stages[1]!.timestamp.getTime()).toBeGreaterThanOrEqual(60_000);
    expect(deal.propertiesWithHistory?.dealname?.map((h) => h.value)).toEqual(['Northwind - Feasibility study']);
  });

  it('When line items are batch-read with history, then each result carries its history and calculated values are CALCULATED', async () => {
    const ids = crm.sim.account.list('line_items').slice(0, 2).map((o) => o.id);
    const batch = await crm.client.crm.lineItems.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['amount'], propertiesWithHistory: ['amount', 'not_a_property'] });
    expect(batch.results).toHaveLength(2);
    for (const result of batch.results) {
      expect(Object.keys(result.propertiesWithHistory ?? {})).toEqual(['amount']);
      expect(result.propertiesWithHistory?.amount?.[0]).toMatchObject({ value: result.properties.amount, sourceType: 'CALCULATED' });
    }
  });

  it('When a history read asks for 51 objects, then it is a 400 in HubSpot\'s words; 50 pass and 51 without history pass', async () => {
    const { app, account } = crmTestApp();
    const created = await request(app).post('/crm/v3/objects/products/batch/create').send({ inputs: Array.from({ length: 51 }, (_, i) => ({ properties: { name: `P${i}` } })) });
    expect(created.status).toBe(201);
    const ids = account.list('products').map((p) => p.id).slice(0, 51);
    expect(ids).toHaveLength(51);
    const refused = await request(app).post('/crm/v3/objects/products/batch/read').send({ inputs: ids.map((id) => ({ id })), propertiesWithHistory: ['name'] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: HISTORY_BATCH_MESSAGE });
    expect(HISTORY_BATCH_MESSAGE).toBe('The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again');
    const fifty = await request(app).post('/crm/v3/objects/products/batch/read').send({ inputs: ids.slice(0, 50).map((id) => ({ id })), propertiesWithHistory: ['name'] });
    expect(fifty.status).toBe(200);
    const noHistory = await request(app).post('/crm/v3/objects/products/batch/read').send({ inputs: ids.map((id) => ({ id })), propertiesWithHistory: [] });
    expect(noHistory.status).toBe(200);
  });

  it('When a list page with history asks for more than 50, then it is refused (hubspot-api-python#143)', async () => {
    const { app } = crmTestApp();
    const res = await request(app).get('/crm/v3/objects/deals').query({ limit: 51, propertiesWithHistory: 'dealstage' });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(HISTORY_BATCH_MESSAGE);
    expect((await request(app).get('/crm/v3/objects/deals').query({ limit: 50, propertiesWithHistory: 'dealstage' })).status).toBe(200);
  });

  it('When the simulator is set to oldest first, then history comes in that order', async () => {
    const { app, account } = crmTestApp({ crmFidelity: { historyOrder: 'oldestFirst' } });
    const dealId = idByName(account, 'deals', 'Northwind - Feasibility study');
    await request(app).patch(`/crm/v3/objects/deals/${dealId}`).send({ properties: { dealstage: 'closedwon' } });
    const res = await request(app).get(`/crm/v3/objects/deals/${dealId}`).query({ propertiesWithHistory: 'dealstage' });
    expect(res.body.propertiesWithHistory.dealstage.map((h: { value: string }) => h.value)).toEqual(['qualifiedtobuy', 'closedwon']);
  });
});
