import { DEAL_WORK_QUEUE } from '../../server/src/jobs/deal-jobs';
import { QBO_CHANGE_CHECK_ACCOUNT_QUEUE, QBO_CHANGE_QUEUE } from '../../server/src/jobs/qbo-change-jobs';
import { signWebhookBody } from '../simulators/quickbooks';
import { hubspotRecord, type Q2C } from './support';
import { newDeal, type NewDeal } from './support-once';

/**
 * Money flowing back: what a bookkeeper does in QuickBooks (payments, credits, voids, deletions, edits), done through
 * QBO's API as any app would (the simulator then sends its webhooks), and what DealBooks' copies, the deal's
 * properties and the card show afterwards.
 */

export interface InvoicedDeal extends NewDeal {
  invoiceId: string;
  customerId: string;
  /** The invoice's total in cents, as QBO computed it. */
  totalCents: number;
}

const cents = (amount: number) => Math.round(amount * 100);

/** A deal of its own, invoiced through the card (one line of 2 x 250, no tax on the default item). */
export async function invoicedDeal(q: Q2C, input: { name: string; company?: string; companyId?: string }): Promise<InvoicedDeal> {
  const deal = await newDeal(q, input);
  expect((await q.card('POST', `/api/deals/${deal.dealId}/invoices`, {})).status).toBe(202);
  await q.drain();
  const summary = await q.card('GET', `/api/deals/${deal.dealId}/summary`);
  expect(summary.body.invoices).toHaveLength(1);
  const invoiceId = summary.body.invoices[0].id as string;
  const invoice = await qboObject(q, 'Invoice', invoiceId);
  return { ...deal, invoiceId, customerId: invoice.CustomerRef.value, totalCents: cents(invoice.TotalAmt) };
}

/** A QBO API call made with DealBooks' own connection, as a bookkeeper's app would make it. */
export async function qboWrite(q: Q2C, path: string, body: unknown, query: Record<string, string> = {}): Promise<any> {
  return (await q.world.ctx.quickbooks.api.post(q.portalId, path, body, { query })).json;
}

