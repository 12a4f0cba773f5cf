import { z } from 'zod';
import type { QboState } from '../sync/document-status';
import type { InvoicePayment } from '../sync/invoice-money';
import type { NotePaymentState } from '../sync/money-notes';
import { bigintColumn, dateColumn, parseRow, timestampColumn } from './rows';
import type { Queryable } from './transaction';

/**
 * The deal side's reads of what QuickBooks did after DealBooks made a document: the state of each copy (voided,
 * deleted, edited against the total DealBooks built), the payments applied to the deal's invoices, and what
 * DealBooks last heard from QuickBooks. Every read is scoped to the account and its connection, so one HubSpot
 * account never reads another's money.
 */
const state = z.enum(['active', 'voided', 'deleted']);

export interface DocumentMoneyState {
  kind: 'invoice' | 'estimate';
  qboId: string;
  qboState: QboState;
  /** When DealBooks saw the document voided or deleted. */
  stateChangedAt: Date | null;
  /** QBO's own stamp of the version DealBooks holds. */
  qboUpdatedAt: Date | null;
  /** The total DealBooks built the document with (the deal's line items); null for documents made before it was kept. */
  builtTotalCents: number | null;
}

const documentStateRow = z.object({
  kind: z.enum(['invoice', 'estimate']),
  qbo_id: z.string(),
  qbo_state: state,
  state_changed_at: timestampColumn.nullable(),
  qbo_updated_at: timestampColumn.nullable(),
  built_total_cents: bigintColumn.nullable(),
});

/** The money-back columns of the deal's document copies (the rest of each copy comes from qbo-documents.ts). */
export async function documentStatesOfDeal(db: Queryable, portalId: number, connectionId: number, dealId: string): Promise<DocumentMoneyState[]> {
  const { rows } = await db.query(
    `SELECT kind, qbo_id, qbo_state, state_changed_at, qbo_updated_at, built_total_cents FROM qbo_documents
      WHERE portal_id = $1 AND connection_id = $2 AND deal_id = $3`,
    [portalId, connectionId, dealId],
  );
  return rows.map((row) => {
    const r = parseRow('qbo_documents', documentStateRow, row);
    return { kind: r.kind, qboId: r.qbo_id, qboState: r.qbo_state, stateChangedAt: r.state_changed_at, qboUpdatedAt: r.qbo_updated_at, builtTotalCents: r.built_total_cents };
  });
}

const applicationRow = z.object({
  payment_id: z.string(),
  invoice_id: z.string(),
  amount_cents: bigintColumn,
  credit_cents: bigintColumn,
  txn_date: dateColumn.nullable(),
  total_cents: bigintColumn,
  method: z.string().nullable(),
  reference: z.string().nullable(),
  qbo_state: state,
});

/** What each payment of the account's connection applied to these invoices, oldest first (any payment state). */
export async function paymentsOfInvoices(db: Queryable, portalId: number, connectionId: number, invoiceIds: readonly string[]): Promise<InvoicePayment[]> {
  if (invoiceIds.length === 0) return [];
  const { rows } = await db.query(
    `SELECT a.payment_id, a.invoice_id, a.amount_cents, a.credit_cents, p.txn_date, p.total_cents, p.method, p.reference, p.qbo_state
       FROM qbo_payment_applications a
       JOIN qbo_payments p ON p.connection_id = a.connection_id AND p.qbo_id = a.payment_id
      WHERE p.portal_id = $1 AND a.connection_id = $2 AND a.invoice_id = ANY($3::text[])
      ORDER BY p.txn_date NULLS LAST, length(a.payment_id), a.payment_id, a.invoice_id`,
    [portalId, connectionId, [...invoiceIds]],
  );
  return rows.map((row) => {
    const r = parseRow('qbo_payment_applications', applicationRow, row);
    return {
      paymentId: r.payment_id,
      invoiceId: r.invoice_id,
      txnDate: r.txn_date,
      amountCents: r.amount_cents,
      creditCents: r.credit_cents,
      state: r.qbo_state,
      method: r.method,
      reference: r.reference,
      paymentTotalCents: r.total_cents,
    };
  });
}

const paymentStateRow = z.object({ qbo_id: z.string(), qbo_state: state, txn_date: dateColumn.nullable(), total_cents: bigintColumn });

