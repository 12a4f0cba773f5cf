/**
 * What each entity's rules module provides to operations.ts, plus the checks every module shares (references,
 * closed books). Rules validate and compute in `build` without storing anything; side effects on other objects
 * happen in `afterWrite`/`afterDelete`, once the write itself is known to succeed.
 */
import type { QboCompany } from '../company';
import type { EntityName, QboObject } from '../entity-names';
import { accountPeriodClosed, objectNotFound, requiredParamMissing } from '../fault';

export interface EntityRules {
  entity: EntityName;
  /** Read-only through the API (TaxCode, TaxRate: QBO manages them through other services). */
  readOnly?: boolean;
  /** Supports `?operation=delete` (transactions); list entities are made inactive instead. */
  deletable?: boolean;
  /**
   * `false`: a `"sparse": true` update is treated as a full one (only what was sent counts), for entities QBO does
   * not update sparsely.
   */
  sparseUpdate?: boolean;
  /** The voided form of a stored object (throws to refuse); entities without it cannot be voided. */
  voided?(company: QboCompany, existing: QboObject): QboObject;
  /** Fields a full update keeps even when the request omits them (derived or set-once fields). */
  keepOnFullUpdate?: readonly string[];
  /** The stored form of `input` (already merged with `existing` for sparse updates). Throws QboFault. */
  build(company: QboCompany, input: QboObject, existing: QboObject | undefined): QboObject;
  afterWrite?(company: QboCompany, stored: QboObject, previous: QboObject | undefined): void;
  /** Refuses a delete/void (throws) before anything is removed. */
  beforeDelete?(company: QboCompany, existing: QboObject): void;
  afterDelete?(company: QboCompany, removed: QboObject): void;
}

export interface Ref {
  value: string;
  name?: string;
}

export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && typeof (value as Ref).value === 'string' && (value as Ref).value !== '';
}

/**
 * Resolves a reference to an active object, or fails with 610 like QBO does for missing and inactive targets.
 * Returns the target and a normalised ref (value + name as QBO fills it in).
 */
export function resolveRef(
  company: QboCompany,
  entity: EntityName,
  ref: unknown,
  element: string,
  nameField: string = 'FullyQualifiedName',
): { target: QboObject; ref: Ref } {
  if (!isRef(ref)) throw requiredParamMissing(`Required parameter ${element} is missing in the request`, element);
  const target = company.get(entity, ref.value);
  if (!target || target.Active === false) {
    throw objectNotFound(`Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. ${entity} Id=${ref.value}`, element);
  }
  const name = (target[nameField] ?? target.Name ?? target.DisplayName) as string | undefined;
  return { target, ref: name === undefined ? { value: ref.value } : { name, value: ref.value } };
}

/** Like resolveRef, for optional references: undefined when absent. */
export function resolveOptionalRef(company: QboCompany, entity: EntityName, ref: unknown, element: string, nameField?: string): { target: QboObject; ref: Ref } | undefined {
  if (ref === undefined || ref === null) return undefined;
  return resolveRef(company, entity, ref, element, nameField);
}

/** Refuses a transaction dated on or before the books' closing date. */
export function assertPeriodOpen(company: QboCompany, txnDate: unknown): void {
  const closeDate = company.preferencesView().AccountingInfoPrefs?.BookCloseDate as string | undefined;
  if (typeof closeDate === 'string' && typeof txnDate === 'string' && txnDate <= closeDate) {
    throw accountPeriodClosed(txnDate, closeDate);
  }
}

/** Drops keys whose value is undefined or null: QBO returns only fields that have values. */
export function compact(object: QboObject): QboObject {
  const out: QboObject = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined && value !== null) out[key] = value;
  return out;
}

export function requireString(value: unknown, element: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw requiredParamMissing(`Required parameter ${element} is missing in the request`, element);
  }
  return value;
}

export const HOME_CURRENCY_REF = { value: 'USD', name: 'United States Dollar' } as const;
