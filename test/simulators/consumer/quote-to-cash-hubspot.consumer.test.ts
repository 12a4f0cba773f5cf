import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/notes';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/deals';
import { SimClock } from '../common/clock';
import * as Hs from '../hubspot';
import { ensureDealBooksProperties } from './deal-properties';

/**
 * The HubSpot half of quote to cash through @hubspot/api-client 14 (basePath = the simulator): read the won deal
 * with its line items, company and contact, decide "won" from pipeline metadata, then write DealBooks' results
 * back (deal properties, a note and a task for the deal owner).
 */
let clock: SimClock;
let sim: Hs.HubSpotSimulator;
let client: Client;

beforeEach(async () => {
  clock = new SimClock({ freeze: true, start: Date.parse('2026-11-20T18:00:00Z') });
  sim = await Hs.startHubSpotSimulator({ clock });
  client = new Client({ accessToken: sim.seeded[0]?.accessToken ?? '', basePath: sim.url });
});
afterEach(async () => sim.close());

async function dealIdByName(name: string): Promise<string> {
  const page = await client.crm.deals.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'dealname', operator: FilterOperatorEnum.Eq, value: name }] }],
    properties: ['dealname'],
    limit: 1,
  });
  const id = page.results[0]?.id;
  if (!id) throw new Error(`no deal ${name}`);
  return id;
}

/** Association ids under either spelling HubSpot is reported to use for line items. */
function associatedIds(associations: Record<string, { results: Array<{ id: string }> }> | undefined, ...keys: string[]): string[] {
  for (const key of keys) {
    const found = associations?.[key]?.results;
    if (found) return [...new Set(found.map((a) => a.id))];
  }
  return [];
}

/** DealBooks' rule: a stage is won when its metadata says closed with probability 1.0, whatever its id. */
async function wonStageIds(pipelineId: string): Promise<string[]> {
  const pipeline = await client.crm.pipelines.pipelinesApi.getById('deals', pipelineId);
  return pipeline.stages.filter((s) => s.metadata?.isClosed === 'true' && Number(s.metadata?.probability) === 1).map((s) => s.id);
}