/** What is still known of these payments of the account's connection (a voided or deleted one applies nothing). */
export async function paymentStates(db: Queryable, portalId: number, connectionId: number, paymentIds: readonly string[]): Promise<NotePaymentState[]> {
  if (paymentIds.length === 0) return [];
  const { rows } = await db.query(`SELECT qbo_id, qbo_state, txn_date, total_cents FROM qbo_payments WHERE portal_id = $1 AND connection_id = $2 AND qbo_id = ANY($3::text[])`, [
    portalId,
    connectionId,
    [...paymentIds],
  ]);
  return rows.map((row) => {
    const r = parseRow('qbo_payments', paymentStateRow, row);
    return { paymentId: r.qbo_id, state: r.qbo_state, txnDate: r.txn_date, totalCents: r.total_cents };
  });
}

const heardRow = z.object({ last_heard_at: timestampColumn.nullable(), last_heard_what: z.string().nullable() });

/** What DealBooks last heard from the account's QuickBooks company and when; null when it has heard nothing yet. */
export async function lastHeardFromQuickBooks(db: Queryable, portalId: number, connectionId: number): Promise<{ at: Date; what: string | null } | null> {
  const { rows } = await db.query('SELECT last_heard_at, last_heard_what FROM qbo_change_checkpoints WHERE portal_id = $1 AND connection_id = $2', [portalId, connectionId]);
  if (!rows[0]) return null;
  const r = parseRow('qbo_change_checkpoints', heardRow, rows[0]);
  return r.last_heard_at === null ? null : { at: r.last_heard_at, what: r.last_heard_what };
}

const overdueRow = z.object({ portal_id: bigintColumn, deal_id: z.string() });

/**
 * Deals whose written days overdue no longer say what their linked open invoice is overdue by now: the days move on
 * with the calendar while nothing in QuickBooks changes. An open invoice is active, has a balance and a due date
 * before the company's today (now moved by the connection's UTC offset, UTC when unknown). Through live
 * connections only; at most `limit`, oldest due date first.
 */
export async function dealsWithStaleDaysOverdue(db: Queryable, now: Date, limit: number): Promise<Array<{ portalId: number; dealId: string }>> {
  const { rows } = await db.query(
    `WITH open_invoices AS (
       SELECT d.portal_id, d.deal_id, d.due_date,
              ((($1::timestamptz AT TIME ZONE 'UTC') + make_interval(mins => COALESCE(c.utc_offset_minutes, 0)))::date - d.due_date) AS days
         FROM qbo_documents d
         JOIN qbo_connections c ON c.id = d.connection_id AND c.portal_id = d.portal_id AND c.status <> 'disconnected'
         -- The deal's properties show its linked invoice (write-back.ts): another open invoice of the deal must not
         -- make it look stale forever.
         JOIN entity_links l ON l.connection_id = d.connection_id AND l.hubspot_object_type = 'deal' AND l.hubspot_object_id = d.deal_id
                            AND l.qbo_entity_type = 'Invoice' AND l.status = 'linked' AND l.qbo_entity_id = d.qbo_id
        WHERE d.kind = 'invoice' AND d.qbo_state = 'active' AND d.deal_id IS NOT NULL AND d.due_date IS NOT NULL
          AND COALESCE(d.balance_cents, d.total_cents) > 0
          -- A deal deleted in HubSpot is not written to, so it would look stale for ever.
          AND NOT EXISTS (SELECT 1 FROM deal_lifecycle g WHERE g.portal_id = d.portal_id AND g.deal_id = d.deal_id AND g.state <> 'live'))
     SELECT o.portal_id, o.deal_id, min(o.due_date) AS oldest
       FROM open_invoices o
       LEFT JOIN deal_written_properties w ON w.portal_id = o.portal_id AND w.deal_id = o.deal_id
      WHERE o.days > 0 AND COALESCE(w.properties->>'dealbooks_days_overdue', '') <> o.days::text
      GROUP BY o.portal_id, o.deal_id
      ORDER BY oldest, o.portal_id, o.deal_id
      LIMIT $2`,
    [now, limit],
  );
  return rows.map((row) => {
    const r = parseRow('qbo_documents', overdueRow, row);
    return { portalId: r.portal_id, dealId: r.deal_id };
  });
}
