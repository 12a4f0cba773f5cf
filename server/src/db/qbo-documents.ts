import { z } from 'zod';
import type { QboDocument, QboDocumentKind } from '../sync/model';
import type { CopyState } from '../sync/qbo-changes';
import { bigintColumn, dateColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/** DealBooks' copy of the QBO documents it made for deals: the card reads these, never QBO directly. */
export interface StoredDocument extends QboDocument {
  portalId: number;
  connectionId: number;
  dealId: string | null;
  refreshedAt: string;
  /** Whether QuickBooks' BillEmail is known for this copy (copies made before DealBooks kept it do not know). */
  billEmailKnown: boolean;
  /** What a person did to the document in QuickBooks: voided or deleted it (sync/qbo-changes.ts), else 'active'. */
  qboState: CopyState;
  /** When DealBooks saw the document become voided or deleted. */
  stateChangedAt: string | null;
}

type Db = Queryable;

const documentRow = z.object({
  portal_id: bigintColumn,
  connection_id: bigintColumn,
  deal_id: z.string().nullable(),
  kind: z.enum(['invoice', 'estimate']),
  qbo_id: z.string(),
  doc_number: z.string().nullable(),
  customer_id: z.string(),
  txn_date: dateColumn,
  due_date: dateColumn.nullable(),
  expiration_date: dateColumn.nullable(),
  currency: z.string().nullable(),
  total_cents: bigintColumn,
  balance_cents: bigintColumn.nullable(),
  tax_cents: bigintColumn,
  txn_status: z.string().nullable(),
  email_status: z.string().nullable(),
  sync_token: z.string(),
  linked: z.array(z.object({ id: z.string(), type: z.string() })).nullable(),
  web_url: z.string(),
  bill_email: z.string().nullable(),
  refreshed_at: timestampColumn,
  qbo_updated_at: timestampColumn.nullable(),
  qbo_state: z.enum(['active', 'voided', 'deleted']),
  state_changed_at: timestampColumn.nullable(),
});

function toDocument(row: unknown): StoredDocument {
  const r = parseRow('qbo_documents', documentRow, row);
  return {
    portalId: r.portal_id,
    connectionId: r.connection_id,
    dealId: r.deal_id,
    kind: r.kind,
    id: r.qbo_id,
    docNumber: r.doc_number,
    customerId: r.customer_id,
    txnDate: r.txn_date,
    dueDate: r.due_date,
    expirationDate: r.expiration_date,
    // char(3) pads; the code itself never has blanks.
    currency: r.currency ? r.currency.trim() : null,
    totalCents: r.total_cents,
    balanceCents: r.balance_cents,
    taxCents: r.tax_cents,
    txnStatus: r.txn_status,
    emailStatus: r.email_status,
    // The copy keeps QBO's void as its state rather than the whole note; it reads as QBO marks a voided document
    // ("Voided" at the start of PrivateNote), so the status rules of sync/document-status.ts judge the copy as QBO's own.
    privateNote: r.qbo_state === 'voided' ? 'Voided' : null,
    syncToken: r.sync_token,
    linked: r.linked ?? [],
    billEmail: r.bill_email === null || r.bill_email === '' ? null : r.bill_email,
    billEmailKnown: r.bill_email !== null,
    webUrl: r.web_url,
    refreshedAt: r.refreshed_at.toISOString(),
    updatedAt: r.qbo_updated_at ? r.qbo_updated_at.toISOString() : null,
    qboState: r.qbo_state,
    stateChangedAt: r.state_changed_at ? r.state_changed_at.toISOString() : null,
  };
}

/**
 * Writes DealBooks' copy of a document as given (a new copy, or every field of an existing one). Whether the given
 * version may replace the copy is the caller's decision (quote-to-cash/document-copies.ts, under `lockDocument`).
 * `state` is what QBO shows of a void or a deletion; `stateChangedAt` stays as it was unless the state changes.
 * A new copy is made only for a document DealBooks just created from the deal's line items, so its pre-tax total
 * (QBO's TotalAmt less the tax) is what the line items came to: kept as `built_total_cents`, never updated, so a
 * total later edited in QuickBooks can be flagged against it.
 */
export async function saveDocument(
  db: Db,
  input: { portalId: number; connectionId: number; dealId: string | null; document: QboDocument; state?: CopyState },
  now: Date,
): Promise<void> {
  const d = input.document;
  await db.query(
    `INSERT INTO qbo_documents (portal_id, connection_id, kind, qbo_id, deal_id, customer_id, doc_number, txn_date, due_date, expiration_date,
                                currency, total_cents, balance_cents, tax_cents, txn_status, email_status, web_url, linked, sync_token, refreshed_at, bill_email,
                                qbo_updated_at, qbo_state, state_changed_at, built_total_cents)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
             CASE WHEN $23 <> 'active' THEN $20::timestamptz END, $12::bigint - $14::bigint)
     ON CONFLICT (connection_id, kind, qbo_id) DO UPDATE SET
       deal_id = COALESCE(EXCLUDED.deal_id, qbo_documents.deal_id), customer_id = EXCLUDED.customer_id, doc_number = EXCLUDED.doc_number,
       txn_date = EXCLUDED.txn_date, due_date = EXCLUDED.due_date, expiration_date = EXCLUDED.expiration_date, currency = EXCLUDED.currency,
       total_cents = EXCLUDED.total_cents, balance_cents = EXCLUDED.balance_cents, tax_cents = EXCLUDED.tax_cents,
       txn_status = EXCLUDED.txn_status, email_status = EXCLUDED.email_status, web_url = EXCLUDED.web_url, linked = EXCLUDED.linked,
       sync_token = EXCLUDED.sync_token, refreshed_at = EXCLUDED.refreshed_at, bill_email = EXCLUDED.bill_email,
       qbo_updated_at = COALESCE(EXCLUDED.qbo_updated_at, qbo_documents.qbo_updated_at), qbo_state = EXCLUDED.qbo_state,
       state_changed_at = CASE WHEN EXCLUDED.qbo_state <> qbo_documents.qbo_state THEN EXCLUDED.refreshed_at ELSE qbo_documents.state_changed_at END`,
    [
      input.portalId,
      input.connectionId,
      d.kind,
      d.id,
      input.dealId,
      d.customerId,
      d.docNumber,
      d.txnDate,
      d.dueDate,
      d.expirationDate,
      d.currency,
      d.totalCents,
      d.balanceCents,
      d.taxCents,
      d.txnStatus,
      d.emailStatus,
      d.webUrl,
      JSON.stringify(d.linked),
      d.syncToken,
      now,
      d.billEmail ?? '',
      d.updatedAt ?? null,
      input.state ?? 'active',
    ],
  );
}

/** The copy, locked until the caller's transaction ends (so two changes to one document are decided one at a time). */
export async function lockDocument(db: Db, connectionId: number, kind: QboDocumentKind, qboId: string): Promise<StoredDocument | null> {
  const { rows } = await db.query(`SELECT * FROM qbo_documents WHERE connection_id = $1 AND kind = $2 AND qbo_id = $3 FOR UPDATE`, [connectionId, kind, qboId]);
  return rows[0] ? toDocument(rows[0]) : null;
}

/** The document was deleted in QuickBooks: the copy stays as history, marked deleted (once: the first time counts). */
export async function markDocumentDeleted(db: Db, connectionId: number, kind: QboDocumentKind, qboId: string, input: { deletedAt: Date | null }, now: Date): Promise<void> {
  await db.query(
    `UPDATE qbo_documents SET qbo_state = 'deleted', state_changed_at = $4, refreshed_at = $4,
            qbo_updated_at = GREATEST(qbo_updated_at, $5::timestamptz)
      WHERE connection_id = $1 AND kind = $2 AND qbo_id = $3 AND qbo_state <> 'deleted'`,
    [connectionId, kind, qboId, now, input.deletedAt],
  );
}

/** The copies DealBooks holds of these documents of the connection (any state). */
export async function documentsByIds(db: Db, connectionId: number, kind: QboDocumentKind, qboIds: readonly string[]): Promise<StoredDocument[]> {
  if (qboIds.length === 0) return [];
  const { rows } = await db.query(`SELECT * FROM qbo_documents WHERE connection_id = $1 AND kind = $2 AND qbo_id = ANY($3::text[]) ORDER BY qbo_id`, [connectionId, kind, [...qboIds]]);
  return rows.map(toDocument);
}

/** The ids of the connection's documents of a kind that are not deleted (what a full re-read looks at). */
export async function liveDocumentIds(db: Db, connectionId: number, kind: QboDocumentKind): Promise<string[]> {
  const { rows } = await db.query(`SELECT qbo_id FROM qbo_documents WHERE connection_id = $1 AND kind = $2 AND qbo_state <> 'deleted' ORDER BY qbo_id`, [connectionId, kind]);
  return rows.map((row) => parseRow('qbo_documents', z.object({ qbo_id: z.string() }), row).qbo_id);
}

/** The connection's invoices of a customer that are neither voided nor deleted and not paid in full. */
export async function openInvoicesOfCustomer(db: Db, connectionId: number, customerId: string): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT qbo_id FROM qbo_documents WHERE connection_id = $1 AND kind = 'invoice' AND customer_id = $2 AND qbo_state = 'active' AND COALESCE(balance_cents, total_cents) > 0 ORDER BY qbo_id`,
    [connectionId, customerId],
  );
  return rows.map((row) => parseRow('qbo_documents', z.object({ qbo_id: z.string() }), row).qbo_id);
}

export async function documentsOfDeal(db: Db, portalId: number, connectionId: number, dealId: string): Promise<StoredDocument[]> {
  const { rows } = await db.query(
    `SELECT * FROM qbo_documents WHERE portal_id = $1 AND connection_id = $2 AND deal_id = $3 ORDER BY kind, txn_date DESC, qbo_id DESC`,
    [portalId, connectionId, dealId],
  );
  return rows.map(toDocument);
}

/** A document of this account (through its live connection); null for another account's document. */
export async function documentOf(db: Db, portalId: number, connectionId: number, kind: QboDocumentKind, qboId: string): Promise<StoredDocument | null> {
  const { rows } = await db.query(`SELECT * FROM qbo_documents WHERE portal_id = $1 AND connection_id = $2 AND kind = $3 AND qbo_id = $4`, [portalId, connectionId, kind, qboId]);
  return rows[0] ? toDocument(rows[0]) : null;
}
