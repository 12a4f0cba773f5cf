import { z } from 'zod';
import type { OverdueInvoice, QboState } from '../sync/overdue';
import { bigintColumn, dateColumn, integerColumn, parseRow } from './rows';
import type { Queryable } from './transaction';

/**
 * Follow-up tasks for overdue invoices (overdue_tasks), one row per invoice and threshold. A row is reserved as
 * 'pending' before HubSpot is asked to create the task, 'open' once the task's id is stored, and 'completed' when
 * DealBooks completed the task (or found nothing left to do). The reservation is what makes the task exactly once.
 */
export type OverdueTaskStatus = 'pending' | 'open' | 'completed';

export interface OverdueTaskKey {
  connectionId: number;
  invoiceId: string;
  thresholdDays: number;
}

export interface OverdueTaskRow extends OverdueTaskKey {
  portalId: number;
  dealId: string;
  hubspotTaskId: string | null;
  status: OverdueTaskStatus;
  /** DealBooks' copy of the invoice now, or null when it has none (then nothing is left to collect). */
  invoice: InvoiceCopy | null;
}

/** DealBooks' copy of an invoice as it is now: its balance may be unknown (null), its state anything. */
export type InvoiceCopy = Omit<OverdueInvoice, 'balanceCents'> & { balanceCents: number | null; qboState: QboState };

/** An open invoice past its due date, with the highest threshold that already has a task (row) of its own. */
export interface OverdueCandidate extends OverdueInvoice {
  dealId: string;
  highestThresholdWithTask: number | null;
}

const invoiceColumns = {
  doc_number: z.string().nullable(),
  due_date: dateColumn.nullable(),
  currency: z.string().nullable(),
  total_cents: bigintColumn.nullable(),
  balance_cents: bigintColumn.nullable(),
  web_url: z.string().nullable(),
};

const candidateRow = z.object({
  connection_id: bigintColumn,
  qbo_id: z.string(),
  deal_id: z.string(),
  ...invoiceColumns,
  highest_threshold: integerColumn.nullable(),
});

/**
 * The account's invoices (of this connection) that belong to a deal, are active in QBO, still have money open and
 * were due before `today` (the company's date), oldest due first.
 */
export async function overdueCandidates(db: Queryable, portalId: number, connectionId: number, today: string): Promise<OverdueCandidate[]> {
  const { rows } = await db.query(
    `SELECT d.connection_id, d.qbo_id, d.deal_id, d.doc_number, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, d.currency, d.total_cents,
            d.balance_cents, d.web_url,
            (SELECT max(t.threshold_days) FROM overdue_tasks t WHERE t.connection_id = d.connection_id AND t.invoice_id = d.qbo_id) AS highest_threshold
       FROM qbo_documents d
      WHERE d.portal_id = $1 AND d.connection_id = $2 AND d.kind = 'invoice' AND d.qbo_state = 'active' AND d.balance_cents > 0
        AND d.deal_id IS NOT NULL AND d.due_date < $3::date
        -- No task on a deal deleted in HubSpot (a restore brings it back into this list).
        AND NOT EXISTS (SELECT 1 FROM deal_lifecycle g WHERE g.portal_id = d.portal_id AND g.deal_id = d.deal_id AND g.state <> 'live')
      ORDER BY d.due_date, d.qbo_id`,
    [portalId, connectionId, today],
  );
  return rows.map((row) => {
    const r = parseRow('qbo_documents', candidateRow, row);
    return { ...toInvoice(r.connection_id, r.qbo_id, r), balanceCents: r.balance_cents ?? 0, dealId: r.deal_id, highestThresholdWithTask: r.highest_threshold };
  });
}

function toInvoice(connectionId: number, invoiceId: string, r: { [K in keyof typeof invoiceColumns]: z.output<(typeof invoiceColumns)[K]> }): OverdueInvoice {
  return {
    connectionId,
    invoiceId,
    docNumber: r.doc_number,
    dueDate: r.due_date ?? '',
    // char(3) pads; the code itself never has blanks.
    currency: r.currency ? r.currency.trim() : null,
    totalCents: r.total_cents ?? 0,
    balanceCents: r.balance_cents ?? 0,
    webUrl: r.web_url ?? '',
  };
}

/**
 * Reserves the row for a task before HubSpot is asked to create it. False when the row exists already (another run
 * reserved it): then this run must not create the task.
 */