/** One object as QBO stores it now (simulator control API); null once deleted. */
export async function qboObject(q: Q2C, entity: string, id: string): Promise<any | null> {
  const response = await fetch(`${q.world.sandbox.quickbooks.url}/_sim/quickbooks/companies/${q.realmId}/${entity}/${id}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`QBO ${entity} ${id}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Records a payment of the customer applied to invoices (`amount` in dollars), and of credit memos when given. */
export async function pay(
  q: Q2C,
  customerId: string,
  applied: Array<{ invoiceId: string; amount: number }>,
  options: { total?: number; credits?: Array<{ memoId: string; amount: number }>; method?: { value: string; name: string }; reference?: string } = {},
): Promise<any> {
  const total = options.total ?? applied.reduce((sum, a) => sum + a.amount, 0);
  const lines = [
    ...applied.map((a) => ({ Amount: a.amount, LinkedTxn: [{ TxnId: a.invoiceId, TxnType: 'Invoice' }] })),
    ...(options.credits ?? []).map((c) => ({ Amount: c.amount, LinkedTxn: [{ TxnId: c.memoId, TxnType: 'CreditMemo' }] })),
  ];
  const body: Record<string, unknown> = { CustomerRef: { value: customerId }, TotalAmt: total, Line: lines };
  if (options.method) body.PaymentMethodRef = options.method;
  if (options.reference) body.PaymentRefNum = options.reference;
  return (await qboWrite(q, '/payment', body)).Payment;
}

export async function voidInvoice(q: Q2C, id: string): Promise<any> {
  const current = await qboObject(q, 'Invoice', id);
  return (await qboWrite(q, '/invoice', { Id: id, SyncToken: current.SyncToken }, { operation: 'void' })).Invoice;
}

export async function deleteObject(q: Q2C, entity: 'Invoice' | 'Payment' | 'Estimate' | 'CreditMemo', id: string): Promise<void> {
  const current = await qboObject(q, entity, id);
  await qboWrite(q, `/${entity.toLowerCase()}`, { Id: id, SyncToken: current.SyncToken }, { operation: 'delete' });
}

export async function voidPayment(q: Q2C, id: string): Promise<any> {
  const current = await qboObject(q, 'Payment', id);
  return (await qboWrite(q, '/payment', { Id: id, SyncToken: current.SyncToken, sparse: true }, { operation: 'update', include: 'void' })).Payment;
}

/**
 * Makes a change in QuickBooks whose own webhook delivery is lost (the simulator's delivery holds every object the
 * change touched: the payment and the invoices whose balance moved); `notify` then sends the notice of one object.
 * This is how a test shows what the notice of that object alone achieves.
 */
export async function quietly<T>(q: Q2C, change: () => Promise<T>): Promise<T> {
  // Earlier notices are heard first: their work reads objects as QBO has them when it runs, after the change.
  await hearFromQbo(q);
  await q.world.control('quickbooks', '/webhooks/mode', { drop: 1 });
  const result = await change();
  await q.world.control('quickbooks', '/webhooks/flush', {});
  return result;
}

let notices = 0;
/** QuickBooks' notice of one object (signed, as Intuit sends it), then the work it leads to. */
export async function notify(q: Q2C, entity: string, entityId: string, verb: 'created' | 'updated' | 'deleted' | 'voided'): Promise<void> {
  notices += 1;
  const body = JSON.stringify([cloudEvent({ id: `notice-${notices}-${entity}-${entityId}`, realmId: q.realmId, entity, verb, entityId })]);
  const answer = await postQboWebhook(q, body);
  expect(answer.body).toMatchObject({ stored: 1 });
  await hearFromQbo(q);
}

/** Runs every job of a queue until none is left (bounded); returns how many ran. */
export async function runAll(q: Q2C, queue: string): Promise<number> {
  let ran = 0;
  for (let i = 0; i < 200; i++) {
    const outcome = await q.world.ctx.jobs.runNext(queue, { ignoreStartAfter: true });
    if (outcome === 'idle' || outcome === 'waiting') return ran;
    ran += 1;
  }
  throw new Error(`${queue} did not drain in 200 jobs`);
}

/** QBO's webhooks are delivered, DealBooks' work on them runs, then the deals' write-backs. */
export async function hearFromQbo(q: Q2C): Promise<{ changes: number; dealWork: number }> {
  await q.world.control('quickbooks', '/webhooks/flush', {});
  const changes = await runAll(q, QBO_CHANGE_QUEUE);
  const dealWork = await q.drain();
  return { changes, dealWork };
}

/** One backstop run of the account, as its job runs it, then the deals' write-backs. */
export async function checkChanges(q: Q2C): Promise<void> {
  await q.world.ctx.background.checkQuickbooksChanges(q.portalId, 'on demand');
  expect(await runAll(q, QBO_CHANGE_CHECK_ACCOUNT_QUEUE)).toBeGreaterThan(0);
  await q.drain();
}

export interface Copy {
  total_cents: string;
  balance_cents: string | null;
  due_date: string | null;
  qbo_state: 'active' | 'voided' | 'deleted';
  state_changed_at: Date | null;
  sync_token: string;
  qbo_updated_at: Date | null;
  deal_id: string | null;
}

/** DealBooks' copy of a document (qbo_documents). */
export async function copyOf(q: Q2C, kind: 'invoice' | 'estimate', id: string): Promise<Copy> {
  const { rows } = await q.world.ctx.pool.query(
    `SELECT total_cents, balance_cents, to_char(due_date, 'YYYY-MM-DD') AS due_date, qbo_state, state_changed_at, sync_token, qbo_updated_at, deal_id
       FROM qbo_documents WHERE portal_id = $1 AND kind = $2 AND qbo_id = $3`,
    [q.portalId, kind, id],
  );
  if (!rows[0]) throw new Error(`no copy of ${kind} ${id}`);
  return rows[0];
}

/** A stored payment and its applications, or null. */
export async function paymentOf(q: Q2C, id: string): Promise<{ row: any; applications: Array<{ invoice_id: string; amount_cents: string; credit_cents: string }> } | null> {
  const { rows } = await q.world.ctx.pool.query(
    `SELECT qbo_id, customer_id, to_char(txn_date, 'YYYY-MM-DD') AS txn_date, trim(currency) AS currency, total_cents, method, reference, qbo_state, sync_token
       FROM qbo_payments WHERE portal_id = $1 AND qbo_id = $2`,
    [q.portalId, id],
  );
  if (!rows[0]) return null;
  const applications = await q.world.ctx.pool.query(
    'SELECT invoice_id, amount_cents, credit_cents FROM qbo_payment_applications WHERE payment_id = $1 AND connection_id = (SELECT connection_id FROM qbo_payments WHERE portal_id = $2 AND qbo_id = $1) ORDER BY invoice_id',
    [id, q.portalId],
  );
  return { row: rows[0], applications: applications.rows };
}

/** The deal's DealBooks invoice properties as HubSpot holds them now. */
export async function invoiceProperties(q: Q2C, dealId: string): Promise<{ id: string; status: string; total: string; balance: string }> {
  const { properties } = await hubspotRecord(q, 'deals', dealId);
  return { id: properties.dealbooks_invoice_id, status: properties.dealbooks_invoice_status, total: properties.dealbooks_invoice_total, balance: properties.dealbooks_invoice_balance };
}

/** The deal's entity links to invoices, oldest first. */
export async function invoiceLinks(q: Q2C, dealId: string): Promise<Array<{ qbo_entity_id: string | null; status: string; qbo_request_id: string }>> {
  const { rows } = await q.world.ctx.pool.query(
    `SELECT qbo_entity_id, status, qbo_request_id FROM entity_links WHERE portal_id = $1 AND hubspot_object_type = 'deal' AND hubspot_object_id = $2 AND qbo_entity_type = 'Invoice' ORDER BY id`,
    [q.portalId, dealId],
  );
  return rows;
}

/** The QuickBooks notifications stored for the account about one object. */
export async function eventsAbout(q: Q2C, objectType: string, objectId: string): Promise<Array<{ event_type: string; status: string; error: string | null }>> {
  const { rows } = await q.world.ctx.pool.query(
    `SELECT event_type, status, error FROM webhook_events WHERE portal_id = $1 AND source = 'quickbooks' AND object_type = $2 AND object_id = $3 ORDER BY id`,
    [q.portalId, objectType, objectId],
  );
  return rows;
}

/** Posts a QuickBooks webhook body to DealBooks, signed with the sandbox's verifier token (or `signature`). */
export async function postQboWebhook(q: Q2C, body: string, signature?: string): Promise<{ status: number; body: any }> {
  const token = q.world.ctx.config.quickbooks.webhookVerifierToken!;
  const response = await fetch(`${q.world.baseUrl}/webhooks/quickbooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'intuit-signature': signature ?? signWebhookBody(token, body) },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A CloudEvent as Intuit sends it (test/fixtures/quickbooks/webhook_cloudevents_intuit_blog_2025.json). */
export function cloudEvent(input: { id: string; realmId: string; entity: string; verb: string; entityId: string; time?: string }): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: input.id,
    source: 'intuit.test',
    type: `qbo.${input.entity}.${input.verb}.v1`,
    datacontenttype: 'application/json',
    time: input.time ?? '2026-12-03T18:00:00.000Z',
    intuitentityid: input.entityId,
    intuitaccountid: input.realmId,
    data: {},
  };
}

export { DEAL_WORK_QUEUE, QBO_CHANGE_QUEUE };
