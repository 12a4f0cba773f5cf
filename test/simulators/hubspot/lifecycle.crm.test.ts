import { Client } from '@hubspot/api-client';
import request from 'supertest';
import { listen, type RunningServer } from '../common/listen';
import type { HubSpotFidelityOptions } from './crm/lifecycle-fidelity';
import { crmTestApp } from './crm/test-app';
import { idByName } from './crm/test-helpers';

/**
 * Deletes, restores and merges of deals, companies and contacts, through the official client (as DealBooks calls
 * HubSpot) and the control API (as a user acts in HubSpot). The rules each test checks, and their sources, are in
 * crm/account.ts (archive, restore, merge) and crm/lifecycle-fidelity.ts (the switches).
 */
const APP_ID = 4242;

describe('HubSpot CRM simulator: deletes, restores and merges', () => {
  const running: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.close()));
  });

  /** The CRM behind a real port, written to with an app's token (res.locals.appId) as the shell would see it. */
  async function start(fidelity?: HubSpotFidelityOptions) {
    const sim = crmTestApp({ appId: APP_ID, ...(fidelity ? { fidelity } : {}) });
    const server = await listen(sim.app);
    running.push(server);
    const client = new Client({ accessToken: 'x', basePath: server.url });
    const control = (path: string, body: object = {}) => request(sim.app).post(`/_sim/hubspot/accounts/${sim.portalId}${path}`).send(body);
    /** Two deals made by a user: the primary has no description or close date, the other has both. */
    const twoDeals = async () => {
      const primary = await control('/objects/deals', { properties: { dealname: 'Primary', amount: '100' } });
      const other = await control('/objects/deals', { properties: { dealname: 'Other', amount: '200', description: 'from other', closedate: '2026-12-01T00:00:00.000Z' } });
      return { primaryId: primary.body.id as string, otherId: other.body.id as string };
    };
    return { ...sim, client, control, twoDeals };
  }

  describe("an app's own writes (https://developers.hubspot.com/docs/api/webhooks: changeSource and sourceId)", () => {
    it('When an app updates a deal with its token, then the change says INTEGRATION and names the app', async () => {
      const sim = await start();
      const dealId = idByName(sim.account, 'deals', 'Northwind - Feasibility study');
      await sim.client.crm.deals.basicApi.update(dealId, { properties: { dealstage: 'closedwon' } });
      expect(sim.changes[0]).toMatchObject({ propertyName: 'dealstage', changeSource: 'INTEGRATION', sourceId: String(APP_ID) });
      // HubSpot's calculated follow-ups are still its own.
      expect(sim.changes.slice(1).every((c) => c.changeSource === 'CALCULATED' && c.sourceId === undefined)).toBe(true);
    });

    it('When integrationSourceId has another format, then the sourceId follows it', async () => {
      const sim = await start({ integrationSourceId: 'app:{appId}' });
      const dealId = idByName(sim.account, 'deals', 'Northwind - Feasibility study');
      await sim.client.crm.deals.basicApi.update(dealId, { properties: { dealname: 'Renamed' } });
      expect(sim.changes).toEqual([expect.objectContaining({ changeSource: 'INTEGRATION', sourceId: 'app:4242' })]);
    });
  });

  describe('delete and restore (https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks)', () => {
    it('When an app archives a deal, then reads are 404 and one deletion from the app is reported', async () => {
      const sim = await start();
      const dealId = idByName(sim.account, 'deals', 'Northwind - Feasibility study');
      await sim.client.crm.deals.basicApi.archive(dealId);
      await expect(sim.client.crm.deals.basicApi.getById(dealId)).rejects.toMatchObject({ code: 404 });
      expect(sim.lifecycle).toEqual([
        { kind: 'deletion', portalId: sim.portalId, objectType: 'deal', objectTypeId: '0-3', objectId: Number(dealId), changeSource: 'INTEGRATION', sourceId: '4242', occurredAt: expect.any(Number) },
      ]);
      // Archiving what is already gone answers 204 and reports nothing more.
      await sim.client.crm.deals.basicApi.archive(dealId);
      expect(sim.lifecycle).toHaveLength(1);
    });

    it('When a batch archive names a company and an unknown id, then one deletion is reported', async () => {
      const sim = await start();
      const companyId = idByName(sim.account, 'companies', 'Northwind Traders');
      await sim.client.crm.companies.batchApi.archive({ inputs: [{ id: companyId }, { id: '1' }] });
      expect(sim.lifecycle.map((e) => [e.kind, e.objectType, e.objectId])).toEqual([['deletion', 'company', Number(companyId)]]);
    });

    it('When a user deletes a contact and restores it, then it reads again with its associations and both events say CRM_UI', async () => {
      const sim = await start();
      const contactId = idByName(sim.account, 'contacts', 'jane@abc.example');
      expect((await sim.control(`/objects/contacts/${contactId}/delete`)).status).toBe(204);
      await expect(sim.client.crm.contacts.basicApi.getById(contactId)).rejects.toMatchObject({ code: 404 });
      const restored = await sim.control(`/objects/contacts/${contactId}/restore`);
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ id: contactId, archived: false });
      expect(restored.body.archivedAt).toBeUndefined();
      const read = await sim.client.crm.contacts.basicApi.getById(contactId, ['email'], undefined, ['companies', 'deals']);
      expect(read.properties.email).toBe('jane@abc.example');
      expect(read.associations?.companies?.results.length).toBeGreaterThan(0);
      expect(sim.lifecycle.map((e) => [e.kind, e.objectType, e.objectId, e.changeSource, e.sourceId])).toEqual([
        ['deletion', 'contact', Number(contactId), 'CRM_UI', 'userId:9100001'],
        ['restore', 'contact', Number(contactId), 'CRM_UI', 'userId:9100001'],
      ]);
    });

    it('When a restore names a live record or an unknown one, then it is a 400 or a 404 and nothing is reported', async () => {
      const sim = await start();
      const dealId = idByName(sim.account, 'deals', 'Northwind - Feasibility study');
      expect((await sim.control(`/objects/deals/${dealId}/restore`)).status).toBe(400);
      expect((await sim.control('/objects/deals/1/restore')).status).toBe(404);
      expect(sim.lifecycle).toEqual([]);
    });
  });

  describe('merge (https://developers.hubspot.com/changelog/updated-merge-functionality-for-contacts-and-companies)', () => {
    it('When an app merges two deals, then a new record keeps the primary values, fills its blanks from the other and lists both old ids', async () => {
      const sim = await start();
      const { primaryId, otherId } = await sim.twoDeals();
      const merged = await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      expect([primaryId, otherId]).not.toContain(merged.id);
      expect(merged.properties).toMatchObject({
        dealname: 'Primary',
        amount: '100',
        description: 'from other',
        closedate: '2026-12-01T00:00:00.000Z',
        hs_object_id: merged.id,
        hs_merged_object_ids: `${primaryId};${otherId}`,
      });
      // Both old ids read as the merged record, under its new id.
      for (const oldId of [primaryId, otherId]) {
        const read = await sim.client.crm.deals.basicApi.getById(oldId, ['dealname', 'hs_merged_object_ids']);
        expect(read.id).toBe(merged.id);
        expect(read.properties.hs_merged_object_ids).toBe(`${primaryId};${otherId}`);
      }
      const list = await sim.client.crm.deals.basicApi.getPage(100);
      expect(list.results.map((d) => d.id)).toContain(merged.id);
      expect(list.results.map((d) => d.id)).not.toEqual(expect.arrayContaining([primaryId]));
    });

    it('When deals merge, then the merged record has a history for its values: each from the record it came from, the merge adding its own', async () => {
      const sim = await start();
      const { primaryId, otherId } = await sim.twoDeals();
      const merged = await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      const read = await sim.client.crm.deals.basicApi.getById(merged.id, ['dealname'], ['dealname', 'description', 'hs_merged_object_ids']);
      const history = read.propertiesWithHistory ?? {};
      // dealname from the primary, description moved from the other deal (both set by a user), merged ids by the app.
      expect(history.dealname?.map((h) => [h.value, h.sourceType])).toEqual([['Primary', 'CRM_UI']]);
      expect(history.description?.map((h) => [h.value, h.sourceType])).toEqual([['from other', 'CRM_UI']]);
      expect(history.hs_merged_object_ids?.map((h) => [h.value, h.sourceType, h.sourceId])).toEqual([[`${primaryId};${otherId}`, 'INTEGRATION', String(APP_ID)]]);
    });

    it('When deals merge, then one merge event and a deletion per record gone are reported, from the app', async () => {
      const sim = await start();
      const { primaryId, otherId } = await sim.twoDeals();
      const merged = await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      const occurredAt = sim.lifecycle[0]?.occurredAt;
      const from = { portalId: sim.portalId, objectType: 'deal', objectTypeId: '0-3', changeSource: 'INTEGRATION', sourceId: '4242', occurredAt };
      expect(sim.lifecycle).toEqual([
        { kind: 'merge', ...from, objectId: Number(primaryId), primaryObjectId: Number(primaryId), mergedObjectIds: [Number(otherId)], newObjectId: Number(merged.id), numberOfPropertiesMoved: 2 },
        { kind: 'deletion', ...from, objectId: Number(primaryId) },
        { kind: 'deletion', ...from, objectId: Number(otherId) },
      ]);
      // The merge moved values without reporting them as property changes.
      expect(sim.changes).toEqual([]);
    });

    it('When mergeSurvivor is primary, then the primary keeps its id and only the other record is gone', async () => {
      const sim = await start({ mergeSurvivor: 'primary' });
      const { primaryId, otherId } = await sim.twoDeals();
      const merged = await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      expect(merged.id).toBe(primaryId);
      expect(merged.properties).toMatchObject({ dealname: 'Primary', description: 'from other', hs_merged_object_ids: otherId });
      expect((await sim.client.crm.deals.basicApi.getById(otherId)).id).toBe(primaryId);
      expect(sim.lifecycle.map((e) => [e.kind, e.objectId])).toEqual([['merge', Number(primaryId)], ['deletion', Number(otherId)]]);
      expect(sim.lifecycle[0]).toMatchObject({ newObjectId: Number(primaryId), mergedObjectIds: [Number(otherId)] });
    });

    it('When mergedIdRead is not-found, then a merged-away id reads as 404', async () => {
      const sim = await start({ mergedIdRead: 'not-found' });
      const { primaryId, otherId } = await sim.twoDeals();
      const merged = await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      await expect(sim.client.crm.deals.basicApi.getById(otherId)).rejects.toMatchObject({ code: 404 });
      expect((await sim.client.crm.deals.basicApi.getById(merged.id)).id).toBe(merged.id);
    });

    it('When deletionOnMerge is off, then a merge reports only the merge', async () => {
      const sim = await start({ deletionOnMerge: false });
      const { primaryId, otherId } = await sim.twoDeals();
      await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      expect(sim.lifecycle.map((e) => e.kind)).toEqual(['merge']);
    });

    it("When deals merge, then the other deal's line items move to the merged deal and its Primary company becomes a plain association", async () => {
      const sim = await start();
      const primaryId = idByName(sim.account, 'deals', 'Northwind - Feasibility study');
      const otherId = idByName(sim.account, 'deals', 'ABC LLC - Schematic design');
      const itemsOf = async (id: string) => (await sim.client.crm.deals.basicApi.getById(id, undefined, undefined, ['line_items'])).associations?.['line items']?.results.map((r) => r.id) ?? [];
      const expected = [...(await itemsOf(primaryId)), ...(await itemsOf(otherId))].sort();
      const merged = await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      expect((await itemsOf(merged.id)).sort()).toEqual(expected);
      // The reverse direction follows: each line item now belongs to the merged deal.
      const item = await sim.client.crm.lineItems.basicApi.getById(expected[0]!, undefined, undefined, ['deals']);
      expect(item.associations?.deals?.results.map((r) => r.id)).toContain(merged.id);
      // "excess 'primary' associations from secondary records will be dropped": the primary deal's company stays Primary.
      const abc = idByName(sim.account, 'companies', 'ABC LLC');
      const northwind = idByName(sim.account, 'companies', 'Northwind Traders');
      const companies = (await sim.client.crm.deals.basicApi.getById(merged.id, undefined, undefined, ['companies'])).associations?.companies?.results.map((r) => `${r.id}:${r.type}`);
      expect(companies?.sort()).toEqual([`${northwind}:deal_to_company`, `${northwind}:deal_to_company_unlabeled`, `${abc}:deal_to_company_unlabeled`].sort());
    });

    it("When a user merges two contacts of different companies, then the merged contact is linked to both and the event names the user", async () => {
      const sim = await start();
      const jane = idByName(sim.account, 'contacts', 'jane@abc.example');
      const nancy = idByName(sim.account, 'contacts', 'nancy@northwind.example');
      const abc = idByName(sim.account, 'companies', 'ABC LLC');
      const northwind = idByName(sim.account, 'companies', 'Northwind Traders');
      const res = await sim.control('/objects/contacts/merge', { primaryObjectId: jane, objectIdToMerge: nancy });
      expect(res.status).toBe(200);
      expect(res.body.properties).toMatchObject({ email: 'jane@abc.example', hs_merged_object_ids: `${jane};${nancy}` });
      const read = await request(sim.app).get(`/_sim/hubspot/accounts/${sim.portalId}/objects/contacts/${res.body.id}`);
      const companies = (read.body.associations.companies.results as Array<{ id: string; type: string }>).map((r) => `${r.id}:${r.type}`).sort();
      expect(companies).toEqual([`${abc}:contact_to_company_unlabeled`, `${northwind}:contact_to_company_unlabeled`].sort());
      expect(sim.lifecycle[0]).toMatchObject({ kind: 'merge', objectType: 'contact', objectTypeId: '0-1', changeSource: 'CRM_UI', sourceId: 'userId:9100001' });
    });

    it('When an app merges two companies, then the client gets the merged company', async () => {
      const sim = await start();
      const abc = idByName(sim.account, 'companies', 'ABC LLC');
      const northwind = idByName(sim.account, 'companies', 'Northwind Traders');
      const merged = await sim.client.crm.companies.basicApi.merge({ primaryObjectId: abc, objectIdToMerge: northwind });
      expect(merged.properties).toMatchObject({ name: 'ABC LLC', domain: 'abc.example', hs_merged_object_ids: `${abc};${northwind}` });
      expect(sim.lifecycle[0]).toMatchObject({ kind: 'merge', objectType: 'company', objectTypeId: '0-2', primaryObjectId: Number(abc) });
    });

    it('When a merged record is merged again, then its merged ids carry over and the oldest id still reads', async () => {
      const sim = await start();
      const { primaryId, otherId } = await sim.twoDeals();
      const first = await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      const third = (await sim.control('/objects/deals', { properties: { dealname: 'Third' } })).body.id as string;
      const second = await sim.client.crm.deals.basicApi.merge({ primaryObjectId: third, objectIdToMerge: first.id });
      expect(second.properties.hs_merged_object_ids).toBe(`${primaryId};${otherId};${third};${first.id}`);
      expect((await sim.client.crm.deals.basicApi.getById(primaryId)).id).toBe(second.id);
    });

    it('When a merge names the same record twice, a type that cannot merge, an unknown id or no ids, then it fails and nothing changes', async () => {
      const sim = await start();
      const dealId = idByName(sim.account, 'deals', 'Northwind - Feasibility study');
      await expect(sim.client.crm.deals.basicApi.merge({ primaryObjectId: dealId, objectIdToMerge: dealId })).rejects.toMatchObject({ code: 400 });
      await expect(sim.client.crm.deals.basicApi.merge({ primaryObjectId: dealId, objectIdToMerge: '1' })).rejects.toMatchObject({ code: 404 });
      const items = sim.account.list('line_items').slice(0, 2).map((o) => o.id);
      expect((await request(sim.app).post('/crm/v3/objects/line_items/merge').send({ primaryObjectId: items[0], objectIdToMerge: items[1] })).status).toBe(400);
      expect((await request(sim.app).post('/crm/v3/objects/deals/merge').send({ primaryObjectId: dealId })).status).toBe(400);
      expect(sim.lifecycle).toEqual([]);
      expect((await sim.client.crm.deals.basicApi.getById(dealId)).id).toBe(dealId);
    });

    it('When a merged-away record is restored, then it is a 404: it lives on in the merged record', async () => {
      const sim = await start();
      const { primaryId, otherId } = await sim.twoDeals();
      await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId });
      expect((await sim.control(`/objects/deals/${otherId}/restore`)).status).toBe(404);
    });
  });

  describe('fidelity control route', () => {
    it('When the switches are changed over /_sim/hubspot/fidelity, then merges follow them; unknown or bad switches are refused', async () => {
      const sim = await start();
      expect((await request(sim.app).get('/_sim/hubspot/fidelity')).body).toEqual({ integrationSourceId: '{appId}', mergeSurvivor: 'new', mergedIdRead: 'survivor', deletionOnMerge: true });
      const changed = await request(sim.app).post('/_sim/hubspot/fidelity').send({ mergeSurvivor: 'primary' });
      expect(changed.body).toMatchObject({ mergeSurvivor: 'primary', deletionOnMerge: true });
      const { primaryId, otherId } = await sim.twoDeals();
      expect((await sim.client.crm.deals.basicApi.merge({ primaryObjectId: primaryId, objectIdToMerge: otherId })).id).toBe(primaryId);
      expect((await request(sim.app).post('/_sim/hubspot/fidelity').send({ mergeSurvivor: 'oldest' })).status).toBe(400);
      expect((await request(sim.app).post('/_sim/hubspot/fidelity').send({ nope: true })).status).toBe(400);
      sim.accounts.reset();
      expect(sim.accounts.fidelity.mergeSurvivor).toBe('new');
    });
  });
});
