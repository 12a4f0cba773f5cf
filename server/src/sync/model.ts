/**
 * The plain objects the quote-to-cash engine works with. Adapters (hubspot/, quickbooks/) turn API payloads into
 * these; the engine (matching, building, preflight, states) takes and returns only these, so it is tested without
 * I/O. Money is integer cents (`number`, always an integer) or an exact decimal string; never a float sum.
 */

/** A HubSpot line item as DealBooks needs it. Decimal strings exactly as HubSpot sent them (e.g. "33.33", "1.5"). */
export interface LineItemSnapshot {
  id: string;
  name: string;
  description: string | null;
  productId: string | null;
  sku: string | null;
  /** Decimal string; HubSpot's default when absent is "1". */
  quantity: string;
  /** Decimal string (>= 0); null when the line has no price. */
  price: string | null;
  /** Per-unit discount amount (decimal string) or null. */
  discount: string | null;
  /** Percentage 0..100 (decimal string) or null. When both are set, the percentage wins (as HubSpot does). */
  discountPercentage: string | null;
  /** HubSpot's calculated amount (decimal string), for cross-checking. */
  amount: string | null;
  currency: string | null;
  /** The product's own name and SKU when the line names a product (they may differ from the line's). */
  product: { id: string; name: string | null; sku: string | null } | null;
}

export interface CompanySnapshot {
  id: string;
  name: string | null;
  domain: string | null;
  phone: string | null;
  address: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  country: string | null;
}

export interface ContactSnapshot {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

export interface DealSnapshot {
  id: string;
  name: string;
  stage: string | null;
  pipeline: string | null;
  /** Decimal string or null. */
  amount: string | null;
  /** `YYYY-MM-DD` (UTC date of HubSpot's closedate) or null. */
  closeDate: string | null;
  /** ISO 4217 code from deal_currency_code, or null (then the account's / QBO home currency applies). */
  currency: string | null;
  ownerId: string | null;
  /** Every property read, raw (includes DealBooks' own dealbooks_* properties). */
  properties: Record<string, string | null>;
  lineItems: LineItemSnapshot[];
  /** The primary company (association type 5), else the first associated company. */
  company: CompanySnapshot | null;
  /** The first associated contact, preferring one associated with the primary company. */
  contact: ContactSnapshot | null;
}

export interface PipelineStage {
  id: string;
  label: string;
  isClosed: boolean;
  /** 0..1, or null when HubSpot did not say. */
  probability: number | null;
}

export interface Pipeline {
  id: string;
  label: string;
  stages: PipelineStage[];
}

/** A QBO customer as DealBooks reads it. */
export interface QboCustomer {
  id: string;
  displayName: string;
  companyName: string | null;
  email: string | null;
  active: boolean;
  /** ISO 4217; QBO defaults a customer to the home currency. */
  currency: string | null;
  syncToken: string;
  /** A sub-customer / project. */
  job: boolean;
  parentId: string | null;
  /** The customer's own payment terms (SalesTermRef), used when DealBooks' settings name none. */
  termId?: string | null;
}

export interface QboItem {
  id: string;
  name: string;
  sku: string | null;
  type: string;
  active: boolean;
  taxable: boolean | null;
  /** Decimal string, or null. */
  unitPrice: string | null;
}

/** The QBO item a line item is sold as, and how it was found (items.ts). */
export interface ItemChoice {
  itemId: string;
  itemName: string;
  taxable: boolean | null;
  /** `default`: the product has no item of its own and the settings' default item stands in for it. */
  method: 'existing' | 'sku' | 'name' | 'default';
}

/** A QBO customer DealBooks is about to create, before QBO's field limits are applied (quickbooks/customer-body.ts). */
export interface CustomerDraft {
  displayName: string;
  companyName?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  email?: string | null;
  phone?: string | null;
  billAddr?: PostalAddress | null;
  notes?: string | null;
  /** ISO 4217; QBO lets it be set once, on create (default: the home currency). */
  currency?: string | null;
  /** Makes the customer a sub-customer (project) billed with this parent. */
  parentId?: string | null;
}

export interface PostalAddress {
  line1?: string | null;
  city?: string | null;
  countrySubDivisionCode?: string | null;
  postalCode?: string | null;
  country?: string | null;
}

export interface QboTerm {
  id: string;
  name: string;
  /** STANDARD terms: days after the transaction date; null for DATE_DRIVEN. */
  dueDays: number | null;
  dayOfMonthDue: number | null;
  active: boolean;
}

/**
 * What DealBooks keeps about a QBO company (from CompanyInfo and Preferences): its name for people, and what decides
 * whether a document can be written there (home currency, multicurrency, the book close date, custom numbers).
 */
export interface CompanyFacts {
  companyName: string | null;
  country: string | null;
  homeCurrency: string | null;
  multicurrencyEnabled: boolean | null;
  bookCloseDate: string | null;
  customTxnNumbers: boolean | null;
}

export type QboDocumentKind = 'invoice' | 'estimate';

/** What DealBooks keeps of a QBO invoice or estimate (cents are integers). */
export interface QboDocument {
  kind: QboDocumentKind;
  id: string;
  docNumber: string | null;
  customerId: string;
  txnDate: string;
  dueDate: string | null;
  expirationDate: string | null;
  currency: string | null;
  totalCents: number;
  balanceCents: number | null;
  taxCents: number;
  /** Estimate: Pending / Accepted / Rejected / Closed / Converted. Invoice: null. */
  txnStatus: string | null;
  emailStatus: string | null;
  privateNote: string | null;
  syncToken: string;
  /** Transactions linked to this one ({TxnId, TxnType}). */
  linked: Array<{ id: string; type: string }>;
  billEmail: string | null;
  /** For a person: the QBO web app link. */
  webUrl: string;
  /** QBO's MetaData.LastUpdatedTime of this version (which of two versions is newer: sync/qbo-changes.ts). */
  updatedAt?: string | null;
}

/** A blocking problem, in words a person can act on. */
export const PROBLEM_CODES = [
  'hubspot_uninstalled',
  'quickbooks_not_connected',
  'quickbooks_needs_reconnect',
  'deal_not_found',
  'no_line_items',
  'line_without_price',
  'unmapped_product',
  'closed_period',
  'currency_mismatch',
  'customer_needs_confirmation',
  'customer_missing',
  'no_bill_email',
  'not_allowed',
  'estimates_disabled',
  'qbo_rejected',
  'setting_unusable',
  // The deal is gone from HubSpot: deleted (work waits for a restore), or merged into another deal (work moved there).
  'deal_deleted',
  'deal_merged',
  // The work waits for its next attempt (sync/interruption.ts).
  'quickbooks_unavailable',
  'hubspot_unavailable',
  'temporarily_failed',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  code: ProblemCode;
  /** One or two sentences saying what is wrong and what to do. */
  message: string;
  /** What the problem is about, e.g. { lineItemId, productId, name } for unmapped_product. */
  subject?: Record<string, string>;
}
