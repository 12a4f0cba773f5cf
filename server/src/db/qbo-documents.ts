import { z } from 'zod';
import type { QboDocument, QboDocumentKind } from '../sync/model';
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
    privateNote: null,
    syncToken: r.sync_token,
    linked: r.linked ?? [],
    billEmail: r.bill_email === null || r.bill_email === '' ? null : r.bill_email,
    billEmailKnown: r.bill_email !== null,
    webUrl: r.web_url,
    refreshedAt: r.refreshed_at.toISOString(),
  };
}

export async function saveDocument(db: Db, input: { portalId: number; connectionId: number; dealId: string | null; document: QboDocument }, now: Date): Promise<void> {
  const d = input.document;
  await db.query(
    `INSERT INTO qbo_documents (portal_id, connection_id, kind, qbo_id, deal_id, customer_id, doc_number, txn_date, due_date, expiration_date,
                                currency, total_cents, balance_cents, tax_cents, txn_status, email_status, web_url, linked, sync_token, refreshed_at, bill_email)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
     ON CONFLICT (connection_id, kind, qbo_id) DO UPDATE SET
       deal_id = COALESCE(EXCLUDED.deal_id, qbo_documents.deal_id), customer_id = EXCLUDED.customer_id, doc_number = EXCLUDED.doc_number,
       txn_date = EXCLUDED.txn_date, due_date = EXCLUDED.due_date, expiration_date = EXCLUDED.expiration_date, currency = EXCLUDED.currency,
       total_cents = EXCLUDED.total_cents, balance_cents = EXCLUDED.balance_cents, tax_cents = EXCLUDED.tax_cents,
       txn_status = EXCLUDED.txn_status, email_status = EXCLUDED.email_status, web_url = EXCLUDED.web_url, linked = EXCLUDED.linked,
       sync_token = EXCLUDED.sync_token, refreshed_at = EXCLUDED.refreshed_at, bill_email = EXCLUDED.bill_email`,
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
    ],
  );
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
