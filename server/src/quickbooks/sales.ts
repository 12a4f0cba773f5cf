import { z } from 'zod';
import type { Logger } from '../logger';
import type { ReferenceFound, ReferenceKind } from '../sync/setting-references';
import type { CustomerDraft, QboCustomer, QboDocument, QboDocumentKind, QboItem, QboTerm } from '../sync/model';
import { QuickbooksApiError, type QuickbooksApi } from './api';
import { customerBody } from './customer-body';
import { qboAppBaseUrl, type QboEnvironment } from './web-links';
import { qboQuote, qboWhere, queryAll, queryPages } from './query';
import { dealIdFieldOf } from '../sync/document-header';
import { documentSchema, preferencesSchema, salesCustomFields, toCustomer, toDocument, toItem, toTerm, taxCodeSchema, classSchema } from './sales-schemas';

/**
 * The QBO side of quote-to-cash: customers, items, terms, tax codes, classes, preferences, and invoices and
 * estimates, read and written through QuickbooksApi and returned as the plain types of sync/model.ts. Every write
 * takes the caller's requestid (stored before the first try, reused on every retry); when a write's outcome is
 * unknown, `findDocumentByMarker` is how the caller looks before writing again.
 */
export interface QuickbooksSalesDeps {
  api: QuickbooksApi;
  logger: Logger;
  /** Where links for people point; default QuickBooks' own web app (web-links.ts). */
  appBaseUrl?: (environment: QboEnvironment) => string;
  /** The account's QBO environment; default: the live connection's. */
  environment?: (portalId: number) => Promise<QboEnvironment>;
}

export interface QboTaxCode {
  id: string;
  name: string;
  taxable: boolean;
  active: boolean;
}

export interface QboClass {
  id: string;
  /** The full path ("Parent:Child"): what QuickBooks shows and matches on. */
  name: string;
  /** The class's own name, without its parents. */
  ownName: string;
  active: boolean;
}

export interface QboPreferences {
  allowEstimates: boolean;
  defaultTermId: string | null;
  customTxnNumbers: boolean;
  usingSalesTax: boolean;
  /** `YYYY-MM-DD`: nothing dated on or before it may be written. */
  bookCloseDate: string | null;
  homeCurrency: string | null;
  multicurrency: boolean;
  /** Classes can be tracked (per transaction or per line); off, QuickBooks has no class to choose. */
  classTracking: boolean;
  /**
   * The company's offset from UTC in minutes, read from the answer's envelope `time` (QBO prints times in the
   * company's zone: `2015-07-24T10:38:50.010-07:00`); null when the answer had none. "Today" for the company.
   */
  utcOffsetMinutes: number | null;
  /** The DefinitionId of the in-use sales-form custom field named "Deal ID"; null when the company has none. */
  dealIdFieldId: string | null;
}

