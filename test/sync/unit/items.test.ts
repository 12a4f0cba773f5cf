import { mapItems, normalizeItemName } from '../../../server/src/sync/items';
import type { LineItemSnapshot, QboItem } from '../../../server/src/sync/model';

function item(fields: Partial<QboItem> & { id: string; name: string }): QboItem {
  return { sku: null, type: 'Service', active: true, taxable: false, unitPrice: null, ...fields };
}

function line(fields: Partial<LineItemSnapshot> & { id: string; name: string }): LineItemSnapshot {
  return {
    description: null,
    productId: null,
    sku: null,
    quantity: '1',
    price: '10',
    discount: null,
    discountPercentage: null,
    amount: null,
    currency: 'USD',
    product: null,
    ...fields,
  };
}

const ITEMS: QboItem[] = [
  item({ id: '3', name: 'Hours', sku: 'HRS-01' }),
  item({ id: '4', name: 'Printed Plans', sku: null, taxable: true }),
  item({ id: '5', name: 'Site Visit' }),
  item({ id: '6', name: 'Old Service', sku: 'OLD', active: false }),
  item({ id: '7', name: 'Design', type: 'Category', sku: 'CAT' }),
];

function mapOne(l: LineItemSnapshot, options: { items?: QboItem[]; productItems?: Map<string, string>; defaultItemId?: string | null } = {}) {
  return mapItems({ lines: [l], items: options.items ?? ITEMS, productItems: options.productItems ?? new Map(), defaultItemId: options.defaultItemId ?? null });
}

describe('normalizeItemName', () => {
  it('When names differ only in case, accents, punctuation, "&" or blanks, then they normalise alike', () => {
    expect(normalizeItemName('  Site  Visit. ')).toBe('site visit');
    expect(normalizeItemName('Café Crème')).toBe('cafe creme');
    expect(normalizeItemName('Plans & Permits')).toBe('plans and permits');
    expect(normalizeItemName('R&D')).toBe('r and d');
    expect(normalizeItemName('...')).toBe('');
  });
});

