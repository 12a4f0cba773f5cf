import type { Q2C } from './support';

/**
 * What DealBooks' QuickBooks change pipeline stores when QuickBooks reports a payment, a void, a deletion or an edit
 * (qbo_documents' money-back columns, qbo_payments, qbo_payment_applications, qbo_change_checkpoints), written as
 * that pipeline writes it, so the deal side (write-back, notes, the card) can be tested on its own. Then
 * `pipelineQueuesWriteBack` does what the pipeline does after a change: it queues the deal's write-back, and the
 * test runs the queued deal work.
 */
export interface SeededApplication {
  invoiceId: string;
  amountCents: number;
  creditCents?: number;
}

export interface SeededPayment {
  id: string;
  txnDate: string | null;
  totalCents: number;
  method?: string | null;
  reference?: string | null;
  state?: 'active' | 'voided' | 'deleted';
  /** What the payment applies (none when voided or deleted: they apply nothing). */
  applications: SeededApplication[];
  currency?: string;
}

/** The account's live QBO connection id (every pipeline row is keyed by it). */
export async function connectionIdOf(q: Pick<Q2C, 'world'>, portalId: number): Promise<number> {
  const connection = await q.world.ctx.quoteToCash.connections.live(portalId);
  if (!connection) throw new Error(`account ${portalId} has no QuickBooks connection`);
  return connection.id;
}

/** Stores a payment as QuickBooks has it now and replaces what it applies, as the pipeline does. */
export async function storePayment(q: Q2C, payment: SeededPayment, portalId = q.portalId): Promise<void> {
  const pool = q.world.ctx.pool;
  const connectionId = await connectionIdOf(q, portalId);
  await pool.query(
    `INSERT INTO qbo_payments (portal_id, connection_id, qbo_id, customer_id, txn_date, currency, total_cents, method, reference, qbo_state, sync_token, refreshed_at)
     VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $9, '0', now())
     ON CONFLICT (connection_id, qbo_id) DO UPDATE SET txn_date = EXCLUDED.txn_date, total_cents = EXCLUDED.total_cents, method = EXCLUDED.method,
       reference = EXCLUDED.reference, qbo_state = EXCLUDED.qbo_state, refreshed_at = now()`,
    [portalId, connectionId, payment.id, payment.txnDate, payment.currency ?? 'USD', payment.totalCents, payment.method ?? null, payment.reference ?? null, payment.state ?? 'active'],
  );
  await pool.query('DELETE FROM qbo_payment_applications WHERE connection_id = $1 AND payment_id = $2', [connectionId, payment.id]);
  for (const a of payment.applications) {
    await pool.query('INSERT INTO qbo_payment_applications (connection_id, payment_id, invoice_id, amount_cents, credit_cents) VALUES ($1, $2, $3, $4, $5)', [
      connectionId,
      payment.id,
      a.invoiceId,
      a.amountCents,
      a.creditCents ?? 0,
    ]);
  }
}

/** A payment deleted in QuickBooks: it stays, marked deleted, and applies nothing any more. */
export async function deletePayment(q: Q2C, paymentId: string): Promise<void> {
  const connectionId = await connectionIdOf(q, q.portalId);
  await q.world.ctx.pool.query(`UPDATE qbo_payments SET qbo_state = 'deleted' WHERE connection_id = $1 AND qbo_id = $2`, [connectionId, paymentId]);
  await q.world.ctx.pool.query('DELETE FROM qbo_payment_applications WHERE connection_id = $1 AND payment_id = $2', [connectionId, paymentId]);
}

