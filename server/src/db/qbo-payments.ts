import { z } from 'zod';
import type { PaymentApplication } from '../sync/payment-applications';
import type { CopyState } from '../sync/qbo-changes';
import { bigintColumn, dateColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * DealBooks' copy of the QBO payments that touch its invoices (qbo_payments), and how much of each went to which
 * invoice (qbo_payment_applications, replaced as a whole whenever the payment changes). A voided or deleted payment
 * stays, marked so, and applies nothing.
 */
export interface StoredPayment {
  portalId: number;
  connectionId: number;
  qboId: string;
  customerId: string | null;
  /** `YYYY-MM-DD`. */
  txnDate: string | null;
  currency: string | null;
  totalCents: number;
  method: string | null;
  reference: string | null;
  state: CopyState;
  syncToken: string | null;
  updatedAt: string | null;
  refreshedAt: string;
  applications: PaymentApplication[];
}

export interface NewPayment {
  portalId: number;
  connectionId: number;
  qboId: string;
  customerId: string | null;
  txnDate: string | null;
  currency: string | null;
  totalCents: number;
  method: string | null;
  reference: string | null;
  state: CopyState;
  syncToken: string | null;
  updatedAt: string | null;
}

const paymentRow = z.object({
  portal_id: bigintColumn,
  connection_id: bigintColumn,
  qbo_id: z.string(),
  customer_id: z.string().nullable(),
  txn_date: dateColumn.nullable(),
  currency: z.string().nullable(),
  total_cents: bigintColumn,
  method: z.string().nullable(),
  reference: z.string().nullable(),
  qbo_state: z.enum(['active', 'voided', 'deleted']),
  sync_token: z.string().nullable(),
  qbo_updated_at: timestampColumn.nullable(),
  refreshed_at: timestampColumn,
});

const applicationRow = z.object({ payment_id: z.string(), invoice_id: z.string(), amount_cents: bigintColumn, credit_cents: bigintColumn });

function toPayment(row: unknown, applications: PaymentApplication[]): StoredPayment {
  const r = parseRow('qbo_payments', paymentRow, row);
  return {
    portalId: r.portal_id,
    connectionId: r.connection_id,
    qboId: r.qbo_id,
    customerId: r.customer_id,
    txnDate: r.txn_date,
    currency: r.currency ? r.currency.trim() : null,
    totalCents: r.total_cents,
    method: r.method,
    reference: r.reference,
    state: r.qbo_state,
    syncToken: r.sync_token,
    updatedAt: r.qbo_updated_at ? r.qbo_updated_at.toISOString() : null,
    refreshedAt: r.refreshed_at.toISOString(),
    applications,
  };
}

async function applicationsOf(db: Queryable, connectionId: number, paymentIds: string[]): Promise<Map<string, PaymentApplication[]>> {
  const byPayment = new Map<string, PaymentApplication[]>();
  if (paymentIds.length === 0) return byPayment;
  const { rows } = await db.query(
    `SELECT payment_id, invoice_id, amount_cents, credit_cents FROM qbo_payment_applications WHERE connection_id = $1 AND payment_id = ANY($2::text[]) ORDER BY payment_id, invoice_id`,
    [connectionId, paymentIds],
  );
  for (const row of rows) {
    const r = parseRow('qbo_payment_applications', applicationRow, row);
    byPayment.set(r.payment_id, [...(byPayment.get(r.payment_id) ?? []), { invoiceId: r.invoice_id, amountCents: r.amount_cents, creditCents: r.credit_cents }]);
  }
  return byPayment;
}

/** The stored payment with its applications, locked until the caller's transaction ends; null when not stored. */
/** Holds, until the transaction ends, the right to decide about this payment, whether or not it is stored yet. */
export async function lockPaymentKey(db: Queryable, connectionId: number, qboId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('qbo_payments:' || $1::text || ':' || $2::text, 0))`, [connectionId, qboId]);
}

export async function lockPayment(db: Queryable, connectionId: number, qboId: string): Promise<StoredPayment | null> {
  const { rows } = await db.query(`SELECT * FROM qbo_payments WHERE connection_id = $1 AND qbo_id = $2 FOR UPDATE`, [connectionId, qboId]);
  if (!rows[0]) return null;
  return toPayment(rows[0], (await applicationsOf(db, connectionId, [qboId])).get(qboId) ?? []);
}

export async function readPayment(db: Queryable, connectionId: number, qboId: string): Promise<StoredPayment | null> {
  const { rows } = await db.query(`SELECT * FROM qbo_payments WHERE connection_id = $1 AND qbo_id = $2`, [connectionId, qboId]);
  if (!rows[0]) return null;
  return toPayment(rows[0], (await applicationsOf(db, connectionId, [qboId])).get(qboId) ?? []);
}

/** Stores the payment as QBO has it now and replaces its applications with `applications` (none when voided or deleted). */
export async function savePayment(db: Queryable, payment: NewPayment, applications: readonly PaymentApplication[], now: Date): Promise<void> {
  await db.query(
    `INSERT INTO qbo_payments (portal_id, connection_id, qbo_id, customer_id, txn_date, currency, total_cents, method, reference, qbo_state, sync_token, qbo_updated_at, refreshed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (connection_id, qbo_id) DO UPDATE SET
       customer_id = EXCLUDED.customer_id, txn_date = EXCLUDED.txn_date, currency = EXCLUDED.currency, total_cents = EXCLUDED.total_cents,
       method = EXCLUDED.method, reference = EXCLUDED.reference, qbo_state = EXCLUDED.qbo_state, sync_token = EXCLUDED.sync_token,
       qbo_updated_at = COALESCE(EXCLUDED.qbo_updated_at, qbo_payments.qbo_updated_at), refreshed_at = EXCLUDED.refreshed_at`,
    [
      payment.portalId,
      payment.connectionId,
      payment.qboId,
      payment.customerId,
      payment.txnDate,
      payment.currency,
      payment.totalCents,
      payment.method,
      payment.reference,
      payment.state,
      payment.syncToken,
      payment.updatedAt,
      now,
    ],
  );
  await db.query('DELETE FROM qbo_payment_applications WHERE connection_id = $1 AND payment_id = $2', [payment.connectionId, payment.qboId]);
  if (applications.length === 0) return;
  await db.query(
    `INSERT INTO qbo_payment_applications (connection_id, payment_id, invoice_id, amount_cents, credit_cents)
     SELECT $1, $2, a.invoice_id, a.amount_cents, a.credit_cents FROM jsonb_to_recordset($3::jsonb) AS a(invoice_id text, amount_cents bigint, credit_cents bigint)`,
    [payment.connectionId, payment.qboId, JSON.stringify(applications.map((a) => ({ invoice_id: a.invoiceId, amount_cents: a.amountCents, credit_cents: a.creditCents })))],
  );
}

/** The payment was deleted in QuickBooks: it stays, marked deleted, and applies nothing any more. */
export async function markPaymentDeleted(db: Queryable, connectionId: number, qboId: string, deletedAt: Date | null, now: Date): Promise<void> {
  await db.query(
    `UPDATE qbo_payments SET qbo_state = 'deleted', refreshed_at = $3, qbo_updated_at = GREATEST(qbo_updated_at, $4::timestamptz) WHERE connection_id = $1 AND qbo_id = $2`,
    [connectionId, qboId, now, deletedAt],
  );
  await db.query('DELETE FROM qbo_payment_applications WHERE connection_id = $1 AND payment_id = $2', [connectionId, qboId]);
}

/** The payments applied to an invoice now (voided and deleted ones apply nothing), oldest first. */
export async function paymentsOfInvoice(db: Queryable, connectionId: number, invoiceId: string): Promise<StoredPayment[]> {
  const { rows } = await db.query(
    `SELECT p.* FROM qbo_payments p JOIN qbo_payment_applications a ON a.connection_id = p.connection_id AND a.payment_id = p.qbo_id
      WHERE p.connection_id = $1 AND a.invoice_id = $2 ORDER BY p.txn_date NULLS LAST, p.qbo_id`,
    [connectionId, invoiceId],
  );
  const ids = rows.map((row) => parseRow('qbo_payments', z.object({ qbo_id: z.string() }), row).qbo_id);
  const applications = await applicationsOf(db, connectionId, ids);
  return rows.map((row, i) => toPayment(row, applications.get(ids[i]!) ?? []));
}

/** The ids of the connection's payments that are not deleted (what a full re-read looks at). */
export async function livePaymentIds(db: Queryable, connectionId: number): Promise<string[]> {
  const { rows } = await db.query(`SELECT qbo_id FROM qbo_payments WHERE connection_id = $1 AND qbo_state <> 'deleted' ORDER BY qbo_id`, [connectionId]);
  return rows.map((row) => parseRow('qbo_payments', z.object({ qbo_id: z.string() }), row).qbo_id);
}

/** Invoices that were paid in part with a credit memo's credit (at most `limit`): what a deleted credit memo may touch. */
export async function invoicesPaidWithCredit(db: Queryable, connectionId: number, limit: number): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT invoice_id FROM qbo_payment_applications WHERE connection_id = $1 AND credit_cents > 0 ORDER BY invoice_id LIMIT $2`,
    [connectionId, limit],
  );
  return rows.map((row) => parseRow('qbo_payment_applications', z.object({ invoice_id: z.string() }), row).invoice_id);
}
