/**
 * Customer, Vendor and Employee: the "name list". A DisplayName is unique across all three, inactive ones
 * included, compared without case or surrounding blanks (6240); it may not contain ':' (the sub-customer
 * separator), tabs or newlines.
 */
import type { QboCompany } from '../company';
import { NAME_ENTITIES, type EntityName, type QboObject } from '../entity-names';
import { checkMaxLengths, duplicateName, invalidValue, requiredParamMissing } from '../fault';
import { normaliseDisplayName as normalise } from '../indexes';
import { copyOf } from '../table';
import { HOME_CURRENCY_REF, compact, resolveOptionalRef, resolveRef, type EntityRules } from './rules';

/** Field limits of the name list (Intuit's entity pages, e.g. the Customer one; QBO answers 2050 beyond them). */
const ADDRESS_LINES = ['Line1', 'Line2', 'Line3', 'Line4', 'Line5'];
const NAME_LIST_LIMITS: Readonly<Record<string, number>> = {
  DisplayName: 500,
  GivenName: 100,
  FamilyName: 100,
  CompanyName: 100,
  'PrimaryPhone.FreeFormNumber': 30,
  'Mobile.FreeFormNumber': 30,
  'Fax.FreeFormNumber': 30,
  'AlternatePhone.FreeFormNumber': 30,
  ...Object.fromEntries(['BillAddr', 'ShipAddr'].flatMap((addr) => ADDRESS_LINES.map((line) => [`${addr}.${line}`, 500]))),
};
const CUSTOMER_LIMITS: Readonly<Record<string, number>> = { ...NAME_LIST_LIMITS, Notes: 2000 };

/** The object already holding `displayName` in the name list, other than `self`. */
export function findNameHolder(
  company: QboCompany,
  displayName: string,
  self?: { entity: EntityName; id: string },
): { entity: EntityName; object: QboObject } | undefined {
  const wanted = normalise(displayName);
  for (const entity of NAME_ENTITIES) {
    for (const object of company.lookup('displayName', entity, wanted)) {
      if (self && self.entity === entity && self.id === object.Id) continue;
      if (typeof object.DisplayName === 'string' && normalise(object.DisplayName) === wanted) return { entity, object: copyOf(object) };
    }
  }
  return undefined;
}

/** DisplayName as QBO derives it when only name parts are sent. */
function displayNameOf(input: QboObject): string | undefined {
  if (typeof input.DisplayName === 'string' && input.DisplayName.trim() !== '') return input.DisplayName.trim();
  const parts = [input.Title, input.GivenName, input.MiddleName, input.FamilyName, input.Suffix].filter((p) => typeof p === 'string' && p.trim() !== '');
  if (parts.length > 0) return parts.join(' ');
  if (typeof input.CompanyName === 'string' && input.CompanyName.trim() !== '') return input.CompanyName.trim();
  return undefined;
}

function checkDisplayName(company: QboCompany, entity: EntityName, input: QboObject, existing: QboObject | undefined): string {
  const displayName = displayNameOf(input);
  if (!displayName) throw requiredParamMissing('Required parameter DisplayName (or GivenName, FamilyName or CompanyName) is missing in the request', 'DisplayName');
  if (/[:\t\n\r]/.test(displayName)) throw invalidValue(`DisplayName may not contain ':', tab or newline characters: ${JSON.stringify(displayName)}`, 'DisplayName');
  checkMaxLengths({ ...input, DisplayName: displayName }, entity === 'Customer' ? CUSTOMER_LIMITS : NAME_LIST_LIMITS);
  const holder = findNameHolder(company, displayName, existing ? { entity, id: existing.Id as string } : undefined);
  if (holder) throw duplicateName();
  const email = input.PrimaryEmailAddr?.Address as unknown;
  if (email !== undefined && (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || email.length > 100)) {
    throw invalidValue(`Invalid email address: ${String(email)}`, 'PrimaryEmailAddr.Address');
  }
  return displayName;
}

/** Postal addresses get an Id the first time QBO stores them. */
function withAddressIds(company: QboCompany, object: QboObject, fields: readonly string[]): void {
  for (const field of fields) {
    const address = object[field] as QboObject | undefined;
    if (address && typeof address === 'object' && address.Id === undefined) {
      address.Id = String(company.nextNumber('address', 100));
    }
  }
}

export const customerRules: EntityRules = {
  entity: 'Customer',
  keepOnFullUpdate: ['Balance', 'BalanceWithJobs', 'CurrencyRef'],
  build(company, input, existing) {
    const displayName = checkDisplayName(company, 'Customer', input, existing);
    const prefs = company.preferencesView();
    const usingSalesTax = prefs.TaxPrefs?.UsingSalesTax === true;
    const parent = input.Job === true || input.ParentRef ? resolveRef(company, 'Customer', input.ParentRef, 'ParentRef') : undefined;
    const term = resolveOptionalRef(company, 'Term', input.SalesTermRef, 'SalesTermRef', 'Name');
    const taxable = typeof input.Taxable === 'boolean' ? input.Taxable : usingSalesTax;
    const defaultTaxCode = input.DefaultTaxCodeRef ?? (taxable && prefs.TaxPrefs?.TaxGroupCodeRef ? { value: prefs.TaxPrefs.TaxGroupCodeRef.value } : undefined);
    const object = compact({
      ...input,
      DisplayName: displayName,
      FullyQualifiedName: parent ? `${parent.target.FullyQualifiedName as string}:${displayName}` : displayName,
      PrintOnCheckName: input.PrintOnCheckName ?? input.CompanyName ?? displayName,
      Active: input.Active ?? true,
      Job: parent ? true : (input.Job ?? false),
      ParentRef: parent?.ref,
      BillWithParent: input.BillWithParent ?? false,
      SalesTermRef: term?.ref,
      Taxable: taxable,
      DefaultTaxCodeRef: defaultTaxCode,
      PreferredDeliveryMethod: input.PreferredDeliveryMethod ?? 'Print',
      CurrencyRef: existing?.CurrencyRef ?? input.CurrencyRef ?? { ...HOME_CURRENCY_REF },
      Balance: existing?.Balance ?? 0,
      BalanceWithJobs: existing?.BalanceWithJobs ?? 0,
    });
    withAddressIds(company, object, ['BillAddr', 'ShipAddr']);
    return object;
  },
};

export const vendorRules: EntityRules = {
  entity: 'Vendor',
  keepOnFullUpdate: ['Balance', 'CurrencyRef'],
  build(company, input, existing) {
    const displayName = checkDisplayName(company, 'Vendor', input, existing);
    const object = compact({
      ...input,
      DisplayName: displayName,
      PrintOnCheckName: input.PrintOnCheckName ?? input.CompanyName ?? displayName,
      Active: input.Active ?? true,
      Vendor1099: input.Vendor1099 ?? false,
      CurrencyRef: existing?.CurrencyRef ?? input.CurrencyRef ?? { ...HOME_CURRENCY_REF },
      Balance: existing?.Balance ?? 0,
    });
    withAddressIds(company, object, ['BillAddr']);
    return object;
  },
};

export const employeeRules: EntityRules = {
  entity: 'Employee',
  build(company, input, existing) {
    const displayName = checkDisplayName(company, 'Employee', input, existing);
    return compact({ ...input, DisplayName: displayName, PrintOnCheckName: input.PrintOnCheckName ?? displayName, Active: input.Active ?? true });
  },
};
