import type { CompanySnapshot, ContactSnapshot, DealSnapshot, LineItemSnapshot, Pipeline } from '../sync/model';
import type { AssociatedIds, CrmObject, V4Associations, WirePipeline } from './deal-schemas';

/**
 * Pure mapping from HubSpot's wire shapes to the engine's snapshots (server/src/sync/model.ts): which associated
 * ids count, which company is primary, the close date, line-item order, and the decimal strings kept exactly as
 * HubSpot sent them. No I/O, so every rule here is unit-tested on its own.
 */

/** HubSpot-defined association type ids (fixture association_type_ids_hubspot_defined in test/fixtures/hubspot/payloads.json). */
export const ASSOCIATION_TYPE = { primaryDealToCompany: 5, noteToDeal: 214 } as const;
export const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED';

export type AssociatedType = 'line_items' | 'companies' | 'contacts';

const keyOf = (name: string) => name.toLowerCase().replace(/[\s_]/g, '');

export interface Associations {
  /** HubSpot's entries in order; an object linked with two association types is listed twice. */
  results: AssociatedIds['results'];
  /** False when HubSpot paged the embedded list: the caller then lists them through the v4 associations API. */
  complete: boolean;
}

/**
 * A deal's v3 associations of one type. The line-item key comes back as "line items" with a space (fixture
 * deal_get_with_associations), which is not documented, so any key that differs from the
 * type only by spaces and underscores is accepted.
 */
export function associationsOf(associations: CrmObject['associations'], type: AssociatedType): Associations {
  const matches = Object.entries(associations ?? {}).filter(([key]) => keyOf(key) === keyOf(type));
  return {
    results: matches.flatMap(([, collection]) => collection.results),
    complete: matches.every(([, collection]) => !collection.paging?.next),
  };
}

/** Ids in HubSpot's order without repeats (a primary company is listed once per association type). */
export function uniqueIds(results: { id: string }[]): string[] {
  return [...new Set(results.map((r) => r.id))];
}

/**
 * The primary company when the v3 answer says so, else undefined (ask the v4 API). Since association labels
 * arrived, v3 names the primary type `deal_to_company` and the plain one `deal_to_company_unlabeled`; older
 * answers used `deal_to_company` for every link. So the v3 name is trusted only when both names are present and
 * exactly one company carries the primary one; in every other case the v4 answer's type id 5 decides.
 */
export function primaryCompanyFromV3(results: AssociatedIds['results']): string | undefined {
  const primary = new Set(results.filter((r) => r.type === 'deal_to_company').map((r) => r.id));
  const labelled = results.some((r) => r.type === 'deal_to_company_unlabeled');
  return labelled && primary.size === 1 ? [...primary][0] : undefined;
}

/** The company linked with the HUBSPOT_DEFINED type 5 ("Primary"), if any. */
export function primaryCompanyFromV4(results: V4Associations['results']): string | undefined {
  return results.find((r) => r.associationTypes.some((t) => t.category === HUBSPOT_DEFINED && t.typeId === ASSOCIATION_TYPE.primaryDealToCompany))
    ?.toObjectId;
}

/**
 * `YYYY-MM-DD` (the UTC date) of a HubSpot date or datetime value, which arrives as epoch milliseconds ("1765756800000"),
 * an ISO instant or an ISO date (every property value is a string on the wire). Anything else: null.
 */
export function utcDateOf(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const text = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ? null : text;
  let ms: number;
  if (/^-?\d+$/.test(text)) ms = Number(text);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) ms = Date.parse(text);
  else return null;
  if (!Number.isFinite(ms)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}

