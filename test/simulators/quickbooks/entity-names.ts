/**
 * The QBO entities the simulator knows, their URL path segment (lower-case, as QBO spells it) and which Id space
 * they draw from: names (Customer/Vendor/Employee) share one sequence and transactions share another, like QBO,
 * so an Id never points at two different transactions.
 */
export const ENTITY_NAMES = [
  'Customer',
  'Vendor',
  'Employee',
  'Item',
  'Invoice',
  'Estimate',
  'Payment',
  'CreditMemo',
  'SalesReceipt',
  'RefundReceipt',
  'Deposit',
  'Term',
  'TaxCode',
  'TaxRate',
  'Class',
  'Department',
  'Account',
  'Preferences',
  'CompanyInfo',
] as const;

export type EntityName = (typeof ENTITY_NAMES)[number];

/** An entity payload: open JSON, as QBO's are. */
// `any` on purpose: QBO payloads are open-ended JSON and the rules read deep optional paths.
export type QboObject = Record<string, any>;

export const NAME_ENTITIES: readonly EntityName[] = ['Customer', 'Vendor', 'Employee'];
export const TRANSACTION_ENTITIES: readonly EntityName[] = ['Invoice', 'Estimate', 'Payment', 'CreditMemo', 'SalesReceipt', 'RefundReceipt', 'Deposit'];

export function idSpaceOf(entity: EntityName): string {
  if (NAME_ENTITIES.includes(entity)) return 'name';
  if (TRANSACTION_ENTITIES.includes(entity)) return 'txn';
  return entity;
}

/** `invoice` / `Invoice` / `INVOICE` -> 'Invoice'; undefined for anything else. */
export function entityFromName(name: string): EntityName | undefined {
  const lower = name.toLowerCase();
  return ENTITY_NAMES.find((e) => e.toLowerCase() === lower);
}
