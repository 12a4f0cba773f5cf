import { createThroughCard, makeDeal, useQ2C, type Q2C } from './support';

/**
 * Which QBO item each line item is sold as: the product's mapping, else the SKU, else an exact
 * normalised name, else the default item (keeping the line's own words) or a blocking "map product X". Driven from
 * the card: "Create invoice", the queued work runs, then the invoice's lines in QBO are looked at.
 * QBO demo items (test/simulators/quickbooks/seed.ts): 1 "Schematic Design Fee", 2 "SD Fee", 3 "Hours",
 * 4 "Printed Plans"; none has a SKU, so each test that needs one adds its own item.
 */

const ITEM = { schematicDesignFee: '1', sdFee: '2', hours: '3', printedPlans: '4' };

/** A deal with its own company and these line items. */
async function dealWithLines(q: Q2C, name: string, lines: Array<Record<string, string>>): Promise<string> {
  return (await makeDeal(q, { name, company: `${name} Client`, lines })).dealId;
}

/** Presses "Create invoice", runs the queued work, and returns the summary and the deal's QBO invoice (if any). */
async function invoiceDeal(q: Q2C, dealId: string): Promise<{ summary: any; invoice: any | undefined }> {
  const { summary, documents } = await createThroughCard(q, dealId);
  return { summary, invoice: documents[0] };
}

/** The invoice's item lines as [item id, description, amount in cents]. */
const itemLines = (invoice: any): Array<[string, string, number]> =>
  invoice.Line.filter((l: any) => l.DetailType === 'SalesItemLineDetail').map((l: any) => [l.SalesItemLineDetail.ItemRef.value, l.Description, Math.round(l.Amount * 100)]);

async function mapProduct(q: Q2C, productId: string, itemId: string): Promise<void> {
  const mapped = await q.card('PUT', `/api/mappings/products/${productId}`, { itemId });
  expect(mapped.status).toBe(200);
  expect(mapped.body).toMatchObject({ productId, itemId });
}