/** '' means "no value" in HubSpot (writing '' clears a property), so it is null here. */
export function text(properties: Record<string, string | null>, name: string): string | null {
  const value = properties[name];
  return value === undefined || value === null || value === '' ? null : value;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A number property as the exact decimal string HubSpot sent, or null. Money is never turned into a float here;
 * a value that is not a plain decimal is refused loudly rather than passed on to the invoice.
 */
export function decimal(properties: Record<string, string | null>, name: string, owner: string): string | null {
  const value = text(properties, name);
  if (value === null) return null;
  if (!DECIMAL.test(value)) throw new Error(`HubSpot sent ${owner} a ${name} that is not a decimal number: "${value}"`);
  return value;
}

/**
 * Line items in the order the deal shows them: by `hs_position_on_quote` where HubSpot has it (lines with a
 * position first), otherwise in association order. The sort is stable, so ties keep association order.
 */
export function orderLineItems<T extends { id: string; properties: Record<string, string | null> }>(items: T[], associationOrder: string[]): T[] {
  const index = new Map(associationOrder.map((id, i) => [id, i]));
  const position = (item: T) => {
    const raw = text(item.properties, 'hs_position_on_quote');
    const n = raw === null ? NaN : Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  return [...items].sort((a, b) => {
    const pa = position(a);
    const pb = position(b);
    if (pa !== undefined && pb !== undefined && pa !== pb) return pa - pb;
    if (pa !== undefined && pb === undefined) return -1;
    if (pa === undefined && pb !== undefined) return 1;
    return (index.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (index.get(b.id) ?? Number.MAX_SAFE_INTEGER);
  });
}

export interface WireRecord {
  id: string;
  properties: Record<string, string | null>;
}

export function toLineItem(item: WireRecord, products: Map<string, WireRecord>): LineItemSnapshot {
  const p = item.properties;
  const owner = `line item ${item.id}`;
  const productId = text(p, 'hs_product_id');
  const product = productId === null ? undefined : products.get(productId);
  return {
    id: item.id,
    name: text(p, 'name') ?? '',
    description: text(p, 'description'),
    productId,
    sku: text(p, 'hs_sku'),
    // HubSpot treats a line without a quantity as one unit.
    quantity: decimal(p, 'quantity', owner) ?? '1',
    price: decimal(p, 'price', owner),
    discount: decimal(p, 'discount', owner),
    discountPercentage: decimal(p, 'hs_discount_percentage', owner),
    amount: decimal(p, 'amount', owner),
    currency: text(p, 'hs_line_item_currency_code'),
    // A product deleted since the line was added keeps its id: the line still says which product it was.
    product: productId === null ? null : { id: productId, name: product ? text(product.properties, 'name') : null, sku: product ? text(product.properties, 'hs_sku') : null },
  };
}

export function toCompany(company: WireRecord): CompanySnapshot {
  const p = company.properties;
  return {
    id: company.id,
    name: text(p, 'name'),
    domain: text(p, 'domain'),
    phone: text(p, 'phone'),
    address: text(p, 'address'),
    city: text(p, 'city'),
    state: text(p, 'state'),
    zip: text(p, 'zip'),
    country: text(p, 'country'),
  };
}

export function toContact(contact: WireRecord): ContactSnapshot {
  const p = contact.properties;
  return { id: contact.id, email: text(p, 'email'), firstName: text(p, 'firstname'), lastName: text(p, 'lastname'), phone: text(p, 'phone') };
}

export function toDealSnapshot(
  deal: WireRecord,
  parts: { lineItems: LineItemSnapshot[]; company: CompanySnapshot | null; contact: ContactSnapshot | null },
): DealSnapshot {
  const p = deal.properties;
  return {
    id: deal.id,
    name: text(p, 'dealname') ?? '',
    stage: text(p, 'dealstage'),
    pipeline: text(p, 'pipeline'),
    amount: decimal(p, 'amount', `deal ${deal.id}`),
    closeDate: utcDateOf(p.closedate),
    currency: text(p, 'deal_currency_code'),
    ownerId: text(p, 'hubspot_owner_id'),
    properties: { ...p },
    ...parts,
  };
}

/** A pipeline as the engine sees it; archived stages are gone from HubSpot's UI and never hold a live deal. */
export function toPipeline(wire: WirePipeline): Pipeline {
  const stages = wire.stages
    .filter((s) => !s.archived)
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (a.s.displayOrder ?? a.i) - (b.s.displayOrder ?? b.i) || a.i - b.i)
    .map(({ s }) => {
      const probability = s.metadata?.probability;
      const n = probability === null || probability === undefined || probability.trim() === '' ? NaN : Number(probability);
      return {
        id: s.id,
        label: s.label,
        isClosed: s.metadata?.isClosed?.toLowerCase() === 'true',
        probability: Number.isFinite(n) ? n : null,
      };
    });
  return { id: wire.id, label: wire.label, stages };
}
