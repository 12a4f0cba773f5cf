/**
 * List entities: Item, Account, Term, Class, Department, and the read-only tax lists (TaxCode, TaxRate).
 * Names are unique within their own list (6240), sub-entries get "Parent:Child" FullyQualifiedNames.
 */
import type { QboCompany } from '../company';
import type { EntityName, QboObject } from '../entity-names';
import { duplicateName, invalidValue, requiredParamMissing, stringTooLong } from '../fault';
import { isQboDate } from '../time';
import { HOME_CURRENCY_REF, compact, requireString, resolveOptionalRef, type EntityRules } from './rules';

/** How QBO names each list in its duplicate-name message. */
const LIST_KINDS: Partial<Record<EntityName, string>> = { Item: 'product or service', Account: 'account', Term: 'term', Class: 'class', Department: 'location' };

function assertUniqueName(company: QboCompany, entity: EntityName, name: string, existing: QboObject | undefined, field = 'Name'): void {
  const wanted = name.trim().toLowerCase();
  const holder = company.scan(entity).find(({ object: o }) => o.Id !== existing?.Id && typeof o[field] === 'string' && (o[field] as string).trim().toLowerCase() === wanted);
  if (holder) throw duplicateName(LIST_KINDS[entity] ?? entity.toLowerCase());
}

function checkName(company: QboCompany, entity: EntityName, input: QboObject, existing: QboObject | undefined, maxLength = 100): string {
  const name = requireString(input.Name, 'Name').trim();
  if (/[:\t\n\r]/.test(name)) throw invalidValue(`Name may not contain ':', tab or newline characters: ${JSON.stringify(name)}`, 'Name');
  if (name.length > maxLength) throw stringTooLong('Name', maxLength, name.length);
  return name;
}

/** FullyQualifiedName and Sub flag for hierarchical lists (Class, Department, Account, Item categories). */
function hierarchy(company: QboCompany, entity: EntityName, input: QboObject, name: string): { FullyQualifiedName: string; ParentRef?: QboObject } {
  const parent = resolveOptionalRef(company, entity, input.ParentRef, 'ParentRef');
  return parent ? { FullyQualifiedName: `${parent.target.FullyQualifiedName as string}:${name}`, ParentRef: { value: parent.ref.value } } : { FullyQualifiedName: name };
}

const SALES_ITEM_TYPES = new Set(['Service', 'NonInventory', 'Inventory']);
const ITEM_TYPES = new Set([...SALES_ITEM_TYPES, 'Group', 'Category']);

export const itemRules: EntityRules = {
  entity: 'Item',
  keepOnFullUpdate: ['QtyOnHand', 'InvStartDate'],
  build(company, input, existing) {
    const name = checkName(company, 'Item', input, existing);
    assertUniqueName(company, 'Item', name, existing);
    const type = (input.Type as string | undefined) ?? 'Service';
    if (!ITEM_TYPES.has(type)) throw invalidValue(`Invalid Item Type: ${type}`, 'Type');
    const accountRef = (element: string) => resolveOptionalRef(company, 'Account', input[element], element)?.ref;
    const income = accountRef('IncomeAccountRef');
    const expense = accountRef('ExpenseAccountRef');
    const asset = accountRef('AssetAccountRef');
    // Fixture fault_2020_required_param_missing.json: a sales item without its income account.
    if (SALES_ITEM_TYPES.has(type) && !income) throw requiredParamMissing('Required parameter ExpenseAccountRef or IncomeAccountRef is missing in the request', 'IncomeAccountRef');
    if (type === 'Inventory') {
      if (!asset) throw requiredParamMissing('Required parameter AssetAccountRef is missing in the request', 'AssetAccountRef');
      if (!expense) throw requiredParamMissing('Required parameter ExpenseAccountRef or IncomeAccountRef is missing in the request', 'ExpenseAccountRef');
      if (!isQboDate(input.InvStartDate)) throw requiredParamMissing('Required parameter InvStartDate is missing in the request', 'InvStartDate');
      if (typeof input.QtyOnHand !== 'number') throw requiredParamMissing('Required parameter QtyOnHand is missing in the request', 'QtyOnHand');
    }
    const tree = hierarchy(company, 'Item', input, name);
    return compact({
      ...input,
      Name: name,
      ...tree,
      SubItem: tree.ParentRef ? true : undefined,
      Type: type,
      Active: input.Active ?? true,
      Taxable: input.Taxable ?? false,
      UnitPrice: type === 'Category' ? undefined : (input.UnitPrice ?? 0),
      PurchaseCost: type === 'Category' ? undefined : (input.PurchaseCost ?? 0),
      TrackQtyOnHand: type === 'Category' ? undefined : (input.TrackQtyOnHand ?? type === 'Inventory'),
      IncomeAccountRef: income,
      ExpenseAccountRef: expense,
      AssetAccountRef: asset,
    });
  },
};

