import { ConnectionBlockedError } from '../errors';
import type { Logger } from '../logger';
import type { CompanySnapshot, ContactSnapshot, DealSnapshot, LineItemSnapshot, Pipeline } from '../sync/model';
import { DEAL_PROPERTY } from './deal-properties';
import {
  archivedObjectSchema,
  batchReadSchema,
  createdSchema,
  crmObjectSchema,
  ownerSchema,
  pipelinesSchema,
  productListSchema,
  v4AssociationsSchema,
  type CrmObject,
  type V4Associations,
} from './deal-schemas';
import {
  ASSOCIATION_TYPE,
  HUBSPOT_DEFINED,
  associationsOf,
  orderLineItems,
  primaryCompanyFromV3,
  primaryCompanyFromV4,
  text,
  toCompany,
  toContact,
  toDealSnapshot,
  toLineItem,
  toPipeline,
  uniqueIds,
  type AssociatedType,
  type WireRecord,
} from './deal-snapshot';
import { DealSearch, type ClosedDeal, type DealSearchPage, type DealSearchQuery } from './deal-search';
import { DealTasks } from './deal-tasks';
import { HubSpotRequester, type HubSpotCallObserver, type HubSpotClients } from './request';

/**
 * The deal side of quote to cash: reads a deal with everything an invoice needs, the deal pipelines, and writes
 * DealBooks' deal properties and timeline notes. Every call goes through the account's HubSpotClients (fresh token, one
 * retry after a 401); an uninstalled account surfaces as ConnectionBlockedError, untouched.
 */

export const DEAL_READ_PROPERTIES: readonly string[] = [
  'dealname',
  'dealstage',
  'pipeline',
  'amount',
  'closedate',
  'deal_currency_code',
  'hubspot_owner_id',
  ...Object.values(DEAL_PROPERTY),
];

// hs_position_on_quote orders the lines as the deal shows them (HubSpot leaves unknown names out of an answer).
export const LINE_ITEM_PROPERTIES: readonly string[] = [
  'name',
  'description',
  'quantity',
  'price',
  'discount',
  'hs_discount_percentage',
  'amount',
  'hs_product_id',
  'hs_sku',
  'hs_line_item_currency_code',
  'hs_position_on_quote',
];
export const PRODUCT_PROPERTIES: readonly string[] = ['name', 'hs_sku'];
export const COMPANY_PROPERTIES: readonly string[] = ['name', 'domain', 'phone', 'address', 'city', 'state', 'zip', 'country'];
export const CONTACT_PROPERTIES: readonly string[] = ['email', 'firstname', 'lastname', 'phone'];

/** Inputs per batch call: HubSpot's batch endpoints take at most 100. */
export const BATCH_SIZE = 100;
/** Associations per v4 page (HubSpot's maximum). */
const V4_PAGE = 500;

export interface HubSpotDealsDeps {
  /** Only `call` is used, so a test can hand in a client for a simulator app with other scopes. */
  installs: HubSpotClients;
  logger: Logger;
  /** How long one HubSpot call may take before it counts as failed (no status). */
  timeoutMs?: number;
  /** Told of every request to HubSpot's API (request.ts). */
  onCall?: HubSpotCallObserver;
}

const enc = encodeURIComponent;

export class HubSpotDeals {
  private readonly logger: Logger;
  private readonly http: HubSpotRequester;

  private readonly search: DealSearch;
  /** Tasks on deals (deal-tasks.ts): the overdue follow-up creates, finds and completes them. */
  readonly tasks: DealTasks;

  constructor(private readonly deps: HubSpotDealsDeps) {
    this.logger = deps.logger.child({ component: 'hubspot-deals' });
    this.http = new HubSpotRequester(deps.installs, deps.timeoutMs, deps.onCall);
    this.search = new DealSearch(this.http);
    this.tasks = new DealTasks(this.http);
  }

  /** One page of deals in these stages modified in [modifiedFrom, modifiedBefore), oldest change first (deal-search.ts). */
  searchDeals(portalId: number, query: DealSearchQuery): Promise<DealSearchPage> {
    return this.search.page(portalId, query);
  }

  /** One page of deals that absorbed others in a merge, modified in the window (deal-search.ts mergedPage). */
  searchMergedDeals(portalId: number, query: Omit<DealSearchQuery, 'stages'>): ReturnType<DealSearch['mergedPage']> {
    return this.search.mergedPage(portalId, query);
  }