describe('Item mapping: each line item is sold as the right QuickBooks item', () => {
  let droneItem: string;
  const q = useQ2C();
  beforeAll(async () => {
    // Added before any deal is planned, so DealBooks' first read of the item list has it.
    const created = await q.world.control('quickbooks', `/quickbooks/companies/${q.realmId}/Item`, {
      Name: 'Drone Survey Service',
      FullyQualifiedName: 'Drone Survey Service',
      Sku: 'DRN-77',
      Type: 'Service',
      Active: true,
      Taxable: false,
      UnitPrice: 300,
      IncomeAccountRef: { value: '1', name: 'Services' },
    });
    droneItem = String(created.Id);
  });

  it("When a product is mapped to an item in DealBooks, then its lines use that item even though another item has the product's SKU and a third its name", async () => {
    const product = await q.create('products', { name: 'Printed Plans', hs_sku: 'DRN-77', price: '45' });
    await mapProduct(q, product.id, ITEM.hours);
    const listed = await q.card('GET', '/api/mappings/products');
    expect(listed.body.mappings).toContainEqual(expect.objectContaining({ productId: product.id, itemId: ITEM.hours, method: 'manual' }));

    const dealId = await dealWithLines(q, 'Mapped plans', [{ name: 'Printed Plans', hs_product_id: product.id, hs_sku: 'DRN-77', price: '45', quantity: '4' }]);
    const { invoice } = await invoiceDeal(q, dealId);
    expect(itemLines(invoice)).toEqual([[ITEM.hours, 'Printed Plans', 18000]]);
  });

  it("When a product is not mapped but its SKU is a QuickBooks item's SKU, then the SKU wins over an item with the product's name", async () => {
    const product = await q.create('products', { name: 'Printed Plans', hs_sku: 'drn-77', price: '300' });
    // One line carries the SKU itself; the other only names the product, whose SKU it is.
    const dealId = await dealWithLines(q, 'Drone survey by SKU', [
      { name: 'Printed Plans', hs_product_id: product.id, hs_sku: 'drn-77', price: '300', quantity: '1' },
      { name: 'Printed Plans (second flight)', hs_product_id: product.id, price: '250', quantity: '1' },
    ]);
    const { invoice } = await invoiceDeal(q, dealId);
    expect(itemLines(invoice)).toEqual([
      [droneItem, 'Printed Plans', 30000],
      [droneItem, 'Printed Plans (second flight)', 25000],
    ]);
  });

  it('When neither a mapping nor a SKU exists, then a product or line named like an item after normalising case, spaces and punctuation is sold as that item', async () => {
    const fee = await q.create('products', { name: 'schematic design fee.', price: '2500' });
    const plans = await q.create('products', { name: 'PRINTED  plans', price: '45' });
    const dealId = await dealWithLines(q, 'Items by name', [
      { name: 'Design fee (phase 1)', hs_product_id: fee.id, price: '2500', quantity: '1' },
      { name: 'PRINTED  plans', hs_product_id: plans.id, price: '45', quantity: '2' },
      { name: 'hours', price: '150', quantity: '3' },
    ]);
    const { invoice } = await invoiceDeal(q, dealId);
    // "SD Fee" is the same service under another name: only the exact normalised name counts, never a guess.
    expect(itemLines(invoice).map(([itemId]) => itemId)).toEqual([ITEM.schematicDesignFee, ITEM.printedPlans, ITEM.hours]);
  });

  it('When a product matches no item and finance chose a default item, then the line is sold as the default item and keeps its own name and description', async () => {
    await q.settings({ defaultItemId: ITEM.hours });
    try {
      const product = await q.create('products', { name: 'Laser Scanning', price: '640' });
      const dealId = await dealWithLines(q, 'Default item', [
        { name: 'Laser Scanning', hs_product_id: product.id, description: 'Point cloud of level 2', price: '640', quantity: '1' },
        { name: 'Travel', price: '80', quantity: '1' },
      ]);
      const preview = await q.card('GET', `/api/deals/${dealId}/preview`);
      expect(preview.body.problems).toEqual([]);
      expect(preview.body.document.lines.map((l: any) => [l.itemId, l.usesDefaultItem])).toEqual([
        [ITEM.hours, true],
        [ITEM.hours, true],
      ]);
      const { invoice } = await invoiceDeal(q, dealId);
      const lines = itemLines(invoice);
      expect(lines.map(([itemId, , cents]) => [itemId, cents])).toEqual([
        [ITEM.hours, 64000],
        [ITEM.hours, 8000],
      ]);
      // The default item says nothing of what was sold; the line's own words do.
      expect(lines[0]![1]).toContain('Laser Scanning');
      expect(lines[0]![1]).toContain('Point cloud of level 2');
      expect(lines[1]![1]).toBe('Travel');
    } finally {
      await q.settings({ defaultItemId: null });
    }
  });

  it('When a product matches no item and there is no default item, then the invoice is blocked by a problem naming the product, and mapping it lets the next press create the invoice', async () => {
    const product = await q.create('products', { name: 'Drone Mapping', price: '900' });
    const dealId = await dealWithLines(q, 'Unmapped product', [{ name: 'Drone Mapping', hs_product_id: product.id, price: '900', quantity: '1' }]);
    const invoicesBefore = (await q.qbo('Invoice')).length;
    const blocked = await invoiceDeal(q, dealId);
    expect(blocked.invoice).toBeUndefined();
    expect((await q.qbo('Invoice')).length).toBe(invoicesBefore);
    expect(blocked.summary.problems).toEqual([
      {
        code: 'unmapped_product',
        message: expect.stringMatching(/No QuickBooks item matches the HubSpot product “Drone Mapping”\. Map the HubSpot product “Drone Mapping” to a QuickBooks item/),
        subject: expect.objectContaining({ productId: product.id, name: 'Drone Mapping' }),
      },
    ]);
    expect(blocked.summary.allowedActions).toContain('create_invoice');

    await mapProduct(q, product.id, droneItem);
    const { summary, invoice } = await invoiceDeal(q, dealId);
    expect(summary.problems).toEqual([]);
    expect(itemLines(invoice)).toEqual([[droneItem, 'Drone Mapping', 90000]]);
  });

  it('When several products are mapped to one QuickBooks item, then each of their lines is sold as that item with its own description and amount', async () => {
    const half = await q.create('products', { name: 'Site call - half day', price: '400' });
    const full = await q.create('products', { name: 'Site call - full day', price: '750' });
    await mapProduct(q, half.id, ITEM.hours);
    await mapProduct(q, full.id, ITEM.hours);
    const listed = await q.card('GET', '/api/mappings/products');
    const ours = listed.body.mappings.filter((m: any) => m.productId === half.id || m.productId === full.id);
    expect(ours.map((m: any) => m.itemId)).toEqual([ITEM.hours, ITEM.hours]);

    const dealId = await dealWithLines(q, 'Site calls', [
      { name: 'Site call - half day', hs_product_id: half.id, price: '400', quantity: '3' },
      { name: 'Site call - full day', hs_product_id: full.id, price: '750', quantity: '2' },
    ]);
    const { invoice } = await invoiceDeal(q, dealId);
    expect(itemLines(invoice)).toEqual([
      [ITEM.hours, 'Site call - half day', 120000],
      [ITEM.hours, 'Site call - full day', 150000],
    ]);
  });
});