export async function reserveOverdueTask(db: Queryable, input: OverdueTaskKey & { portalId: number; dealId: string }, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO overdue_tasks (portal_id, connection_id, invoice_id, threshold_days, deal_id, status, created_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6)
     ON CONFLICT (connection_id, invoice_id, threshold_days) DO NOTHING`,
    [input.portalId, input.connectionId, input.invoiceId, input.thresholdDays, input.dealId, now],
  );
  return rowCount === 1;
}

/**
 * Stores the id of the task HubSpot created (or that was found by its marker) and opens the row. Returns the row's
 * status afterwards: 'completed' means it was settled in between, and the task just made must be completed too.
 */
export async function recordOverdueTaskCreated(db: Queryable, key: OverdueTaskKey, hubspotTaskId: string): Promise<OverdueTaskStatus | null> {
  const { rows } = await db.query(
    `UPDATE overdue_tasks SET hubspot_task_id = $4, status = CASE WHEN status = 'pending' THEN 'open' ELSE status END
      WHERE connection_id = $1 AND invoice_id = $2 AND threshold_days = $3
      RETURNING status`,
    [key.connectionId, key.invoiceId, key.thresholdDays, hubspotTaskId],
  );
  return rows[0] ? parseRow('overdue_tasks', z.object({ status: z.enum(['pending', 'open', 'completed']) }), rows[0]).status : null;
}

/** The row is done: its task completed, or (for a reservation whose task never came to exist) nothing left to do. */
export async function markOverdueTaskCompleted(db: Queryable, key: OverdueTaskKey, now: Date): Promise<void> {
  await db.query(
    `UPDATE overdue_tasks SET status = 'completed', completed_at = $4
      WHERE connection_id = $1 AND invoice_id = $2 AND threshold_days = $3 AND status <> 'completed'`,
    [key.connectionId, key.invoiceId, key.thresholdDays, now],
  );
}

const taskRow = z.object({
  portal_id: bigintColumn,
  connection_id: bigintColumn,
  invoice_id: z.string(),
  threshold_days: integerColumn,
  deal_id: z.string(),
  hubspot_task_id: z.string().nullable(),
  status: z.enum(['pending', 'open', 'completed']),
  has_copy: z.boolean(),
  qbo_state: z.enum(['active', 'voided', 'deleted']).nullable(),
  ...invoiceColumns,
});

/**
 * The rows of a connection that are not completed yet, with DealBooks' copy of each invoice as it is now; only those
 * of `invoiceIds` when given. Oldest first.
 */
export async function unfinishedOverdueTasks(db: Queryable, portalId: number, connectionId: number, invoiceIds?: readonly string[]): Promise<OverdueTaskRow[]> {
  const { rows } = await db.query(
    `SELECT t.portal_id, t.connection_id, t.invoice_id, t.threshold_days, t.deal_id, t.hubspot_task_id, t.status,
            d.qbo_id IS NOT NULL AS has_copy, d.qbo_state, d.doc_number, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, d.currency,
            d.total_cents, d.balance_cents, d.web_url
       FROM overdue_tasks t
       LEFT JOIN qbo_documents d ON d.connection_id = t.connection_id AND d.kind = 'invoice' AND d.qbo_id = t.invoice_id
      WHERE t.portal_id = $1 AND t.connection_id = $2 AND t.status <> 'completed' AND ($3::text[] IS NULL OR t.invoice_id = ANY($3::text[]))
      ORDER BY t.created_at, t.invoice_id, t.threshold_days`,
    [portalId, connectionId, invoiceIds === undefined ? null : [...invoiceIds]],
  );
  return rows.map((row) => {
    const r = parseRow('overdue_tasks', taskRow, row);
    return {
      portalId: r.portal_id,
      connectionId: r.connection_id,
      invoiceId: r.invoice_id,
      thresholdDays: r.threshold_days,
      dealId: r.deal_id,
      hubspotTaskId: r.hubspot_task_id,
      status: r.status,
      invoice: r.has_copy ? { ...toInvoice(r.connection_id, r.invoice_id, r), balanceCents: r.balance_cents, qboState: r.qbo_state ?? 'active' } : null,
    };
  });
}

/** DealBooks' copy of one invoice's state now (null without a copy): checked again right after a task was created. */
export async function invoiceState(db: Queryable, connectionId: number, invoiceId: string): Promise<{ qboState: QboState; balanceCents: number | null } | null> {
  const { rows } = await db.query(`SELECT qbo_state, balance_cents FROM qbo_documents WHERE connection_id = $1 AND kind = 'invoice' AND qbo_id = $2`, [connectionId, invoiceId]);
  if (!rows[0]) return null;
  const r = parseRow('qbo_documents', z.object({ qbo_state: z.enum(['active', 'voided', 'deleted']), balance_cents: bigintColumn.nullable() }), rows[0]);
  return { qboState: r.qbo_state, balanceCents: r.balance_cents };
}

/** Every row of an invoice: which thresholds have a task, and in what state. */
export async function overdueTasksOfInvoice(db: Queryable, connectionId: number, invoiceId: string): Promise<Array<OverdueTaskKey & { hubspotTaskId: string | null; status: OverdueTaskStatus }>> {
  const { rows } = await db.query(
    `SELECT connection_id, invoice_id, threshold_days, hubspot_task_id, status FROM overdue_tasks WHERE connection_id = $1 AND invoice_id = $2 ORDER BY threshold_days`,
    [connectionId, invoiceId],
  );
  return rows.map((row) => {
    const r = parseRow(
      'overdue_tasks',
      z.object({ connection_id: bigintColumn, invoice_id: z.string(), threshold_days: integerColumn, hubspot_task_id: z.string().nullable(), status: z.enum(['pending', 'open', 'completed']) }),
      row,
    );
    return { connectionId: r.connection_id, invoiceId: r.invoice_id, thresholdDays: r.threshold_days, hubspotTaskId: r.hubspot_task_id, status: r.status };
  });
}