  /**
   * The account's products (the product library), at most `max`, in id order: one call per 100
   * (`GET /crm/v3/objects/products`, https://developers.hubspot.com/docs/api/crm/products). `truncated` says the
   * library holds more than `max`, so a caller can say the list is not all of it rather than hide the rest.
   */
  async listProducts(portalId: number, max = 1000): Promise<{ products: Array<{ id: string; name: string | null; sku: string | null }>; truncated: boolean }> {
    const all: Array<{ id: string; name: string | null; sku: string | null }> = [];
    let after: string | undefined;
    do {
      const page = await this.http.request(
        portalId,
        { method: 'GET', path: '/crm/v3/objects/products', qs: { limit: '100', properties: PRODUCT_PROPERTIES.join(','), ...(after !== undefined ? { after } : {}) }, what: 'listing the products' },
        productListSchema,
      );
      const nonBlank = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);
      all.push(...page.results.map((p) => ({ id: p.id, name: nonBlank(p.properties.name), sku: nonBlank(p.properties.hs_sku) })));
      after = page.paging?.next?.after;
    } while (after !== undefined && all.length < max);
    return { products: all.slice(0, max), truncated: all.length > max || after !== undefined };
  }

  /** The `limit` deals in these stages with the latest close dates, newest first (one search request). */
  newestClosedDeals(portalId: number, stages: string[], limit: number): Promise<ClosedDeal[]> {
    return this.search.newestClosed(portalId, stages, limit);
  }

  /**
   * The deal as it is now, or null when HubSpot has no such deal (404). HTTP calls, in three rounds:
   *   1 deal read (properties and the ids of its line items, companies and contacts);
   *   then, side by side: ceil(lines / 100) line-item batch reads (none without lines), and the parties:
   *   1 v4 association read only when there are several companies and the v3 answer does not name the primary,
   *   1 company read, 1 contact read (none without a company / contact);
   *   then ceil(products / 100) product batch reads (none when no line names a product).
   * A typical deal (lines with products, one company, one contact) costs 5 calls.
   */
  async readDeal(portalId: number, dealId: string): Promise<DealSnapshot | null> {
    const deal = await this.http.request(
      portalId,
      {
        method: 'GET',
        path: `/crm/v3/objects/deals/${enc(dealId)}`,
        qs: { properties: DEAL_READ_PROPERTIES.join(','), associations: 'line_items,companies,contacts' },
        what: `reading deal ${dealId}`,
      },
      crmObjectSchema,
      { notFound: 'null' },
    );
    if (!deal) return null;
    const [lineItems, parties] = await Promise.all([this.lineItemsOf(portalId, deal), this.partiesOf(portalId, deal)]);
    return toDealSnapshot(deal, { lineItems, ...parties });
  }

  /** Whether HubSpot has the deal: one call, no associations (what a press on the card checks before queueing). */
  async dealExists(portalId: number, dealId: string): Promise<boolean> {
    const deal = await this.http.request(
      portalId,
      { method: 'GET', path: `/crm/v3/objects/deals/${enc(dealId)}`, qs: { properties: 'hs_object_id' }, what: `looking up deal ${dealId}` },
      crmObjectSchema,
      { notFound: 'null' },
    );
    return deal !== null;
  }

  /**
   * What became of a deal: `merged` (reading its id answers the record it was merged into, under that record's id:
   * https://developers.hubspot.com/changelog/updated-merge-functionality-for-contacts-and-companies), `deleted`
   * (archived: readable with `archived=true`, with `archivedAt`), or `live`. Two calls at most; null when HubSpot
   * knows nothing of it.
   */
  async dealFate(portalId: number, dealId: string): Promise<{ state: 'deleted'; at: Date } | { state: 'merged'; into: string } | { state: 'live' } | null> {
    // The plain read first: a merged-away id answers its survivor (whose record may also list it as archived).
    const current = await this.http.request(
      portalId,
      { method: 'GET', path: `/crm/v3/objects/deals/${enc(dealId)}`, qs: { properties: 'hs_object_id' }, what: `looking up deal ${dealId}` },
      crmObjectSchema,
      { notFound: 'null' },
    );
    if (current) return current.id === dealId ? { state: 'live' } : { state: 'merged', into: current.id };
    const archived = await this.http.request(
      portalId,
      { method: 'GET', path: `/crm/v3/objects/deals/${enc(dealId)}`, qs: { properties: 'hs_object_id', archived: 'true' }, what: `looking for deleted deal ${dealId}` },
      archivedObjectSchema,
      { notFound: 'null' },
    );
    const at = archived?.archivedAt ? Date.parse(archived.archivedAt) : Number.NaN;
    return Number.isNaN(at) ? null : { state: 'deleted', at: new Date(at) };
  }

  /** The account's deal pipelines (`GET /crm/v3/pipelines/deals`, not paged), archived ones left out. */
  async pipelines(portalId: number): Promise<Pipeline[]> {
    const answer = await this.http.request(portalId, { method: 'GET', path: '/crm/v3/pipelines/deals', what: 'reading the deal pipelines' }, pipelinesSchema);
    return answer.results.filter((p) => !p.archived).map(toPipeline);
  }

  /** Values are strings on the wire; '' clears a property. Nothing is sent when there is nothing to write. */
  async updateDealProperties(portalId: number, dealId: string, properties: Record<string, string>): Promise<void> {
    if (Object.keys(properties).length === 0) return;
    await this.http.request(
      portalId,
      { method: 'PATCH', path: `/crm/v3/objects/deals/${enc(dealId)}`, body: { properties }, what: `updating deal ${dealId}` },
      createdSchema,
    );
  }

  /**
   * A note on the deal's timeline: HubSpot requires hs_timestamp, and note -> deal is association type 214.
   * `body` is plain text: hs_note_body is HTML, so it is escaped (a customer named "A<B & Co" stays readable)
   * and line breaks become <br>. Not idempotent: a caller that retries after an unknown outcome may add a second note.
   */
  async addDealNote(portalId: number, dealId: string, input: { body: string; timestamp: Date }): Promise<{ id: string }> {
    const created = await this.http.request(
      portalId,
      {
        method: 'POST',
        path: '/crm/v3/objects/notes',
        body: {
          properties: { hs_note_body: noteHtml(input.body), hs_timestamp: input.timestamp.toISOString() },
          associations: [{ to: { id: dealId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: ASSOCIATION_TYPE.noteToDeal }] }],
        },
        what: `adding a note to deal ${dealId}`,
      },
      createdSchema,
    );
    return { id: created.id };
  }

  /**
   * The notes on the deal's timeline, as plain text (noteText), for finding a note whose posting had an unknown
   * outcome. Calls: every page of the deal's note associations (v4), then ceil(notes / 100) batch reads.
   */
  async dealNotes(portalId: number, dealId: string): Promise<Array<{ id: string; text: string }>> {
    const ids = uniqueIds((await this.v4Associations(portalId, dealId, 'notes')).map((r) => ({ id: r.toObjectId })));
    if (ids.length === 0) return [];
    const notes = await this.batchRead(portalId, 'notes', ids, ['hs_note_body'], `reading the notes of deal ${dealId}`);
    return notes.map((n) => ({ id: n.id, text: noteText(text(n.properties, 'hs_note_body') ?? '') }));
  }

  /**
   * "First Last" of a deal owner, or null. Cosmetic, so any failure (unknown owner, no owners scope, HubSpot down)
   * is null; only an uninstalled account is thrown, as everywhere else.
   */
  async readOwnerName(portalId: number, ownerId: string): Promise<string | null> {
    try {
      const owner = await this.http.request(
        portalId,
        { method: 'GET', path: `/crm/v3/owners/${enc(ownerId)}`, what: `reading owner ${ownerId}` },
        ownerSchema,
        { notFound: 'null' },
      );
      if (!owner) return null;
      const name = [owner.firstName, owner.lastName].map((part) => part?.trim()).filter((part) => part).join(' ');
      return name === '' ? null : name;
    } catch (err) {
      if (err instanceof ConnectionBlockedError) throw err;
      this.logger.info({ portalId, ownerId, reason: (err as Error).message }, 'HubSpot owner name not available');
      return null;
    }
  }

  private async lineItemsOf(portalId: number, deal: CrmObject): Promise<LineItemSnapshot[]> {
    const ids = await this.associatedIds(portalId, deal, 'line_items');
    if (ids.length === 0) return [];
    const items = orderLineItems(await this.batchRead(portalId, 'line_items', ids, LINE_ITEM_PROPERTIES, `reading the line items of deal ${deal.id}`), ids);
    const productIds = [...new Set(items.map((item) => text(item.properties, 'hs_product_id')).filter((id): id is string => id !== null))];
    const products =
      productIds.length === 0 ? [] : await this.batchRead(portalId, 'products', productIds, PRODUCT_PROPERTIES, `reading the products of deal ${deal.id}`);
    const byId = new Map(products.map((p) => [p.id, p]));
    return items.map((item) => toLineItem(item, byId));
  }

  /** The primary company (else the first) and the contact, preferring one who belongs to that company. */
  private async partiesOf(portalId: number, deal: CrmObject): Promise<{ company: CompanySnapshot | null; contact: ContactSnapshot | null }> {
    const [companyIds, contactIds] = await Promise.all([this.associatedIds(portalId, deal, 'companies'), this.associatedIds(portalId, deal, 'contacts')]);
    const companyId = await this.primaryCompanyId(portalId, deal, companyIds);
    const readContact = (id: string | undefined) =>
      id === undefined ? Promise.resolve(null) : this.readRecord(portalId, 'contacts', id, CONTACT_PROPERTIES, `reading contact ${id} of deal ${deal.id}`);
    // With one contact or none there is nothing to prefer: both reads go out together.
    if (contactIds.length <= 1 || companyId === undefined) {
      const [company, contact] = await Promise.all([
        companyId === undefined ? null : this.readRecord(portalId, 'companies', companyId, COMPANY_PROPERTIES, `reading company ${companyId} of deal ${deal.id}`),
        readContact(contactIds[0]),
      ]);
      return { company: company && toCompany(company), contact: contact && toContact(contact) };
    }
    // The company's own contacts come with its read. HubSpot pages long embedded lists; a preferred contact beyond
    // the first page is missed and the deal's first contact is used, which is still a contact of the deal.
    const company = await this.readRecord(portalId, 'companies', companyId, COMPANY_PROPERTIES, `reading company ${companyId} of deal ${deal.id}`, 'contacts');
    const ofCompany = new Set(company ? uniqueIds(associationsOf(company.associations, 'contacts').results) : []);
    const contact = await readContact(contactIds.find((id) => ofCompany.has(id)) ?? contactIds[0]);
    return { company: company && toCompany(company), contact: contact && toContact(contact) };
  }

  private async primaryCompanyId(portalId: number, deal: CrmObject, companyIds: string[]): Promise<string | undefined> {
    if (companyIds.length <= 1) return companyIds[0];
    const fromV3 = primaryCompanyFromV3(associationsOf(deal.associations, 'companies').results);
    if (fromV3 !== undefined && companyIds.includes(fromV3)) return fromV3;
    const fromV4 = primaryCompanyFromV4(await this.v4Associations(portalId, deal.id, 'companies'));
    return fromV4 !== undefined && companyIds.includes(fromV4) ? fromV4 : companyIds[0];
  }

  /** The deal's associated ids of a type, from the deal read, or every page of the v4 API when v3 paged them. */
  private async associatedIds(portalId: number, deal: CrmObject, type: AssociatedType): Promise<string[]> {
    const fromRead = associationsOf(deal.associations, type);
    if (fromRead.complete) return uniqueIds(fromRead.results);
    return uniqueIds((await this.v4Associations(portalId, deal.id, type)).map((r) => ({ id: r.toObjectId })));
  }

  private async v4Associations(portalId: number, dealId: string, type: AssociatedType | 'notes'): Promise<V4Associations['results']> {
    const all: V4Associations['results'] = [];
    let after: string | undefined;
    do {
      const page = await this.http.request(
        portalId,
        {
          method: 'GET',
          path: `/crm/v4/objects/deals/${enc(dealId)}/associations/${type}`,
          qs: { limit: String(V4_PAGE), ...(after !== undefined ? { after } : {}) },
          what: `reading the ${type.replace('_', ' ')} associated with deal ${dealId}`,
        },
        v4AssociationsSchema,
      );
      all.push(...page.results);
      after = page.paging?.next?.after;
    } while (after !== undefined);
    return all;
  }

  /** Objects in chunks of BATCH_SIZE; ids that no longer exist (HubSpot's 207) are left out. */
  private async batchRead(portalId: number, type: string, ids: string[], properties: readonly string[], what: string): Promise<WireRecord[]> {
    const found: WireRecord[] = [];
    for (let start = 0; start < ids.length; start += BATCH_SIZE) {
      const chunk = ids.slice(start, start + BATCH_SIZE);
      const answer = await this.http.request(
        portalId,
        { method: 'POST', path: `/crm/v3/objects/${type}/batch/read`, body: { inputs: chunk.map((id) => ({ id })), properties }, what },
        batchReadSchema,
      );
      found.push(...answer.results);
    }
    if (found.length < ids.length) this.logger.debug({ portalId, type, asked: ids.length, found: found.length }, 'some associated records no longer exist');
    return found;
  }

  /** One object, or null when it was deleted since the deal was read. */
  private async readRecord(portalId: number, type: string, id: string, properties: readonly string[], what: string, associations?: string): Promise<CrmObject | null> {
    return this.http.request(
      portalId,
      {
        method: 'GET',
        path: `/crm/v3/objects/${type}/${enc(id)}`,
        qs: { properties: properties.join(','), ...(associations ? { associations } : {}) },
        what,
      },
      crmObjectSchema,
      { notFound: 'null' },
    );
  }
}

/**
 * A note's text as a person reads it, from its HTML body: what noteHtml made of the plain text DealBooks posted
 * comes back as that text (tags and <br> as spaces, entities decoded, runs of space as one), so a note can be
 * recognised even if HubSpot wraps or re-escapes its HTML.
 */
export function noteText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#39|#x27|quot|lt|gt|nbsp|amp);/g, (_, entity: string) => ({ '#39': "'", '#x27': "'", quot: '"', lt: '<', gt: '>', nbsp: ' ', amp: '&' })[entity] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text a plain-text note DealBooks posts reads as on the timeline (what dealNotes gives back for it). */
export function postedNoteText(plain: string): string {
  return noteText(noteHtml(plain));
}

function noteHtml(plain: string): string {
  return plain
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r?\n/g, '<br>');
}