/** AccountType -> [Classification, default AccountSubType] (Intuit's account classification table). */
const ACCOUNT_TYPES: Record<string, [string, string]> = {
  Bank: ['Asset', 'Checking'],
  'Other Current Asset': ['Asset', 'OtherCurrentAssets'],
  'Fixed Asset': ['Asset', 'OtherFixedAssets'],
  'Other Asset': ['Asset', 'OtherLongTermAssets'],
  'Accounts Receivable': ['Asset', 'AccountsReceivable'],
  Equity: ['Equity', 'OwnersEquity'],
  Expense: ['Expense', 'OtherMiscellaneousServiceCost'],
  'Other Expense': ['Expense', 'OtherMiscellaneousExpense'],
  'Cost of Goods Sold': ['Expense', 'SuppliesMaterialsCogs'],
  'Accounts Payable': ['Liability', 'AccountsPayable'],
  'Credit Card': ['Liability', 'CreditCard'],
  'Long Term Liability': ['Liability', 'OtherLongTermLiabilities'],
  'Other Current Liability': ['Liability', 'OtherCurrentLiabilities'],
  Income: ['Revenue', 'ServiceFeeIncome'],
  'Other Income': ['Revenue', 'OtherMiscellaneousIncome'],
};

export const accountRules: EntityRules = {
  entity: 'Account',
  keepOnFullUpdate: ['CurrentBalance', 'CurrentBalanceWithSubAccounts', 'CurrencyRef'],
  build(company, input, existing) {
    const name = checkName(company, 'Account', input, existing);
    assertUniqueName(company, 'Account', name, existing);
    const type = requireString(input.AccountType, 'AccountType');
    const known = ACCOUNT_TYPES[type];
    if (!known) throw invalidValue(`Invalid AccountType: ${type}`, 'AccountType');
    const tree = hierarchy(company, 'Account', input, name);
    return compact({
      ...input,
      Name: name,
      ...tree,
      SubAccount: tree.ParentRef !== undefined,
      AccountType: type,
      Classification: known[0],
      AccountSubType: input.AccountSubType ?? known[1],
      Active: input.Active ?? true,
      CurrencyRef: existing?.CurrencyRef ?? { ...HOME_CURRENCY_REF },
      CurrentBalance: existing?.CurrentBalance ?? 0,
      CurrentBalanceWithSubAccounts: existing?.CurrentBalanceWithSubAccounts ?? 0,
    });
  },
};

export const termRules: EntityRules = {
  entity: 'Term',
  build(company, input, existing) {
    const name = checkName(company, 'Term', input, existing, 31);
    assertUniqueName(company, 'Term', name, existing);
    const dateDriven = input.Type === 'DATE_DRIVEN' || input.DayOfMonthDue !== undefined;
    if (dateDriven && typeof input.DayOfMonthDue !== 'number') throw requiredParamMissing('Required parameter DayOfMonthDue is missing in the request', 'DayOfMonthDue');
    return compact({
      ...input,
      Name: name,
      Type: dateDriven ? 'DATE_DRIVEN' : 'STANDARD',
      DueDays: dateDriven ? undefined : (input.DueDays ?? 0),
      DiscountPercent: input.DiscountPercent ?? 0,
      DiscountDays: dateDriven ? input.DiscountDays : (input.DiscountDays ?? 0),
      Active: input.Active ?? true,
    });
  },
};

function classLike(entity: 'Class' | 'Department', subFlag: 'SubClass' | 'SubDepartment'): EntityRules {
  return {
    entity,
    build(company, input, existing) {
      const name = checkName(company, entity, input, existing);
      const tree = hierarchy(company, entity, input, name);
      const clash = company.scan(entity).find(({ object: o }) => o.Id !== existing?.Id && String(o.FullyQualifiedName).toLowerCase() === tree.FullyQualifiedName.toLowerCase());
      if (clash) throw duplicateName(LIST_KINDS[entity] ?? entity.toLowerCase());
      return compact({ ...input, Name: name, ...tree, [subFlag]: tree.ParentRef !== undefined, Active: input.Active ?? true });
    },
  };
}

export const classRules = classLike('Class', 'SubClass');
export const departmentRules = classLike('Department', 'SubDepartment');

/** TaxCode/TaxRate are managed by QBO's tax services, not by entity writes; seeds go through the control API. */
export const taxCodeRules: EntityRules = { entity: 'TaxCode', readOnly: true, build: (_c, input) => input };
export const taxRateRules: EntityRules = { entity: 'TaxRate', readOnly: true, build: (_c, input) => input };

/** Sales tax rate (percent) of a tax code: the sum of its sales TaxRates' RateValue. */
export function salesTaxRatesOf(company: QboCompany, taxCodeId: string): Array<{ rateId: string; percent: number }> {
  const code = company.get('TaxCode', taxCodeId);
  const details = (code?.SalesTaxRateList?.TaxRateDetail ?? []) as QboObject[];
  return details.flatMap((detail) => {
    const rate = company.get('TaxRate', String(detail.TaxRateRef?.value));
    return rate && typeof rate.RateValue === 'number' ? [{ rateId: rate.Id as string, percent: rate.RateValue as number }] : [];
  });
}

