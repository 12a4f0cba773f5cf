/**
 * The write and read operations of the QBO API on one company, independent of HTTP (used by the routes and by
 * batch): create / full update / sparse update, delete, void, send, read. Each returns the response payload
 * without the envelope `time`; failures throw QboFault.
 */
import type { QboCompany } from './company';
import type { EntityName, QboObject } from './entity-names';
import { requiredParamMissing, businessValidation, invalidValue, objectNotFound, staleObject, unsupportedOperation } from './fault';
import { customerRules, employeeRules, vendorRules } from './entities/names';
import { accountRules, classRules, departmentRules, itemRules, taxCodeRules, taxRateRules, termRules } from './entities/lists';
import { depositRules } from './entities/deposit';
import { paymentRules } from './entities/payment';
import { refundReceiptRules, salesReceiptRules } from './entities/receipts';
import type { EntityRules } from './entities/rules';
import { creditMemoRules, estimateRules, invoiceRules } from './entities/sales-forms';
import { companyInfoRules, preferencesRules } from './entities/settings';
import { qboDateTime } from './time';

export const RULES: Record<EntityName, EntityRules> = {
  Customer: customerRules,
  Vendor: vendorRules,
  Employee: employeeRules,
  Item: itemRules,
  Invoice: invoiceRules,
  Estimate: estimateRules,
  Payment: paymentRules,
  CreditMemo: creditMemoRules,
  SalesReceipt: salesReceiptRules,
  RefundReceipt: refundReceiptRules,
  Deposit: depositRules,
  Term: termRules,
  TaxCode: taxCodeRules,
  TaxRate: taxRateRules,
  Class: classRules,
  Department: departmentRules,
  Account: accountRules,
  Preferences: preferencesRules,
  CompanyInfo: companyInfoRules,
};

/** Fields only QBO sets; a request may carry them (a read copy sent back) but never changes them. */
const SYSTEM_FIELDS = ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'status'];

function withoutSystemFields(body: QboObject): QboObject {
  const out: QboObject = { ...body };
  for (const key of SYSTEM_FIELDS) delete out[key];
  return out;
}

/** Objects a client may not create through the API: the singletons and QBO-managed tax lists. */
const NOT_CREATABLE = new Set<EntityName>(['Preferences', 'CompanyInfo', 'TaxCode', 'TaxRate']);

export type Payload = Record<string, unknown>;

/** The stored object with the given Id and a matching SyncToken (610 / 2020 / 5010 otherwise). */
function currentVersion(company: QboCompany, entity: EntityName, body: QboObject): QboObject {
  const id = body.Id === undefined || body.Id === null ? undefined : String(body.Id);
  if (!id) throw requiredParamMissing('Required parameter Id is missing in the request', 'Id');
  const existing = company.get(entity, id);
  if (!existing) throw objectNotFound(`${entity} Id=${id}`, 'Id');
  if (body.SyncToken === undefined || body.SyncToken === null) throw requiredParamMissing('Required parameter SyncToken is missing in the request', 'SyncToken');
  if (String(body.SyncToken) !== existing.SyncToken) throw staleObject(id, body.SyncToken);
  return existing;
}

function ensureObject(body: unknown, entity: EntityName): QboObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidValue(`The request body must be a JSON ${entity} object`);
  return body as QboObject;
}

