import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/deals';
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties';
import { idByName, useOfficialClient } from './crm/test-helpers';

/** The official client, unmodified, against the CRM router on a real port: proves it parses our answers. */
describe('HubSpot CRM simulator: @hubspot/api-client', () => {
  const crm = useOfficialClient();

  it('When a deal is read with line items, then the client returns the deal and its "line items" associations', async () => {
    const dealId = idByName(crm.sim.account, 'deals', 'ABC LLC - Schematic design');
    const deal = await crm.client.crm.deals.basicApi.getById(dealId, ['dealname', 'amount'], undefined, ['line_items']);
    expect(deal.id).toBe(dealId);
    expect(deal.properties.amount).toBe('1651.5');
    expect(deal.createdAt).toBeInstanceOf(Date);
    expect(Number.isNaN(deal.createdAt.getTime())).toBe(false);
    expect(deal.associations?.['line items']?.results).toHaveLength(2);
  });

  it('When a missing deal is read, then the client throws with status 404 and the HubSpot category', async () => {
    await expect(crm.client.crm.deals.basicApi.getById('1')).rejects.toMatchObject({ code: 404, body: { category: 'OBJECT_NOT_FOUND' } });
  });

  it('When deals are searched, then the client returns total and results', async () => {
    const page = await crm.client.crm.deals.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'dealstage', operator: FilterOperatorEnum.Eq, value: 'closedwon' }] }],
      sorts: ['-createdate'],
      properties: ['dealname'],
      limit: 10,
      after: '0',
    });
    expect(page.total).toBe(1);
    expect(page.results[0]?.properties.dealname).toBe('Northwind - Construction documents');
  });

  it('When line items are batch-read, then the client returns them', async () => {
    const ids = crm.sim.account.list('line_items').slice(0, 2).map((o) => o.id);
    const batch = await crm.client.crm.lineItems.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['amount', 'price'], propertiesWithHistory: [] });
    expect(batch.status).toBe('COMPLETE');
    expect(batch.results.map((r) => r.id)).toEqual(ids);
    expect(batch.completedAt).toBeInstanceOf(Date);
  });

  it('When a deal property is created, then the client returns it', async () => {
    const property = await crm.client.crm.properties.coreApi.create('deals', {
      name: 'dealbooks_invoice_number',
      label: 'QuickBooks invoice',
      type: PropertyCreateTypeEnum.String,
      fieldType: PropertyCreateFieldTypeEnum.Text,
      groupName: 'dealinformation',
    });
    expect(property.name).toBe('dealbooks_invoice_number');
    expect(property.hubspotDefined).toBe(false);
  });

  it('When deal pipelines are read, then the client returns both with stage metadata', async () => {
    const pipelines = await crm.client.crm.pipelines.pipelinesApi.getAll('deals');
    expect(pipelines.results.map((p) => p.id)).toEqual(['default', '98765432']);
    expect(pipelines.results[0]?.stages.find((s) => s.id === 'closedwon')?.metadata).toEqual({ isClosed: 'true', probability: '1.0' });
  });

  it('When v4 associations are created and read, then the client returns them', async () => {
    const dealId = idByName(crm.sim.account, 'deals', 'Northwind - Feasibility study');
    const contactId = idByName(crm.sim.account, 'contacts', 'jane@abc.example');
    const created = await crm.client.crm.associations.v4.basicApi.createDefault('deals', dealId, 'contacts', contactId);
    expect(created.results).toHaveLength(2);
    const page = await crm.client.crm.associations.v4.basicApi.getPage('deals', dealId, 'contacts');
    expect(page.results.map((r) => String(r.toObjectId))).toContain(contactId);
  });

  it('When owners are listed, then the client returns them', async () => {
    const owners = await crm.client.crm.owners.ownersApi.getPage(undefined, undefined, 100);
    expect(owners.results.map((o) => o.email)).toEqual(['ada@dealbooks.example', 'grace@dealbooks.example']);
  });
});