describe('mapItems', () => {
  it('When the product is mapped to an active item, then that item is used, before SKU or name', () => {
    const l = line({ id: 'l1', name: 'Hours', sku: 'HRS-01', productId: 'p1' });
    const { chosen, unmapped } = mapOne(l, { productItems: new Map([['p1', '4']]) });
    expect(chosen.get('l1')).toEqual({ itemId: '4', itemName: 'Printed Plans', taxable: true, method: 'existing' });
    expect(unmapped).toEqual([]);
  });

  it("When the line has no product id of its own, then the product's id finds the mapping", () => {
    const l = line({ id: 'l1', name: 'x', product: { id: 'p2', name: null, sku: null } });
    expect(mapOne(l, { productItems: new Map([['p2', '5']]) }).chosen.get('l1')?.itemId).toBe('5');
  });

  it('When the mapped item is inactive or gone, then the SKU, then the name decide instead', () => {
    const bySku = line({ id: 'l1', name: 'Whatever', sku: ' hrs-01 ', productId: 'p1' });
    expect(mapOne(bySku, { productItems: new Map([['p1', '6']]) }).chosen.get('l1')).toMatchObject({ itemId: '3', method: 'sku' });
    const byName = line({ id: 'l2', name: 'site visit!', productId: 'p1' });
    expect(mapOne(byName, { productItems: new Map([['p1', '999']]) }).chosen.get('l2')).toMatchObject({ itemId: '5', method: 'name' });
  });

  it("When only the product carries the SKU or the name, then the product's is used", () => {
    expect(mapOne(line({ id: 'l1', name: 'Zzz', product: { id: 'p', name: null, sku: 'HRS-01' } })).chosen.get('l1')).toMatchObject({ itemId: '3', method: 'sku' });
    expect(mapOne(line({ id: 'l2', name: 'Zzz', product: { id: 'p', name: 'Printed plans', sku: null } })).chosen.get('l2')).toMatchObject({ itemId: '4', method: 'name' });
  });

  it('When a SKU or a name is blank, then it matches nothing', () => {
    const items = [item({ id: '8', name: 'Blank sku', sku: '   ' })];
    const { chosen, unmapped } = mapOne(line({ id: 'l1', name: '  ', sku: '   ' }), { items });
    expect(chosen.size).toBe(0);
    expect(unmapped).toEqual([{ lineItemId: 'l1', productId: null, name: '  ', sku: null }]);
  });

  it('When an item is inactive or a category, then no SKU or name finds it', () => {
    expect(mapOne(line({ id: 'l1', name: 'Old Service', sku: 'OLD' })).unmapped).toHaveLength(1);
    expect(mapOne(line({ id: 'l2', name: 'Design', sku: 'CAT' })).unmapped).toHaveLength(1);
  });

  it('When two items share a SKU or a name, then the lowest id wins, whatever the order read', () => {
    const items = [item({ id: '12', name: 'Hours', sku: 'X' }), item({ id: '9', name: 'hours', sku: 'x' }), item({ id: '10', name: 'HOURS', sku: 'X' })];
    expect(mapOne(line({ id: 'l1', name: 'Nothing', sku: 'X' }), { items }).chosen.get('l1')?.itemId).toBe('9');
    expect(mapOne(line({ id: 'l2', name: 'Hours' }), { items }).chosen.get('l2')?.itemId).toBe('9');
    // Ids that are not numbers still sort the same way every time.
    const named = [item({ id: 'b', name: 'Hours' }), item({ id: 'a', name: 'Hours' })];
    expect(mapOne(line({ id: 'l3', name: 'Hours' }), { items: named }).chosen.get('l3')?.itemId).toBe('a');
  });

  it('When nothing matches and a default item is set, then the default item stands in; an inactive default does not', () => {
    const l = line({ id: 'l1', name: 'Rush fee' });
    expect(mapOne(l, { defaultItemId: '3' }).chosen.get('l1')).toEqual({ itemId: '3', itemName: 'Hours', taxable: false, method: 'default' });
    const { chosen, unmapped } = mapOne(l, { defaultItemId: '6' });
    expect(chosen.size).toBe(0);
    expect(unmapped).toHaveLength(1);
    expect(mapOne(l, { defaultItemId: '404' }).unmapped).toHaveLength(1);
  });

  it("When nothing matches and there is no default, then the line is unmapped with the product's name and the first SKU", () => {
    const l = line({ id: 'l1', name: 'Line name', sku: null, productId: 'p9', product: { id: 'p9', name: 'Product name', sku: 'P-SKU' } });
    expect(mapOne(l).unmapped).toEqual([{ lineItemId: 'l1', productId: 'p9', name: 'Product name', sku: 'P-SKU' }]);
    const own = line({ id: 'l2', name: 'Line name', sku: 'L-SKU', product: { id: 'p9', name: null, sku: 'P-SKU' } });
    expect(mapOne(own).unmapped).toEqual([{ lineItemId: 'l2', productId: 'p9', name: 'Line name', sku: 'L-SKU' }]);
  });

  it('When several lines are mapped, then each gets its own choice and many may share one item', () => {
    const lines = [line({ id: 'a', name: 'Hours' }), line({ id: 'b', name: 'hours' }), line({ id: 'c', name: 'Nope' })];
    const { chosen, unmapped } = mapItems({ lines, items: ITEMS, productItems: new Map(), defaultItemId: null });
    expect([...chosen.keys()]).toEqual(['a', 'b']);
    expect(chosen.get('b')?.itemId).toBe('3');
    expect(unmapped.map((u) => u.lineItemId)).toEqual(['c']);
  });

  it('When SKUs differ by a letter that only upper case folds together (ß and SS), then they do not match: SKUs compare in lower case', () => {
    const items = [item({ id: '20', name: 'Street sign', sku: 'STRASSE-1' })];
    const { chosen, unmapped } = mapOne(line({ id: 'l1', name: 'Nothing', sku: 'straße-1' }), { items });
    expect(chosen.size).toBe(0);
    expect(unmapped).toEqual([{ lineItemId: 'l1', productId: null, name: 'Nothing', sku: 'straße-1' }]);
    expect(mapOne(line({ id: 'l2', name: 'Nothing', sku: 'strasse-1' }), { items }).chosen.get('l2')).toMatchObject({ itemId: '20', method: 'sku' });
  });
});
