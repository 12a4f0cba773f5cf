import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { ConnectionBlockedError } from '../../server/src/errors';
import { DEAL_PROPERTY, ensureDealBooksProperties } from '../../server/src/hubspot/deal-properties';
import {
  associationsOf,
  decimal,
  orderLineItems,
  primaryCompanyFromV3,
  toPipeline,
  utcDateOf,
} from '../../server/src/hubspot/deal-snapshot';
import { HubSpotDeals } from '../../server/src/hubspot/deals';
import { wonStageIds } from '../../server/src/sync/settings';
import { HubSpotApiError } from '../../server/src/hubspot/request';
import type { DealSnapshot } from '../../server/src/sync/model';
import { DEALBOOKS_SCOPES, demoApp, startHubSpotSimulator } from '../simulators/hubspot';
import { installDirect } from '../support/direct';
import { startWorld, type World } from '../support/world';
import { DATABASE_KIND, silentLogger } from '../support/harness';
import { associateTo, hubspotSim, TYPE, type SimRecord } from './support';
import payloads from '../fixtures/hubspot/payloads.json';

/**
 * The HubSpot deal adapter over real HTTP against the HubSpot simulator, with DealBooks installed through its own
 * OAuth code: what a deal read returns is compared with what HubSpot holds, and what DealBooks writes is read back
 * from HubSpot's side. The pure mapping rules the simulator cannot show (epoch close dates, quote positions, other
 * association spellings) are unit-tested at the end.
 */

const nullable = (value: string | null | undefined) => (value === undefined || value === '' ? null : value);

/** The snapshot of a deal with one company and one contact, built from the simulator's own records. */
async function heldSnapshot(sim: ReturnType<typeof hubspotSim>, dealId: string): Promise<Omit<DealSnapshot, 'properties'>> {
  const deal = await sim.get('deals', dealId);
  const ids = (key: string) => [...new Set((deal.associations?.[key]?.results ?? []).map((r) => r.id))];
  const lines = await Promise.all(ids('line items').map((id) => sim.get('line_items', id)));
  const [companyId] = ids('companies');
  const [contactId] = ids('contacts');
  const company = companyId ? await sim.get('companies', companyId) : undefined;
  const contact = contactId ? await sim.get('contacts', contactId) : undefined;
  const product = async (line: SimRecord) => {
    const id = nullable(line.properties.hs_product_id);
    if (!id) return null;
    const held = await sim.get('products', id);
    return { id, name: nullable(held.properties.name), sku: nullable(held.properties.hs_sku) };
  };
  const p = deal.properties;
  return {
    id: deal.id,
    name: p.dealname ?? '',
    stage: nullable(p.dealstage),
    pipeline: nullable(p.pipeline),
    amount: nullable(p.amount),
    closeDate: p.closedate ? p.closedate.slice(0, 10) : null,
    currency: nullable(p.deal_currency_code),
    ownerId: nullable(p.hubspot_owner_id),
    lineItems: await Promise.all(
      lines.map(async (line) => ({
        id: line.id,
        name: line.properties.name ?? '',
        description: nullable(line.properties.description),
        productId: nullable(line.properties.hs_product_id),
        sku: nullable(line.properties.hs_sku),
        quantity: nullable(line.properties.quantity) ?? '1',
        price: nullable(line.properties.price),
        discount: nullable(line.properties.discount),
        discountPercentage: nullable(line.properties.hs_discount_percentage),
        amount: nullable(line.properties.amount),
        currency: nullable(line.properties.hs_line_item_currency_code),
        product: await product(line),
      })),
    ),
    company: company
      ? {
          id: company.id,
          ...Object.fromEntries(['name', 'domain', 'phone', 'address', 'city', 'state', 'zip', 'country'].map((n) => [n, nullable(company.properties[n])])),
        } as DealSnapshot['company']
      : null,
    contact: contact
      ? {
          id: contact.id,
          email: nullable(contact.properties.email),
          firstName: nullable(contact.properties.firstname),
          lastName: nullable(contact.properties.lastname),
          phone: nullable(contact.properties.phone),
        }
      : null,
  };
}