describe('Quote to cash in HubSpot', () => {
  it('When DealBooks reads a deal with its associations, then it gets the line items, the primary company and the contact it invoices', async () => {
    const dealId = await dealIdByName('ABC LLC - Schematic design');
    const deal = await client.crm.deals.basicApi.getById(dealId, ['dealname', 'amount', 'dealstage', 'pipeline', 'hubspot_owner_id', 'deal_currency_code', 'closedate'], undefined, ['line_items', 'companies', 'contacts']);
    expect(deal.properties).toMatchObject({ amount: '1651.5', dealstage: 'contractsent', pipeline: 'default', deal_currency_code: 'USD', hubspot_owner_id: '75000001' });

    const lineItemIds = associatedIds(deal.associations, 'line items', 'line_items');
    expect(lineItemIds).toHaveLength(2);
    const lines = await client.crm.lineItems.batchApi.read({
      inputs: lineItemIds.map((id) => ({ id })),
      properties: ['name', 'quantity', 'price', 'amount', 'hs_sku', 'hs_product_id', 'discount', 'hs_discount_percentage'],
      propertiesWithHistory: [],
    });
    expect(lines.status).toBe('COMPLETE');
    const byName = Object.fromEntries(lines.results.map((l) => [l.properties.name, l.properties]));
    expect(byName['Schematic Design Fee']).toMatchObject({ quantity: '1', price: '1200', amount: '1200', hs_product_id: expect.any(String) });
    expect(byName['Site Visit']).toMatchObject({ quantity: '3', price: '150.5', amount: '451.5' });
    const totalCents = lines.results.reduce((sum, l) => sum + Math.round(Number(l.properties.amount) * 100), 0);
    expect(totalCents).toBe(165150);

    // The v4 read tells the primary company apart (type 5, "Primary").
    const companies = await client.crm.associations.v4.basicApi.getPage('deals', dealId, 'companies');
    const primary = companies.results.find((r) => r.associationTypes.some((t) => t.typeId === 5));
    expect(primary).toBeDefined();
    const company = await client.crm.companies.basicApi.getById(String(primary?.toObjectId), ['name', 'domain', 'address', 'city']);
    expect(company.properties).toMatchObject({ name: 'ABC LLC', domain: 'abc.example' });

    const [contactId] = associatedIds(deal.associations, 'contacts');
    const contact = await client.crm.contacts.basicApi.getById(contactId ?? '', ['email', 'firstname', 'lastname']);
    expect(contact.properties).toMatchObject({ email: 'jane@abc.example', firstname: 'Jane', lastname: 'Doe' });
  });

  it('When DealBooks decides "won" from pipeline metadata, then it finds closedwon and the opaque Renewals stage', async () => {
    expect(await wonStageIds('default')).toEqual(['closedwon']);
    const renewal = await client.crm.deals.basicApi.getById(await dealIdByName('ABC LLC - Annual support renewal'), ['pipeline', 'dealstage']);
    expect(await wonStageIds(renewal.properties.pipeline ?? '')).toEqual(['1029384756']);
  });

  it('When DealBooks writes its results back, then the deal carries them and a note and an owner task are associated with it', async () => {
    await ensureDealBooksProperties(client);
    const dealId = await dealIdByName('ABC LLC - Schematic design');
    const updated = await client.crm.deals.basicApi.update(dealId, {
      properties: { dealbooks_invoice_number: '1001', dealbooks_invoice_status: 'sent', dealbooks_balance: '1522.1', dealbooks_invoice_url: 'https://app.qbo.intuit.com/app/invoice?txnId=1' },
    });
    expect(updated.properties).toMatchObject({ dealbooks_invoice_number: '1001', dealbooks_invoice_status: 'sent', dealbooks_balance: '1522.1' });

    const owner = (await client.crm.deals.basicApi.getById(dealId, ['hubspot_owner_id'])).properties.hubspot_owner_id ?? '';
    const now = new Date(clock.nowMs()).toISOString();
    const toDeal = (typeId: number) => [{ to: { id: dealId }, types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: typeId }] }];

    const note = await client.crm.objects.notes.basicApi.create({ properties: { hs_timestamp: now, hs_note_body: 'QuickBooks invoice 1001 created and sent.' }, associations: toDeal(214) });
    const task = await client.crm.objects.tasks.basicApi.create({
      properties: { hs_timestamp: now, hs_task_subject: 'Customer name clash in QuickBooks', hs_task_body: 'Check the customer match.', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'TODO', hubspot_owner_id: owner },
      associations: toDeal(216),
    });
    expect(task.properties).toMatchObject({ hubspot_owner_id: '75000001', hs_task_status: 'NOT_STARTED' });
    expect(Date.parse(note.properties.hs_timestamp ?? '')).toBe(clock.nowMs());

    const notes = await client.crm.associations.v4.basicApi.getPage('deals', dealId, 'notes');
    expect(notes.results.map((r) => String(r.toObjectId))).toContain(note.id);
    const tasks = await client.crm.associations.v4.basicApi.getPage('deals', dealId, 'tasks');
    expect(tasks.results.map((r) => String(r.toObjectId))).toEqual([task.id]);
  });

  it('When the task owner no longer exists, then HubSpot refuses the task and DealBooks can fall back to no owner', async () => {
    const dealId = await dealIdByName('ABC LLC - Schematic design');
    const properties = { hs_timestamp: new Date(clock.nowMs()).toISOString(), hs_task_subject: 'Check the invoice' };
    const associations = [{ to: { id: dealId }, types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 216 }] }];
    await expect(client.crm.objects.tasks.basicApi.create({ properties: { ...properties, hubspot_owner_id: '999' }, associations })).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
    const task = await client.crm.objects.tasks.basicApi.create({ properties, associations });
    expect(task.id).toEqual(expect.any(String));
  });

  it('When a DealBooks property gets a value outside its options, then HubSpot refuses the PATCH with a validation error', async () => {
    await ensureDealBooksProperties(client);
    const dealId = await dealIdByName('ABC LLC - Schematic design');
    await expect(client.crm.deals.basicApi.update(dealId, { properties: { dealbooks_invoice_status: 'bogus' } })).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
  });
});
