import type { Client } from '@hubspot/api-client';
import type { z } from 'zod';
import { ConnectionBlockedError } from '../errors';
import { withDeadline } from '../lib/deadline';
import type { Logger } from '../logger';
import type { CompanySnapshot, ContactSnapshot, DealSnapshot, LineItemSnapshot, Pipeline } from '../sync/model';
import { DEAL_PROPERTY } from './deal-properties';
import {
  batchReadSchema,
  createdSchema,
  crmObjectSchema,
  errorBodySchema,
  ownerSchema,
  pipelinesSchema,
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
import type { HubSpotInstalls } from './installs';

export { wonStageIds } from './deal-snapshot';

/**
 * The deal side of quote to cash: reads a deal with everything an invoice needs, the deal pipelines, and writes
 * DealBooks' deal properties and timeline notes. Every call goes through `HubSpotInstalls.call` (fresh token, one
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

/** Inputs per batch call (reference "CRM API v3": 100 per call). */
export const BATCH_SIZE = 100;
/** Associations per v4 page (HubSpot's maximum). */
const V4_PAGE = 500;
export const DEFAULT_HUBSPOT_TIMEOUT_MS = 20_000;

/**
 * A HubSpot call that failed. `status` is HubSpot's HTTP status (undefined when no answer came: timeout, reset),
 * so callers can retry 429 and 5xx; `code` mirrors it because HubSpotInstalls.call retries once on `code === 401`.
 */
export class HubSpotApiError extends Error {
  override name = 'HubSpotApiError';
  readonly code: number | undefined;
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly correlationId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = status;
  }
}

export interface HubSpotDealsDeps {
  /** Only `call` is used, so a test can hand in a client for a simulator app with other scopes. */
  installs: Pick<HubSpotInstalls, 'call'>;
  logger: Logger;
  /** How long one HubSpot call may take before it counts as failed (no status). */
  timeoutMs?: number;
}

interface Request {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  qs?: Record<string, string>;
  body?: unknown;
  /** What DealBooks was doing, for the error message: "reading deal 123". */
  what: string;
}

const enc = encodeURIComponent;

export class HubSpotDeals {
  private readonly logger: Logger;
  private readonly timeoutMs: number;

  constructor(private readonly deps: HubSpotDealsDeps) {
    this.logger = deps.logger.child({ component: 'hubspot-deals' });
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_HUBSPOT_TIMEOUT_MS;
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
    const deal = await this.request(
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

  /** The account's deal pipelines (`GET /crm/v3/pipelines/deals`, not paged), archived ones left out. */
  async pipelines(portalId: number): Promise<Pipeline[]> {
    const answer = await this.request(portalId, { method: 'GET', path: '/crm/v3/pipelines/deals', what: 'reading the deal pipelines' }, pipelinesSchema);
    return answer.results.filter((p) => !p.archived).map(toPipeline);
  }

  /** Values are strings on the wire; '' clears a property. Nothing is sent when there is nothing to write. */
  async updateDealProperties(portalId: number, dealId: string, properties: Record<string, string>): Promise<void> {
    if (Object.keys(properties).length === 0) return;
    await this.request(
      portalId,
      { method: 'PATCH', path: `/crm/v3/objects/deals/${enc(dealId)}`, body: { properties }, what: `updating deal ${dealId}` },
      createdSchema,
    );
  }

  /**
   * A note on the deal's timeline (reference "Tasks and notes": hs_timestamp required, note -> deal type 214).
   * `body` is plain text: hs_note_body is HTML, so it is escaped (a customer named "A<B & Co" stays readable)
   * and line breaks become <br>. Not idempotent: a caller that retries after an unknown outcome may add a second note.
   */
  async addDealNote(portalId: number, dealId: string, input: { body: string; timestamp: Date }): Promise<{ id: string }> {
    const created = await this.request(
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
   * "First Last" of a deal owner, or null. Cosmetic, so any failure (unknown owner, no owners scope, HubSpot down)
   * is null; only an uninstalled account is thrown, as everywhere else.
   */
  async readOwnerName(portalId: number, ownerId: string): Promise<string | null> {
    try {
      const owner = await this.request(
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

  private async v4Associations(portalId: number, dealId: string, type: AssociatedType): Promise<V4Associations['results']> {
    const all: V4Associations['results'] = [];
    let after: string | undefined;
    do {
      const page = await this.request(
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
      const answer = await this.request(
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
    return this.request(
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

  private request<S extends z.ZodType>(portalId: number, request: Request, schema: S): Promise<z.output<S>>;
  private request<S extends z.ZodType>(portalId: number, request: Request, schema: S, options: { notFound: 'null' }): Promise<z.output<S> | null>;
  private async request<S extends z.ZodType>(portalId: number, request: Request, schema: S, options?: { notFound: 'null' }): Promise<z.output<S> | null> {
    return this.deps.installs.call(portalId, async (client) => {
      const response = await this.send(client, request);
      const body = await response.text();
      if (response.status === 404 && options?.notFound === 'null') return null;
      if (!response.ok) throw answeredError(request, response.status, body);
      const parsed = schema.safeParse(parseJson(body));
      if (!parsed.success) {
        throw new HubSpotApiError(
          `HubSpot's answer ${request.what} is not what DealBooks expects: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          response.status,
          undefined,
        );
      }
      return parsed.data;
    });
  }

  /** apiRequest takes no AbortSignal, so a deadline races it; a late answer is dropped. */
  private async send(client: Client, request: Request): Promise<Response> {
    try {
      const call = client.apiRequest({
        method: request.method,
        path: request.path,
        ...(request.qs ? { qs: request.qs } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
      return await withDeadline(call, this.timeoutMs, () => new HubSpotApiError(`HubSpot did not answer within ${this.timeoutMs} ms ${request.what}`, undefined, undefined));
    } catch (err) {
      if (err instanceof HubSpotApiError) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
      throw new HubSpotApiError(`HubSpot could not be reached ${request.what}: ${reason}`, undefined, undefined, { cause: err });
    }
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** "HubSpot answered 502 reading deal 123: <HubSpot's message>", keeping the status and correlation id. */
function answeredError(request: Request, status: number, body: string): HubSpotApiError {
  const parsed = errorBodySchema.safeParse(parseJson(body));
  const detail = parsed.success ? parsed.data : {};
  const message = detail.message ? `: ${detail.message}` : '';
  return new HubSpotApiError(`HubSpot answered ${status} ${request.what}${message}`, status, detail.correlationId);
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
