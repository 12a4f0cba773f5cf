import { Client } from '@hubspot/api-client';
import { idByName, useOfficialClient } from './crm/test-helpers';

/**
 * A line item created with hs_product_id is based on that product and takes its values when not given
 * (https://developers.hubspot.com/docs/api/crm/line-items, "create a line item based on an existing product").
 */
describe('HubSpot CRM simulator: line items from products', () => {
  const crm = useOfficialClient();

  it('When a line item gives only hs_product_id and quantity, then it takes the product name, price, SKU and description, and the amount follows', async () => {
    const productId = idByName(crm.sim.account, 'products', 'Schematic Design Fee');
    const item = await crm.client.crm.lineItems.basicApi.create({ properties: { hs_product_id: productId, quantity: '2' }, associations: [] });
    expect(item.properties).toMatchObject({ name: 'Schematic Design Fee', price: '1200', hs_sku: 'SDF-1', description: 'Schematic design phase', amount: '2400' });
  });

  it('When a line item gives its own name and price, then those win over the product', async () => {
    const productId = idByName(crm.sim.account, 'products', 'Site Visit');
    const item = await crm.client.crm.lineItems.basicApi.create({ properties: { hs_product_id: productId, name: 'Site visit (weekend)', price: '200', quantity: '1' }, associations: [] });
    expect(item.properties).toMatchObject({ name: 'Site visit (weekend)', price: '200', hs_sku: 'SV-1', amount: '200' });
  });

  it('When hs_product_id names no product, then nothing is copied', async () => {
    const item = await crm.client.crm.lineItems.basicApi.create({ properties: { hs_product_id: '1', name: 'Loose', price: '5' }, associations: [] });
    expect(item.properties).toMatchObject({ name: 'Loose', price: '5' });
    expect(crm.sim.account.get('line_items', item.id).properties.hs_sku).toBeUndefined();
  });
});
