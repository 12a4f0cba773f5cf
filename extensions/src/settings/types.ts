/**
 * The DealBooks answers the settings page reads, as the page uses them (a subset of each). Written here, not imported
 * from server/: the extension is built and uploaded on its own and must not pull server code into HubSpot's bundle.
 */

export type DocumentKind = 'invoice' | 'estimate';

/** The quote-to-cash settings document (server/src/sync/settings.ts settingsSchema), sent back whole on save. */
export interface Settings {
  autoInvoice: boolean;
  triggerStages: Record<string, string[]>;
  documentKind: DocumentKind;
  delivery: 'send' | 'review';
  termId: string | null;
  txnDate: 'close_date' | 'today';
  defaultItemId: string | null;
  taxCodes: { taxable: string | null; nonTaxable: string | null };
  classId: string | null;
  memoTemplate: string;
  customers: { createWhenNoMatch: boolean; matchThreshold: number; projectPerDeal: boolean };
  billEmail: 'quickbooks-customer' | 'hubspot-contact';
  inactiveCustomer: 'ask' | 'reactivate' | 'create-new';
  convertAcceptedEstimates: boolean;
  creators: 'everyone' | string[];
  overdueTasks: { enabled: boolean; thresholds: number[] };
}

export interface PipelineView {
  id: string;
  label: string;
  stages: Array<{ id: string; label: string }>;
  wonStages: string[];
  triggerStages: readonly string[];
}

export interface UnusableReference {
  field: string;
  id: string;
  message: string;
}

export interface Access {
  userId: string | null;
  isAdmin: boolean;
  admins: string[];
  /** May create documents, and so decide which QuickBooks customer a deal is billed to (absent: an older DealBooks). */
  mayCreate?: boolean;
}

/** GET /api/settings. */
export interface SettingsView {
  settings: Settings;
  version: number;
  defaults: Settings;
  /** Null when HubSpot's pipelines could not be read just now. */
  pipelines: PipelineView[] | null;
  unusableReferences: UnusableReference[] | null;
  updatedAt: string | null;
  access: Access;
}

/** GET /api/quickbooks/status. */
export interface QuickbooksStatus {
  status: 'not_connected' | 'connected' | 'needs_reconnect' | 'disconnected';
  company: { realmId: string; name: string | null; country: string | null; homeCurrency: string | null } | null;
  connectedAt: string | null;
  connectedBy: string | null;
  problem: string | null;
  action: { label: string } | null;
  waitingJobs: number;
}

export interface ConnectUrl {
  url: string;
  expiresAt: string;
}

export interface TestAnswer {
  ok: true;
  company: { realmId: string; name: string | null };
}

export interface DisconnectAnswer {
  message: string;
}

export interface QboItem {
  id: string;
  name: string;
  type: string;
  sku: string | null;
  active: boolean;
}
export interface QboTerm {
  id: string;
  name: string;
  dueDays: number | null;
}
export interface QboClass {
  id: string;
  name: string;
  fullyQualifiedName: string;
}
export interface QboTaxCode {
  id: string;
  name: string;
  taxable: boolean;
}
export interface QboCustomer {
  id: string;
  displayName: string;
  email: string | null;
  active: boolean;
}

export interface ProductMapping {
  productId: string;
  productName: string | null;
  sku: string | null;
  itemId: string | null;
  itemName: string | null;
  method: string | null;
  suggestion: { itemId: string; itemName: string; reason: 'sku' | 'name'; score: number } | null;
}

export interface CustomerCandidate {
  id: string;
  displayName: string;
  email: string | null;
  score: number;
  reason: string;
}

export interface CustomerReview {
  dealId: string | null;
  /** The company's name as DealBooks stored it when the review began (any JSON; shown only when it is a string). */
  name: unknown;
  candidates: CustomerCandidate[];
  since: string;
  /** Words for an entry with no candidate left; null otherwise. */
  message: string | null;
}

export interface Problem {
  code: string;
  message: string;
}

export interface DryRunDeal {
  dealId: string;
  dealName: string | null;
  closeDate: string | null;
  amount: string | null;
  /** The document auto-invoice would create now (the preview's document), null when it could not. */
  document: { kind: DocumentKind; customer: { displayName: string }; totalCents: number; currency: string | null } | null;
  problems: Problem[];
}

export type SyncOutcome = 'succeeded' | 'failed' | 'skipped' | 'blocked' | 'retrying';

export interface SyncLogEntry {
  id: number;
  occurredAt: string;
  action: string;
  outcome: SyncOutcome;
  message: string;
  dealId: string | null;
  /** The deal's action this attempt belonged to; only such an entry can be retried. */
  dealActionId?: number | null;
  qboEntityType: string | null;
  qboEntityId: string | null;
}

export interface SyncLogPage {
  entries: SyncLogEntry[];
  next: { before: number } | null;
}

export interface LeaveResult {
  deleted: true;
  todo: string[];
}