describe(`HubSpot deals adapter (${DATABASE_KIND})`, () => {
  let world: World;
  let portalId: number;
  let deals: HubSpotDeals;
  let sim: ReturnType<typeof hubspotSim>;

  beforeAll(async () => {
    world = await startWorld();
    portalId = await installDirect(world);
    deals = new HubSpotDeals({ installs: world.ctx.hubspot.installs, logger: silentLogger });
    sim = hubspotSim(world, portalId);
    // What the install flow does: DealBooks' own deal properties exist, so they can be read and written.
    await world.ctx.hubspot.installs.call(portalId, (client) => ensureDealBooksProperties(client));
  });
  afterEach(() => sim?.clearFaults());
  afterAll(() => world?.close());

  describe('reading a deal', () => {
    it('When a deal has line items with products, a primary company and a contact, then the snapshot is what HubSpot holds, read in five calls', async () => {
      const { id } = await sim.deal('ABC LLC - Schematic design');
      const since = await sim.lastSeq();

      const snapshot = await deals.readDeal(portalId, id);

      expect(snapshot).toMatchObject(await heldSnapshot(sim, id));
      expect(snapshot).toMatchObject({
        name: 'ABC LLC - Schematic design',
        stage: 'contractsent',
        pipeline: 'default',
        amount: '1651.5',
        closeDate: '2026-12-15',
        currency: 'USD',
        company: { name: 'ABC LLC', domain: 'abc.example' },
        contact: { email: 'jane@abc.example', firstName: 'Jane', lastName: 'Doe' },
      });
      expect(snapshot!.lineItems.map((l) => [l.name, l.quantity, l.price, l.amount, l.product?.name, l.product?.sku])).toEqual([
        ['Schematic Design Fee', '1', '1200', '1200', 'Schematic Design Fee', 'SDF-1'],
        ['Site Visit', '3', '150.5', '451.5', 'Site Visit', 'SV-1'],
      ]);
      // Every property read is kept raw, DealBooks' own (still empty) ones included.
      expect(snapshot!.properties).toMatchObject({ dealname: 'ABC LLC - Schematic design', hubspot_owner_id: '75000001', [DEAL_PROPERTY.invoiceNumber]: null });

      const calls = await sim.callsSince(since);
      expect(calls.map((c) => `${c.method} ${c.path.replace(/\d{6,}/g, ':id')}`).sort()).toEqual(
        [
          'GET /crm/v3/objects/deals/:id',
          'POST /crm/v3/objects/line_items/batch/read',
          'POST /crm/v3/objects/products/batch/read',
          'GET /crm/v3/objects/companies/:id',
          'GET /crm/v3/objects/contacts/:id',
        ].sort(),
      );
    });

    it('When HubSpot lists the line items under "line items" (with a space), then the deal still has them', async () => {
      const { id } = await sim.deal('Northwind - Feasibility study');
      const raw = await world.ctx.hubspot.installs.call(portalId, async (client) =>
        z.object({ associations: z.record(z.string(), z.unknown()) }).parse(await (await client.apiRequest({ path: `/crm/v3/objects/deals/${id}`, qs: { associations: 'line_items' } })).json()),
      );
      expect(Object.keys(raw.associations)).toEqual(['line items']);

      const snapshot = await deals.readDeal(portalId, id);

      expect(snapshot!.lineItems.map((l) => [l.name, l.quantity, l.price])).toEqual([['SD Fee', '1', '2400']]);
    });

    it('When line items carry a per-unit and a percentage discount and name no product, then both discounts come as HubSpot holds them and no product is read', async () => {
      const { id } = await sim.deal('Northwind - Construction documents');
      const since = await sim.lastSeq();

      const snapshot = await deals.readDeal(portalId, id);

      expect(snapshot).toMatchObject(await heldSnapshot(sim, id));
      expect(snapshot!.lineItems.map((l) => [l.name, l.quantity, l.price, l.discount, l.discountPercentage, l.amount, l.product])).toEqual([
        ['Drafting hours', '4', '99.99', '10', null, '359.96', null],
        ['Permit set', '2', '500', null, '15', '850', null],
      ]);
      expect(snapshot!.closeDate).toBe('2026-11-10');
      expect((await sim.callsSince(since)).some((c) => c.path.includes('/products/'))).toBe(false);
    });

    it('When a deal has no line items, no company and no contact, then the snapshot says so after a single call', async () => {
      const created = await sim.create('deals', { dealname: 'Bare deal', dealstage: 'appointmentscheduled' });
      const since = await sim.lastSeq();

      const snapshot = await deals.readDeal(portalId, created.id);

      expect(snapshot).toMatchObject({ id: created.id, name: 'Bare deal', lineItems: [], company: null, contact: null, amount: null, closeDate: null, currency: null, ownerId: null });
      expect(await sim.callsSince(since)).toHaveLength(1);
    });

    it('When the deal does not exist or was deleted, then the answer is null', async () => {
      const created = await sim.create('deals', { dealname: 'Deleted deal' });
      await sim.remove('deals', created.id);

      expect(await deals.readDeal(portalId, created.id)).toBeNull();
      expect(await deals.readDeal(portalId, '99999999999')).toBeNull();
    });

    it('When a deal has two companies and two contacts, then the primary company and the contact who belongs to it are read', async () => {
      const abc = await sim.find('companies', { name: 'ABC LLC' });
      const northwind = await sim.find('companies', { name: 'Northwind Traders' });
      const jane = await sim.find('contacts', { email: 'jane@abc.example' });
      const nancy = await sim.find('contacts', { email: 'nancy@northwind.example' });
      // HubSpot lists ABC and Jane first: the primary company and its contact come second.
      const deal = await sim.create('deals', { dealname: 'Two companies' }, [
        associateTo(abc.id, TYPE.dealToCompany),
        associateTo(northwind.id, TYPE.primaryDealToCompany, TYPE.dealToCompany),
        associateTo(jane.id, TYPE.dealToContact),
        associateTo(nancy.id, TYPE.dealToContact),
      ]);
      const since = await sim.lastSeq();

      const snapshot = await deals.readDeal(portalId, deal.id);

      expect(snapshot!.company).toMatchObject({ id: northwind.id, name: 'Northwind Traders' });
      expect(snapshot!.contact).toMatchObject({ id: nancy.id, email: 'nancy@northwind.example' });
      // The v3 answer named the primary company: no v4 call was needed.
      expect((await sim.callsSince(since)).some((c) => c.path.startsWith('/crm/v4/'))).toBe(false);
    });

    it('When a deal has two companies and neither is primary, then HubSpot is asked through the v4 associations and the first company is used', async () => {
      const abc = await sim.find('companies', { name: 'ABC LLC' });
      const northwind = await sim.find('companies', { name: 'Northwind Traders' });
      const deal = await sim.create('deals', { dealname: 'No primary' }, [associateTo(abc.id, TYPE.dealToCompany), associateTo(northwind.id, TYPE.dealToCompany)]);
      const since = await sim.lastSeq();

      const snapshot = await deals.readDeal(portalId, deal.id);

      expect(snapshot!.company).toMatchObject({ id: abc.id });
      expect(snapshot!.contact).toBeNull();
      expect((await sim.callsSince(since)).map((c) => c.path)).toContain(`/crm/v4/objects/deals/${deal.id}/associations/companies`);
    });

    it('When a contact belongs to no company of the deal, then the first contact of the deal is used', async () => {
      const abc = await sim.find('companies', { name: 'ABC LLC' });
      const loner = await sim.create('contacts', { email: 'loner@nowhere.example', firstname: 'Lone', lastname: 'Rider', phone: '+1 555 0100' });
      const other = await sim.create('contacts', { email: 'other@nowhere.example' });
      const deal = await sim.create('deals', { dealname: 'Contacts elsewhere' }, [
        associateTo(abc.id, TYPE.primaryDealToCompany),
        associateTo(loner.id, TYPE.dealToContact),
        associateTo(other.id, TYPE.dealToContact),
      ]);

      const snapshot = await deals.readDeal(portalId, deal.id);

      expect(snapshot!.contact).toEqual({ id: loner.id, email: 'loner@nowhere.example', firstName: 'Lone', lastName: 'Rider', phone: '+1 555 0100' });
    });

    it("When a line's product was deleted, then the line keeps the product id without its name or SKU", async () => {
      const product = await sim.create('products', { name: 'Gone soon', hs_sku: 'GONE-1', price: '10' });
      const line = await sim.create('line_items', { name: 'Gone soon', hs_product_id: product.id, price: '10', quantity: '2' });
      const deal = await sim.create('deals', { dealname: 'Deleted product' }, [associateTo(line.id, TYPE.dealToLineItem)]);
      await sim.remove('products', product.id);

      const snapshot = await deals.readDeal(portalId, deal.id);

      expect(snapshot!.lineItems).toEqual([expect.objectContaining({ productId: product.id, product: { id: product.id, name: null, sku: null }, amount: '20' })]);
    });

    it('When HubSpot answers 502 to the deal read, then the error says what failed and keeps the status', async () => {
      const { id } = await sim.deal('ABC LLC - Schematic design');
      await sim.fault({ path: `/crm/v3/objects/deals/${id}`, status: 502 });

      const error = await deals.readDeal(portalId, id).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(HubSpotApiError);
      expect(error).toMatchObject({ status: 502, message: expect.stringContaining(`HubSpot answered 502 reading deal ${id}`) });
    });

    it('When HubSpot throttles the line-item read, then the error names the line items and keeps 429', async () => {
      const { id } = await sim.deal('ABC LLC - Schematic design');
      await sim.fault({ path: '/crm/v3/objects/line_items/batch/read', status: 429 });

      await expect(deals.readDeal(portalId, id)).rejects.toMatchObject({
        status: 429,
        message: expect.stringContaining(`HubSpot answered 429 reading the line items of deal ${id}`),
      });
    });

    it('When HubSpot does not answer in time, then the call fails with no status', async () => {
      const impatient = new HubSpotDeals({ installs: world.ctx.hubspot.installs, logger: silentLogger, timeoutMs: 150 });
      const { id } = await sim.deal('ABC LLC - Schematic design');
      await sim.fault({ path: `/crm/v3/objects/deals/${id}`, kind: 'hang' });

      await expect(impatient.readDeal(portalId, id)).rejects.toMatchObject({
        status: undefined,
        message: `HubSpot did not answer within 150 ms reading deal ${id}`,
      });
    });

    it('When the connection is reset, then the error says HubSpot could not be reached', async () => {
      await sim.fault({ path: '/crm/v3/pipelines/deals', kind: 'reset' });

      await expect(deals.pipelines(portalId)).rejects.toMatchObject({ status: undefined, message: expect.stringContaining('HubSpot could not be reached reading the deal pipelines') });
    });

  });

  describe('pipelines', () => {
    it("When the pipelines are read, then each stage carries HubSpot's closed flag and probability, and the won stages come from that metadata", async () => {
      const pipelines = await deals.pipelines(portalId);

      expect(pipelines.map((p) => [p.id, p.label])).toEqual([
        ['default', 'Sales Pipeline'],
        ['98765432', 'Renewals'],
      ]);
      const renewals = pipelines.find((p) => p.id === '98765432')!;
      expect(renewals.stages).toEqual([
        { id: '1029384750', label: 'Renewal due', isClosed: false, probability: 0.5 },
        { id: '1029384751', label: 'Quote sent', isClosed: false, probability: 0.8 },
        { id: '1029384756', label: 'Renewed', isClosed: true, probability: 1 },
        { id: '1029384757', label: 'Churned', isClosed: true, probability: 0 },
      ]);
      const sales = pipelines.find((p) => p.id === 'default')!;
      expect(sales.stages.find((s) => s.id === 'closedlost')).toEqual({ id: 'closedlost', label: 'Closed Lost', isClosed: true, probability: 0 });
      expect(wonStageIds(sales)).toEqual(['closedwon']);
      expect(wonStageIds(renewals)).toEqual(['1029384756']);
    });

    it('When a deal is moved to the won stage wonStageIds names, then HubSpot itself counts the deal as won', async () => {
      const renewals = (await deals.pipelines(portalId)).find((p) => p.label === 'Renewals')!;
      const { id } = await sim.deal('ABC LLC - Annual support renewal');

      await deals.updateDealProperties(portalId, id, { dealstage: wonStageIds(renewals)[0]! });

      expect((await sim.get('deals', id)).properties.hs_is_closed_won).toBe('true');
    });
  });

  describe('writing to the deal', () => {
    it('When DealBooks writes its deal properties, then HubSpot holds them and a later read returns them; an empty string clears one', async () => {
      const { id } = await sim.deal('Northwind - Construction documents');

      await deals.updateDealProperties(portalId, id, {
        [DEAL_PROPERTY.invoiceNumber]: '1042',
        [DEAL_PROPERTY.invoiceTotal]: '1209.96',
        [DEAL_PROPERTY.invoiceStatus]: 'open',
        [DEAL_PROPERTY.lastProblem]: 'Map the product "Drafting hours" to a QuickBooks item.',
      });
      await deals.updateDealProperties(portalId, id, { [DEAL_PROPERTY.lastProblem]: '' });

      expect((await sim.get('deals', id)).properties).toMatchObject({ dealbooks_invoice_number: '1042', dealbooks_invoice_total: '1209.96', dealbooks_invoice_status: 'open' });
      expect((await sim.get('deals', id)).properties.dealbooks_last_problem).toBeUndefined();
      const snapshot = await deals.readDeal(portalId, id);
      expect(snapshot!.properties).toMatchObject({ dealbooks_invoice_number: '1042', dealbooks_invoice_total: '1209.96', dealbooks_invoice_status: 'open', dealbooks_last_problem: null });
    });

    it('When HubSpot refuses the values, then the error says which deal and why, with the status', async () => {
      const { id } = await sim.deal('Northwind - Construction documents');

      await expect(deals.updateDealProperties(portalId, id, { [DEAL_PROPERTY.invoiceStatus]: 'lost in the post' })).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(new RegExp(`^HubSpot answered 400 updating deal ${id}: .+`)),
      });
      await expect(deals.updateDealProperties(portalId, '99999999999', { [DEAL_PROPERTY.invoiceNumber]: '1' })).rejects.toMatchObject({ status: 404 });
    });

    it("When DealBooks adds a note, then it is on the deal's timeline with its text and time", async () => {
      const { id } = await sim.deal('ABC LLC - Schematic design');
      const timestamp = new Date('2026-12-16T10:30:00.000Z');

      const note = await deals.addDealNote(portalId, id, { body: 'Invoice 1042 for $1,651.50 created in QuickBooks for ABC <LLC> & Co.', timestamp });

      const dealNotes = (await sim.get('deals', id)).associations?.notes?.results.map((r) => r.id);
      expect(dealNotes).toContain(note.id);
      const held = await sim.get('notes', note.id);
      expect(held.properties).toMatchObject({
        hs_note_body: 'Invoice 1042 for $1,651.50 created in QuickBooks for ABC &lt;LLC&gt; &amp; Co.',
        hs_timestamp: '2026-12-16T10:30:00.000Z',
      });
      expect(held.associations?.deals?.results).toEqual([{ id, type: 'note_to_deal' }]);
    });
  });

  describe('owner names', () => {
    it('When DealBooks lacks the owners scope, then the owner name is null rather than an error', async () => {
      const { properties } = await sim.deal('ABC LLC - Schematic design');

      expect(await deals.readOwnerName(portalId, properties.hubspot_owner_id!)).toBeNull();
    });

    it("When the app may read owners, then the owner's first and last name come back, and an unknown owner is null", async () => {
      const hs = await startHubSpotSimulator({ apps: [{ ...demoApp(), scopes: [...DEALBOOKS_SCOPES, 'crm.objects.owners.read'] }] });
      try {
        const [install] = hs.seeded;
        const client = new Client({ accessToken: install!.accessToken, basePath: hs.url, numberOfApiCallRetries: 0 });
        const withOwners = new HubSpotDeals({ installs: { call: (_portalId, work) => work(client) }, logger: silentLogger });

        expect(await withOwners.readOwnerName(install!.portalId, '75000001')).toBe('Ada Lovelace');
        expect(await withOwners.readOwnerName(install!.portalId, '75999999')).toBeNull();
      } finally {
        await hs.close();
      }
    });
  });
});

