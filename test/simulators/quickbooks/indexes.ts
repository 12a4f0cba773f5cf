/**
 * The key indexes every company keeps, so the rules find related objects without scanning whole tables: documents
 * by DocNumber (numbering, duplicate checks), names by DisplayName (uniqueness across the name list), a customer's
 * transactions (Customer.Balance), the payments linking an invoice or credit memo, and the invoices linking an
 * estimate, the payments and sales receipts a deposit holds. An index only narrows the search: callers still check their own condition on what it returns.
 */
import { NAME_ENTITIES, type EntityName, type QboObject } from './entity-names';
import { depositedLinks } from './entities/deposit';
import { creditApplications, estimateLinksOf, paymentApplications } from './entities/links';

export interface IndexSpec {
  entities: readonly EntityName[];
  keys(object: QboObject): readonly string[];
}

/** How the name list compares DisplayNames: without case or surrounding blanks (6240). */
export const normaliseDisplayName = (name: string): string => name.trim().toLowerCase();

export const INDEXES = {
  docNumber: { entities: ['Invoice', 'CreditMemo', 'Estimate', 'SalesReceipt', 'RefundReceipt'], keys: (o) => (typeof o.DocNumber === 'string' ? [o.DocNumber] : []) },
  displayName: { entities: NAME_ENTITIES, keys: (o) => (typeof o.DisplayName === 'string' ? [normaliseDisplayName(o.DisplayName)] : []) },
  customer: { entities: ['Invoice', 'Payment', 'CreditMemo'], keys: (o) => [String(o.CustomerRef?.value)] },
  paidInvoice: { entities: ['Payment'], keys: (o) => [...paymentApplications(o).keys()] },
  usedCreditMemo: { entities: ['Payment'], keys: (o) => [...creditApplications(o).keys()] },
  linkedEstimate: { entities: ['Invoice'], keys: (o) => estimateLinksOf(o).map((l) => l.TxnId as string) },
  depositedTxn: { entities: ['Deposit'], keys: (o) => depositedLinks(o).map((l) => `${l.type}:${l.id}`) },
} satisfies Record<string, IndexSpec>;

export type IndexName = keyof typeof INDEXES;
