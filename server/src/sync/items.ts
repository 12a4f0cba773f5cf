import type { ItemChoice, LineItemSnapshot, QboItem } from './model';

/**
 * Which QBO item each line item is sold as: the product's mapping; else the SKU; else an exact normalised name; else
 * the default item (the line keeps its own description) or a blocking "map product X". Many products may share one
 * item. Pure: the mappings and items are read by the caller.
 */

export interface UnmappedLine {
  lineItemId: string;
  productId: string | null;
  name: string;
  sku: string | null;
}

/** Lower case, accents and punctuation dropped, blanks collapsed: "Site  Visit." and "site visit" meet. */
export function normalizeItemName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const normalizeSku = (sku: string) => sku.trim().toLowerCase();

export function mapItems(input: {
  lines: LineItemSnapshot[];
  items: QboItem[];
  /** HubSpot product id -> the QBO item id it is mapped to (confirmed mappings only). */
  productItems: ReadonlyMap<string, string>;
  defaultItemId: string | null;
}): { chosen: Map<string, ItemChoice>; unmapped: UnmappedLine[] } {
  const active = input.items.filter((i) => i.active && i.type !== 'Category');
  const byId = new Map(input.items.map((i) => [i.id, i]));
  const bySku = new Map<string, QboItem>();
  const byName = new Map<string, QboItem>();
  // Lowest id first: when two items share a SKU or name, the older one wins, the same way every time.
  for (const item of [...active].sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id))) {
    if (item.sku && !bySku.has(normalizeSku(item.sku))) bySku.set(normalizeSku(item.sku), item);
    const key = normalizeItemName(item.name);
    if (key && !byName.has(key)) byName.set(key, item);
  }
  const fallback = input.defaultItemId ? byId.get(input.defaultItemId) : undefined;
  const chosen = new Map<string, ItemChoice>();
  const unmapped: UnmappedLine[] = [];
  const pick = (item: QboItem, method: ItemChoice['method']): ItemChoice => ({ itemId: item.id, itemName: item.name, taxable: item.taxable, method });

  for (const line of input.lines) {
    const productId = line.productId ?? line.product?.id ?? null;
    const mappedItemId = productId ? input.productItems.get(productId) : undefined;
    const linked = mappedItemId ? byId.get(mappedItemId) : undefined;
    if (linked && linked.active) {
      chosen.set(line.id, pick(linked, 'existing'));
      continue;
    }
    const skus = [line.sku, line.product?.sku].filter((s): s is string => !!s && s.trim() !== '');
    const bySkuMatch = skus.map((s) => bySku.get(normalizeSku(s))).find(Boolean);
    if (bySkuMatch) {
      chosen.set(line.id, pick(bySkuMatch, 'sku'));
      continue;
    }
    const names = [line.product?.name, line.name].filter((n): n is string => !!n && n.trim() !== '');
    const byNameMatch = names.map((n) => byName.get(normalizeItemName(n))).find(Boolean);
    if (byNameMatch) {
      chosen.set(line.id, pick(byNameMatch, 'name'));
      continue;
    }
    if (fallback && fallback.active) {
      chosen.set(line.id, pick(fallback, 'default'));
      continue;
    }
    unmapped.push({ lineItemId: line.id, productId, name: line.product?.name ?? line.name, sku: skus[0] ?? null });
  }
  return { chosen, unmapped };
}