/** DealBooks' copy of a document as QuickBooks has it now (only the fields given change). */
export async function updateCopy(
  q: Q2C,
  kind: 'invoice' | 'estimate',
  qboId: string,
  change: { balanceCents?: number; totalCents?: number; taxCents?: number; dueDate?: string; qboState?: 'active' | 'voided' | 'deleted'; stateChangedAt?: Date; builtTotalCents?: number | null; txnStatus?: string; linked?: Array<{ id: string; type: string }> },
  portalId = q.portalId,
): Promise<void> {
  const columns: Record<string, unknown> = {
    balance_cents: change.balanceCents,
    total_cents: change.totalCents,
    tax_cents: change.taxCents,
    due_date: change.dueDate,
    qbo_state: change.qboState,
    state_changed_at: change.stateChangedAt,
    built_total_cents: change.builtTotalCents,
    txn_status: change.txnStatus,
    linked: change.linked === undefined ? undefined : JSON.stringify(change.linked),
  };
  const set = Object.entries(columns).filter(([, v]) => v !== undefined);
  if (set.length === 0) return;
  const connectionId = await connectionIdOf(q, portalId);
  const { rowCount } = await q.world.ctx.pool.query(
    `UPDATE qbo_documents SET ${set.map(([c], i) => `${c} = $${i + 4}`).join(', ')} WHERE connection_id = $1 AND kind = $2 AND qbo_id = $3`,
    [connectionId, kind, qboId, ...set.map(([, v]) => v)],
  );
  if (rowCount !== 1) throw new Error(`no ${kind} ${qboId} copy for account ${portalId}`);
}

/** What DealBooks last heard from the account's QuickBooks company (the change checkpoint). */
export async function heardFromQuickBooks(q: Q2C, at: Date, what: string, portalId = q.portalId): Promise<void> {
  const connectionId = await connectionIdOf(q, portalId);
  await q.world.ctx.pool.query(
    `INSERT INTO qbo_change_checkpoints (connection_id, portal_id, last_heard_at, last_heard_what) VALUES ($1, $2, $3, $4)
     ON CONFLICT (connection_id) DO UPDATE SET last_heard_at = EXCLUDED.last_heard_at, last_heard_what = EXCLUDED.last_heard_what`,
    [connectionId, portalId, at, what],
  );
}

/** The company's offset from UTC, as DealBooks learned it from QBO's timestamps. */
export async function companyUtcOffset(q: Q2C, minutes: number): Promise<void> {
  await q.world.ctx.pool.query('UPDATE qbo_connections SET utc_offset_minutes = $2 WHERE id = $1', [await connectionIdOf(q, q.portalId), minutes]);
}

/** After a change, the pipeline queues the deal's write-back; the test runs the deal's queued work. */
export async function pipelineQueuesWriteBack(q: Q2C, dealId: string): Promise<void> {
  await q.world.ctx.quoteToCash.queue.writeBack(q.portalId, dealId);
  await q.drain();
}

/** The deal's timeline notes as a person reads them, oldest first. */
export async function timelineNotes(q: Q2C, dealId: string): Promise<string[]> {
  const deal = await q.world.control('hubspot', `/hubspot/accounts/${q.portalId}/objects/deals/${dealId}`);
  const ids: string[] = [...new Set<string>((deal.associations?.notes?.results ?? []).map((r: any) => String(r.id)))];
  const notes = await Promise.all(ids.map((id) => q.world.control('hubspot', `/hubspot/accounts/${q.portalId}/objects/notes/${id}`)));
  return notes
    .sort((a: any, b: any) => Number(a.id) - Number(b.id))
    .map((n: any) => String(n.properties.hs_note_body).replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim());
}

/** The properties of every deal update DealBooks sent HubSpot for this deal since `mark` (simulator request log). */
export async function dealWritesSince(q: Q2C, dealId: string, mark: number): Promise<Array<Record<string, string>>> {
  const { requests } = await q.world.control('hubspot', `/requests?method=PATCH&path=/crm/v3/objects/deals/${dealId}`);
  return requests.filter((r: any) => r.seq > mark && r.status < 300).map((r: any) => r.body.properties);
}

/** The sequence number of the newest request HubSpot has seen. */
export async function hubspotMark(q: Q2C): Promise<number> {
  const { requests } = await q.world.control('hubspot', '/requests');
  return requests.length === 0 ? 0 : requests[requests.length - 1].seq;
}
