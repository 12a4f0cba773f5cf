/**
 * DealBooks' answers as the extensions read them. The extensions are copied into HubSpot's project on their own, so
 * they cannot import the server's types; test/extensions/api-types.test.ts checks at compile time that the server's
 * answers still fit these, so the two cannot drift apart.
 */

export type AllowedAction =
  | 'create_invoice'
  | 'create_estimate'
  | 'convert_estimate'
  | 'send_invoice'
  | 'confirm_customer'
  | 'connect_quickbooks'
  | 'reconnect_quickbooks';

export type QboState = 'active' | 'voided' | 'deleted';

/** A problem DealBooks found, in words that say what to do; `code` tells the card which button can fix it. */
export interface Problem {
  code: string;
  message: string;
  subject?: Record<string, string>;
}

export interface Candidate {
  id: string;
  displayName: string;
  email: string | null;
  /** 0..1: how sure DealBooks is that this is the deal's customer. */
  score: number;
  reason: 'email' | 'name' | 'fuzzy' | 'inactive';
}

export interface PaymentView {
  id: string;
  date: string | null;
  amountCents: number;
  amount: string;
  creditCents: number;
  credit: string | null;
  method: string | null;
  reference: string | null;
  state: QboState;
}

export interface DocumentView {
  id: string;
  kind: 'invoice' | 'estimate';
  docNumber: string | null;
  status: string;
  state: QboState;
  daysOverdue: number | null;
  amountPaidCents: number | null;
  amountPaid: string | null;
  creditedCents: number | null;
  totalMismatch: string | null;
  convertedInvoice: { id: string; docNumber: string | null } | null;
  txnDate: string;
  dueDate: string | null;
  currency: string | null;
  totalCents: number;
  total: string;
  balanceCents: number | null;
  balance: string | null;
  emailStatus: string | null;
  billEmail: string | null;
  url: string;
  payments: PaymentView[];
}

export interface PendingWork {
  actionId: number;
  kind: string;
  status: string;
  createdAt: string;
  /** What the work waits for (a reconnect, QuickBooks answering again), in words; null when it is just running. */
  waitingFor: string | null;
  /** ISO time of the next attempt, when it waits out a failure that may pass. */
  nextAttemptAt: string | null;
}

export interface DealSummary {
  dealId: string;
  connection: { state: 'connected' | 'needs_reconnect' | 'not_connected'; companyName: string | null; message: string | null };
  customer:
    | {
        state: 'linked';
        id: string;
        displayName: string;
        method: string | null;
        confidence: number | null;
        url: string | null;
        /** The company (or contact) was merged in HubSpot into one billed to another QBO customer, offered instead. */
        partyMerge?: { message: string; other: { id: string; displayName: string } };
      }
    | { state: 'needs_confirmation'; candidates: Candidate[] }
    | { state: 'none' };
  invoices: DocumentView[];
  estimates: DocumentView[];
  lastHeardFromQuickBooks: { at: string; what: string | null } | null;
  pending: PendingWork[];
  problems: Problem[];
  allowedActions: AllowedAction[];
  /** Deals merged into this one in HubSpot; `message` when that left it with more than one invoice. */
  merge?: { mergedDealIds: string[]; message: string | null } | null;
}

export interface PreviewLine {
  lineItemId: string;
  description: string;
  itemName: string;
  quantity: string;
  unitPrice: string;
  amountCents: number;
  discountCents: number;
  taxCode: string | null;
  taxCodeFrom: 'settings' | 'quickbooks';
  usesDefaultItem: boolean;
}

export interface PreviewDocument {
  kind: 'invoice' | 'estimate';
  currency: string | null;
  txnDate: string;
  dueDate: string | null;
  terms: { id: string; name: string } | null;
  lines: PreviewLine[];
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
  memo: string | null;
  billEmail: string | null;
  /** What QuickBooks adds when it creates the document (sales tax), in words. */
  tax: { computedBy: 'quickbooks'; message: string };
  warnings: string[];
}

export interface Preview {
  dealId: string;
  kind: 'invoice' | 'estimate';
  problems: Problem[];
  customer:
    | { state: 'linked' | 'matched'; id: string; displayName: string; method: string; confidence: number | null }
    | { state: 'will_reactivate'; id: string; displayName: string; method: string; message: string }
    | { state: 'will_create'; displayName: string; email: string | null; requestedName?: string; message?: string }
    | { state: 'needs_confirmation'; candidates: Candidate[] }
    | { state: 'missing' }
    | null;
  document: PreviewDocument | null;
  delivery: 'send' | 'review';
  billEmail: { address: string | null; source: string | null };
}

/** The answer to a create, convert or send: the document already exists, or the work is queued (the card polls). */
export type ActionAnswer =
  | { status: 'exists'; document: { id: string; docNumber?: string | null; url?: string | null } }
  | { status: 'queued'; alreadyQueued: boolean; sendTo?: { address: string | null; source: string | null } | null };

export interface ConnectUrl {
  url: string;
  expiresAt: string;
}