describe(`HubSpot deals adapter and the install's tokens (${DATABASE_KIND})`, () => {
  let world: World;
  let portalId: number;
  let deals: HubSpotDeals;
  beforeEach(async () => {
    world = await startWorld();
    portalId = await installDirect(world);
    deals = new HubSpotDeals({ installs: world.ctx.hubspot.installs, logger: silentLogger });
  });
  afterEach(() => world.close());

  it('When HubSpot no longer accepts the access token, then DealBooks refreshes it once and the read succeeds', async () => {
    const { id } = await hubspotSim(world, portalId).deal('ABC LLC - Schematic design');
    await world.control('hubspot', '/oauth/expire-access-tokens', { portalId });

    expect(await deals.readDeal(portalId, id)).toMatchObject({ id, name: 'ABC LLC - Schematic design' });
    expect((await world.control('hubspot', '/oauth/installs')).counters).toMatchObject({ [portalId]: { refreshes: 1 } });
  });

  it('When DealBooks was uninstalled from the account, then every call fails with ConnectionBlockedError', async () => {
    const { id } = await hubspotSim(world, portalId).deal('ABC LLC - Schematic design');
    await world.control('hubspot', '/oauth/uninstall', { portalId });

    await expect(deals.readDeal(portalId, id)).rejects.toBeInstanceOf(ConnectionBlockedError);
    await expect(deals.pipelines(portalId)).rejects.toBeInstanceOf(ConnectionBlockedError);
    await expect(deals.updateDealProperties(portalId, id, { [DEAL_PROPERTY.invoiceNumber]: '1' })).rejects.toBeInstanceOf(ConnectionBlockedError);
    await expect(deals.addDealNote(portalId, id, { body: 'x', timestamp: new Date() })).rejects.toBeInstanceOf(ConnectionBlockedError);
    await expect(deals.readOwnerName(portalId, '75000001')).rejects.toBeInstanceOf(ConnectionBlockedError);
    expect(await world.ctx.hubspot.installs.get(portalId)).toMatchObject({ status: 'uninstalled' });
  });
});