/** POST /{entity}: a body with Id is an update (full, or sparse with `"sparse": true`); without, a create. */
export function saveEntity(company: QboCompany, entity: EntityName, rawBody: unknown): Payload {
  const body = ensureObject(rawBody, entity);
  const rules = RULES[entity];
  if (rules.readOnly) throw unsupportedOperation(`Create/Update for ${entity}`);
  return company.transaction(() => {
    if (body.Id === undefined || body.Id === null || body.Id === '') {
      if (NOT_CREATABLE.has(entity)) throw unsupportedOperation(`Create for ${entity}`);
      const built = rules.build(company, withoutSystemFields(body), undefined);
      const stored = company.insert(entity, built);
      rules.afterWrite?.(company, stored, undefined);
      return { [entity]: company.get(entity, stored.Id as string) };
    }
    const existing = currentVersion(company, entity, body);
    const sent = withoutSystemFields(body);
    let merged: QboObject;
    if ((body.sparse === true || body.sparse === 'true') && rules.sparseUpdate !== false) {
      merged = { ...withoutSystemFields(existing), ...sent };
    } else {
      merged = { ...sent };
      for (const key of rules.keepOnFullUpdate ?? []) if (existing[key] !== undefined && merged[key] === undefined) merged[key] = existing[key];
    }
    const built = rules.build(company, merged, existing);
    const stored = company.replace(entity, existing.Id as string, built);
    rules.afterWrite?.(company, stored, existing);
    return { [entity]: company.get(entity, stored.Id as string) };
  });
}

/** POST /{entity}?operation=delete with {Id, SyncToken}. */
export function deleteEntity(company: QboCompany, entity: EntityName, rawBody: unknown): Payload {
  const body = ensureObject(rawBody, entity);
  const rules = RULES[entity];
  if (!rules.deletable) throw unsupportedOperation(`Delete for ${entity} (make it inactive with Active=false instead)`);
  return company.transaction(() => {
    const existing = currentVersion(company, entity, body);
    rules.beforeDelete?.(company, existing);
    company.remove(entity, existing.Id as string);
    rules.afterDelete?.(company, existing);
    return { [entity]: { status: 'Deleted', domain: 'QBO', Id: existing.Id } };
  });
}

/**
 * Void: `POST /invoice?operation=void`, `POST /payment?operation=update&include=void`,
 * `POST /salesreceipt?operation=update&include=void`. Entities whose rules have no `voided` cannot be voided.
 */
export function voidEntity(company: QboCompany, entity: EntityName, rawBody: unknown): Payload {
  const body = ensureObject(rawBody, entity);
  const voidedForm = RULES[entity].voided;
  if (!voidedForm) throw unsupportedOperation(`Void for ${entity}`);
  return company.transaction(() => {
    const existing = currentVersion(company, entity, body);
    const voided = voidedForm(company, existing);
    const stored = company.replace(entity, existing.Id as string, withoutSystemFields(voided), 'Void');
    RULES[entity].afterWrite?.(company, stored, existing);
    return { [entity]: company.get(entity, stored.Id as string) };
  });
}

/** POST /invoice/{id}/send[?sendTo=]: EmailStatus EmailSent + DeliveryInfo; sendTo replaces BillEmail. */
export function sendInvoice(company: QboCompany, id: string, sendTo: string | undefined): Payload {
  return company.transaction(() => {
    const invoice = readEntity(company, 'Invoice', id).Invoice as QboObject;
    if (sendTo !== undefined && !/^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$/.test(sendTo)) throw invalidValue(`Invalid email address: ${sendTo}`, 'sendTo');
    const address = sendTo ?? (invoice.BillEmail?.Address as string | undefined);
    if (!address) throw businessValidation('The invoice has no BillEmail address; pass sendTo or set BillEmail', 'BillEmail');
    const next = {
      ...withoutSystemFields(invoice),
      BillEmail: { Address: address },
      EmailStatus: 'EmailSent',
      DeliveryInfo: { DeliveryType: 'Email', DeliveryTime: qboDateTime(company.nowMs()) },
    };
    const stored = company.replace('Invoice', id, next, 'Emailed');
    return { Invoice: stored };
  });
}

/** GET /{entity}/{id}. */
export function readEntity(company: QboCompany, entity: EntityName, id: string): Payload {
  const object = company.get(entity, id);
  if (!object) throw objectNotFound(`${entity} Id=${id}`, 'Id');
  return { [entity]: object };
}