/** `...-07:00` -> -420; null when the text ends with no offset. */
export function utcOffsetOf(time: unknown): number | null {
  if (typeof time !== 'string') return null;
  const match = /([+-])(\d{2}):(\d{2})$/.exec(time);
  if (!match) return /Z$/.test(time) ? 0 : null;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

export interface DocumentResult {
  document: QboDocument;
  /** The Invoice or Estimate object exactly as QBO returned it. */
  raw: Record<string, unknown>;
  intuitTid: string | undefined;
}

/** The payer's link to view and pay an invoice online (`Invoice.InvoiceLink`). */
export type InvoiceLink = string;

/**
 * 6240: the DisplayName is already held by a customer (active or not), a vendor or an employee; QBO does not say
 * which. `existing` is the active customer of exactly that name, when there is one: it may be the customer an
 * earlier attempt created whose answer was lost, which the caller can tell by its own marks (email, notes).
 */
export class DuplicateNameError extends Error {
  override name = 'DuplicateNameError';
  constructor(
    readonly displayName: string,
    readonly existing: QboCustomer | null,
    /** The 6240 answer itself (intuit_tid, detail). */
    readonly apiError: QuickbooksApiError,
  ) {
    super(
      existing
        ? `A QuickBooks customer named "${displayName}" already exists (Id ${existing.id}).`
        : `The name "${displayName}" is already used in QuickBooks by an inactive customer, a vendor or an employee.`,
      { cause: apiError },
    );
  }
}

const LIST_PATHS: Record<ReferenceKind, { entity: string; path: string }> = {
  item: { entity: 'Item', path: '/item' },
  term: { entity: 'Term', path: '/term' },
  class: { entity: 'Class', path: '/class' },
  taxCode: { entity: 'TaxCode', path: '/taxcode' },
};

const ENTITY: Record<QboDocumentKind, 'Invoice' | 'Estimate'> = { invoice: 'Invoice', estimate: 'Estimate' };
const PATH: Record<QboDocumentKind, string> = { invoice: '/invoice', estimate: '/estimate' };

/** How many documents a marker search reads per request: the one it wants is normally the newest. */
const MARKER_PAGE_SIZE = 100;

const entityEnvelope = (entity: string) => z.object({ [entity]: z.record(z.string(), z.unknown()) });

/** A read of something that does not exist: 404, or QBO's 400 "Object Not Found" (610). */
function isNotFound(error: unknown): boolean {
  return error instanceof QuickbooksApiError && (error.status === 404 || error.code === '610');
}

async function orNull<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export class QuickbooksSales {
  private readonly logger: Logger;

  constructor(private readonly deps: QuickbooksSalesDeps) {
    this.logger = deps.logger.child({ component: 'quickbooks-sales' });
  }

  // Customers

  /** Active customers whose primary email is `email` (any case). */
  async customersByEmail(portalId: number, email: string): Promise<QboCustomer[]> {
    const wanted = email.trim();
    if (wanted === '') return [];
    // QBO filters on PrimaryEmailAddr (the address); the exact check below guards against looser matching.
    const raw = await queryAll(this.deps.api, portalId, 'Customer', `PrimaryEmailAddr = ${qboQuote(wanted)}`);
    return raw.map(toCustomer).filter((c) => c.email !== null && c.email.trim().toLowerCase() === wanted.toLowerCase());
  }

  /** Every customer; inactive ones only when asked (QBO hides them unless the query names Active). */
  async allCustomers(portalId: number, options: { includeInactive?: boolean } = {}): Promise<QboCustomer[]> {
    const raw = await queryAll(this.deps.api, portalId, 'Customer', options.includeInactive ? 'Active IN (true, false)' : undefined);
    return raw.map(toCustomer);
  }

  /** The customer (active or not), or null when QBO has none with that Id. */
  async customer(portalId: number, id: string): Promise<QboCustomer | null> {
    return orNull(this.readEntity(portalId, 'Customer', `/customer/${encodeURIComponent(id)}`).then((r) => toCustomer(r.raw)));
  }

  /**
   * Creates the customer within QBO's field rules (customer-body.ts). A 6240 becomes a DuplicateNameError; every
   * other failure is the QuickbooksApiError as thrown.
   */
  async createCustomer(portalId: number, input: CustomerDraft, requestId: string): Promise<{ customer: QboCustomer; intuitTid: string | undefined }> {
    const body = customerBody(input);
    const displayName = body.DisplayName as string;
    try {
      const response = await this.deps.api.post(portalId, '/customer', body, { requestId });
      return { customer: toCustomer(entityEnvelope('Customer').parse(response.json).Customer), intuitTid: response.intuitTid };
    } catch (error) {
      if (!(error instanceof QuickbooksApiError) || error.code !== '6240') throw error;
      const existing = await this.activeCustomerNamed(portalId, displayName);
      this.logger.info({ portalId, intuitTid: error.intuitTid, existingId: existing?.id ?? null }, 'QuickBooks refused a customer name already in use (6240)');
      throw new DuplicateNameError(displayName, existing, error);
    }
  }

  /**
   * Makes an inactive customer active again (a sparse update, https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer):
   * QBO keeps an inactive customer's name, so reactivating it is how a returning client gets its own name back.
   */
  async reactivateCustomer(portalId: number, customer: Pick<QboCustomer, 'id' | 'syncToken'>, requestId: string): Promise<{ customer: QboCustomer; intuitTid: string | undefined }> {
    const response = await this.deps.api.post(portalId, '/customer', { Id: customer.id, SyncToken: customer.syncToken, sparse: true, Active: true }, { requestId });
    return { customer: toCustomer(entityEnvelope('Customer').parse(response.json).Customer), intuitTid: response.intuitTid };
  }

  /**
   * The DisplayNames held by vendors and employees, active or not: QBO names are unique across customers, vendors and
   * employees (a new customer with one of these names is refused with 6240).
   */
  async otherNames(portalId: number): Promise<string[]> {
    const [vendors, employees] = await Promise.all(
      (['Vendor', 'Employee'] as const).map((entity) => queryAll(this.deps.api, portalId, entity, 'Active IN (true, false)')),
    );
    return [...vendors!, ...employees!].map((raw) => raw.DisplayName).filter((name): name is string => typeof name === 'string');
  }

  private async activeCustomerNamed(portalId: number, displayName: string): Promise<QboCustomer | null> {
    const raw = await queryAll(this.deps.api, portalId, 'Customer', `DisplayName = ${qboQuote(displayName)}`);
    return raw.map(toCustomer).find((c) => c.active && c.displayName === displayName) ?? null;
  }

  // Lists and settings

  /** Active items that can go on a sales form (a Category is only a folder). */
  async allItems(portalId: number): Promise<QboItem[]> {
    const raw = await queryAll(this.deps.api, portalId, 'Item');
    return raw.map(toItem).filter((i) => i.active && i.type !== 'Category');
  }

  async item(portalId: number, id: string): Promise<QboItem | null> {
    return orNull(this.readEntity(portalId, 'Item', `/item/${encodeURIComponent(id)}`).then((r) => toItem(r.raw)));
  }

  /** Active terms. */
  async terms(portalId: number): Promise<QboTerm[]> {
    return (await queryAll(this.deps.api, portalId, 'Term')).map(toTerm);
  }

  /** Tax codes, the US pseudo codes TAX and NON included (they carry no Active flag: they are always usable). */
  async taxCodes(portalId: number): Promise<QboTaxCode[]> {
    return (await queryAll(this.deps.api, portalId, 'TaxCode')).map((raw) => {
      const t = taxCodeSchema.parse(raw);
      return { id: t.Id, name: t.Name, taxable: t.Taxable === true, active: t.Active !== false };
    });
  }

  /** Active classes; a sub-class is named by its full path ("Parent:Child"). */
  async classes(portalId: number): Promise<QboClass[]> {
    return (await queryAll(this.deps.api, portalId, 'Class')).map((raw) => {
      const c = classSchema.parse(raw);
      return { id: c.Id, name: c.FullyQualifiedName ?? c.Name, ownName: c.Name, active: c.Active !== false };
    });
  }

  /**
   * One list object that settings name, read by id whatever its state (an inactive one is still there): its name,
   * whether it is active, and whether it can go on a sales line (an Item of type Category cannot). Null: none.
   */
  async listObject(portalId: number, kind: ReferenceKind, id: string): Promise<ReferenceFound> {
    const path = LIST_PATHS[kind];
    const read = await orNull(this.readEntity(portalId, path.entity, `${path.path}/${encodeURIComponent(id)}`));
    if (!read) return null;
    switch (kind) {
      case 'item': {
        const item = toItem(read.raw);
        return { name: item.name, active: item.active, sellable: item.type !== 'Category' };
      }
      case 'term': {
        const term = toTerm(read.raw);
        return { name: term.name, active: term.active, sellable: true };
      }
      case 'class': {
        const c = classSchema.parse(read.raw);
        return { name: c.FullyQualifiedName ?? c.Name, active: c.Active !== false, sellable: true };
      }
      case 'taxCode': {
        const t = taxCodeSchema.parse(read.raw);
        return { name: t.Name, active: t.Active !== false, sellable: true };
      }
    }
  }

  /** Reference "Field rules and formats", Preferences paths. Absent switches read as QBO's defaults. */
  async preferences(portalId: number): Promise<QboPreferences> {
    const response = await this.deps.api.get(portalId, '/preferences');
    const p = preferencesSchema.parse(entityEnvelope('Preferences').parse(response.json).Preferences);
    const currency = p.CurrencyPrefs?.HomeCurrency?.value;
    const closeDate = p.AccountingInfoPrefs?.BookCloseDate;
    return {
      allowEstimates: p.SalesFormsPrefs?.AllowEstimates ?? true,
      defaultTermId: p.SalesFormsPrefs?.DefaultTerms?.value ?? null,
      customTxnNumbers: p.SalesFormsPrefs?.CustomTxnNumbers ?? false,
      usingSalesTax: p.TaxPrefs?.UsingSalesTax ?? false,
      bookCloseDate: closeDate && /^\d{4}-\d{2}-\d{2}$/.test(closeDate) ? closeDate : null,
      homeCurrency: currency && /^[A-Z]{3}$/.test(currency) ? currency : null,
      multicurrency: p.CurrencyPrefs?.MultiCurrencyEnabled ?? false,
      classTracking: (p.AccountingInfoPrefs?.ClassTrackingPerTxn ?? false) || (p.AccountingInfoPrefs?.ClassTrackingPerTxnLine ?? false),
      utcOffsetMinutes: utcOffsetOf((response.json as { time?: unknown }).time),
      dealIdFieldId: dealIdFieldOf(salesCustomFields(p)),
    };
  }

  // Invoices and estimates

  /**
   * Creates an invoice or estimate from a body the engine built. `requestId` makes a repeat replay the first
   * answer; on an error with `outcomeUnknown`, look with findDocumentByMarker before writing again.
   */
  async createDocument(portalId: number, kind: QboDocumentKind, body: Record<string, unknown>, requestId: string): Promise<DocumentResult> {
    const response = await this.deps.api.post(portalId, PATH[kind], body, { requestId });
    return this.documentResult(portalId, kind, response.json, response.intuitTid);
  }

  async readDocument(portalId: number, kind: QboDocumentKind, id: string): Promise<DocumentResult | null> {
    return orNull(
      this.deps.api.get(portalId, `${PATH[kind]}/${encodeURIComponent(id)}`).then((r) => this.documentResult(portalId, kind, r.json, r.intuitTid)),
    );
  }

  /**
   * The newest document of the customer whose PrivateNote contains `marker`, or null. QBO cannot filter on
   * PrivateNote (not a filterable field of Invoice or Estimate), so the customer's documents are read newest first
   * and checked here, page by page, until one matches or none are left.
   */
  async findDocumentByMarker(portalId: number, kind: QboDocumentKind, search: { customerId: string; marker: string }): Promise<QboDocument | null> {
    if (search.marker === '') throw new Error('an empty marker matches every document');
    const pages = queryPages(this.deps.api, portalId, ENTITY[kind], {
      where: qboWhere(`CustomerRef = ${qboQuote(search.customerId)}`),
      orderBy: 'MetaData.CreateTime DESC',
      pageSize: MARKER_PAGE_SIZE,
    });
    for await (const page of pages) {
      const found = page.find((raw) => typeof raw.PrivateNote === 'string' && raw.PrivateNote.includes(search.marker));
      if (found) return (await this.documentResult(portalId, kind, { [ENTITY[kind]]: found }, undefined)).document;
    }
    return null;
  }

  /**
   * Emails the invoice from QBO (POST /invoice/{id}/send with Content-Type application/octet-stream and no body,
   * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice#send-an-invoice): EmailStatus becomes EmailSent. `sendTo` replaces BillEmail; null sends to
   * the BillEmail already on the invoice.
   */
  async sendInvoice(portalId: number, invoiceId: string, sendTo: string | null, requestId?: string): Promise<QboDocument> {
    const response = await this.deps.api.post(portalId, `/invoice/${encodeURIComponent(invoiceId)}/send`, undefined, {
      query: sendTo ? { sendTo } : {},
      contentType: 'application/octet-stream',
      ...(requestId ? { requestId } : {}),
    });
    return (await this.documentResult(portalId, 'invoice', response.json, response.intuitTid)).document;
  }

  /** The payer's link, or null when QBO gives none (no BillEmail, online payments off) or there is no such invoice. */
  async invoiceLink(portalId: number, invoiceId: string): Promise<InvoiceLink | null> {
    const response = await orNull(this.deps.api.get(portalId, `/invoice/${encodeURIComponent(invoiceId)}`, { include: 'invoiceLink' }));
    if (!response) return null;
    const invoice = documentSchema.parse(entityEnvelope('Invoice').parse(response.json).Invoice);
    return invoice.InvoiceLink && invoice.InvoiceLink !== '' ? invoice.InvoiceLink : null;
  }

  /** An invoice or estimate QBO handed over whole (change data capture, a query) as DealBooks keeps it. */
  async documentFromRaw(portalId: number, kind: QboDocumentKind, raw: Record<string, unknown>): Promise<QboDocument> {
    return (await this.documentResult(portalId, kind, { [ENTITY[kind]]: raw }, undefined)).document;
  }

  private async readEntity(portalId: number, entity: string, path: string): Promise<{ raw: Record<string, unknown> }> {
    const response = await this.deps.api.get(portalId, path);
    return { raw: entityEnvelope(entity).parse(response.json)[entity] as Record<string, unknown> };
  }

  private async documentResult(portalId: number, kind: QboDocumentKind, json: unknown, intuitTid: string | undefined): Promise<DocumentResult> {
    const raw = entityEnvelope(ENTITY[kind]).parse(json)[ENTITY[kind]] as Record<string, unknown>;
    const base = (this.deps.appBaseUrl ?? qboAppBaseUrl)(await this.environmentOf(portalId));
    return { document: toDocument(kind, raw, base), raw, intuitTid };
  }

  private async environmentOf(portalId: number): Promise<QboEnvironment> {
    if (this.deps.environment) return this.deps.environment(portalId);
    // Production unless the connection says otherwise: a link that needs a login is harmless if wrong.
    return (await this.deps.api.environment(portalId)) ?? 'production';
  }
}