describe('HubSpot deal mapping rules', () => {
  it('When HubSpot sends a close date as epoch milliseconds, an ISO instant or a date, then the UTC date is kept; anything else is null', () => {
    expect(utcDateOf('1765756800000')).toBe('2025-12-15');
    expect(utcDateOf('2026-12-15T23:30:00.000Z')).toBe('2026-12-15');
    expect(utcDateOf('2026-12-15T23:30:00-05:00')).toBe('2026-12-16');
    expect(utcDateOf('2026-12-15')).toBe('2026-12-15');
    expect(utcDateOf('')).toBeNull();
    expect(utcDateOf(null)).toBeNull();
    expect(utcDateOf('next Tuesday')).toBeNull();
  });

  it('When line items have quote positions, then they follow the positions; without, they keep the association order', () => {
    const line = (id: string, position?: string) => ({ id, properties: (position === undefined ? {} : { hs_position_on_quote: position }) as Record<string, string | null> });

    expect(orderLineItems([line('a', '2'), line('b', '0'), line('c', '1')], ['a', 'b', 'c']).map((l) => l.id)).toEqual(['b', 'c', 'a']);
    expect(orderLineItems([line('c'), line('a'), line('b')], ['a', 'b', 'c']).map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect(orderLineItems([line('a'), line('b', '1'), line('c', '0')], ['a', 'b', 'c']).map((l) => l.id)).toEqual(['c', 'b', 'a']);
  });

  it('When the line-item key is "line items" or "line_items", then the same ids come out, once each', () => {
    const fixture = (payloads as any).deal_get_with_associations.response.associations;
    const withUnderscore = { line_items: { results: [{ id: '5001', type: 'deal_to_line_item' }, { id: '5001', type: 'deal_to_line_item' }] } };

    expect(associationsOf(fixture, 'line_items').results.map((r) => r.id)).toEqual(['5001']);
    expect([...new Set(associationsOf(withUnderscore, 'line_items').results.map((r) => r.id))]).toEqual(['5001']);
    expect(associationsOf({ 'line items': { results: [], paging: { next: { after: '100' } } } }, 'line_items').complete).toBe(false);
  });

  it('When the v3 answer names every company link "deal_to_company" (no labels), then it does not decide the primary company', () => {
    expect(primaryCompanyFromV3([{ id: '1', type: 'deal_to_company' }, { id: '2', type: 'deal_to_company' }])).toBeUndefined();
    expect(primaryCompanyFromV3([{ id: '1', type: 'deal_to_company_unlabeled' }, { id: '2', type: 'deal_to_company' }, { id: '2', type: 'deal_to_company_unlabeled' }])).toBe('2');
  });

  it('When a money property is not a plain decimal, then the read fails naming the line item instead of passing it on', () => {
    expect(decimal({ price: '33.33' }, 'price', 'line item 7')).toBe('33.33');
    expect(decimal({ price: '' }, 'price', 'line item 7')).toBeNull();
    expect(() => decimal({ price: '1,200.00' }, 'price', 'line item 7')).toThrow('HubSpot sent line item 7 a price that is not a decimal number: "1,200.00"');
  });

  it('When a stage has no probability, then it is null and the stage is never won', () => {
    const pipeline = toPipeline({ id: 'p', label: 'P', stages: [{ id: 's', label: 'S', metadata: { isClosed: 'true' } }] });

    expect(pipeline.stages).toEqual([{ id: 's', label: 'S', isClosed: true, probability: null }]);
    expect(wonStageIds(pipeline)).toEqual([]);
  });
});
