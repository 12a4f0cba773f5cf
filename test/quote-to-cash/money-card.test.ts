import { companyDate } from '../../server/src/sync/format';
import { connectionIdOf, heardFromQuickBooks, storePayment, updateCopy } from './money-back-support';
import { createThroughCard, makeDeal, otherAccount, pressCreate, useQ2C, type Q2C } from './support';

/**
 * The deal card's summary of money coming back, as the card reads it over signed requests: each invoice's status,
 * balance, amount paid, days overdue and state, its payments, a total edited in QuickBooks, estimates and the
 * invoice they became, and what DealBooks last heard from QuickBooks. One account never sees another's.
 */

// Company names far apart, so no deal's company resembles another's QBO customer (that would ask for confirmation).
const COMPANIES = ['Kestrel Looms', 'Larch Acoustics', 'Marten Glassworks', 'Nightjar Tiles', 'Osprey Kilns', 'Plover Typeset', 'Quail Dynamics'];
let dealCount = 0;
async function cardDeal(q: Q2C, name: string): Promise<string> {
  dealCount += 1;
  const { dealId } = await makeDeal(q, {
    name,
    company: COMPANIES[dealCount - 1]!,
    contacts: [{ firstname: 'Kit', lastname: `Card${dealCount}`, email: `kit${dealCount}@ledger.example` }],
    lines: [
      { name: 'Schematic design', price: '1200', quantity: '1' },
      { name: 'Site visit', price: '150.50', quantity: '3' },
    ],
  });
  return dealId;
}

const TOTAL = 165_150;

async function summaryOf(q: { card(method: string, path: string): Promise<{ status: number; body: any }> }, dealId: string): Promise<any> {
  const answer = await q.card('GET', `/api/deals/${dealId}/summary`);
  expect(answer.status).toBe(200);
  return answer.body;
}

/**
 * A date `days` before the QBO company's today, in the company's own offset as DealBooks counts days overdue (in UTC,
 * the test failed every day between midnight UTC and midnight in the company).
 */
async function daysAgo(q: Q2C, days: number): Promise<string> {
  const connection = await q.world.ctx.quickbooks.connections.live(q.portalId);
  if (!connection) throw new Error('the account has no QuickBooks connection');
  return companyDate(new Date(q.world.dealbooksClock.now().getTime() - days * 86_400_000), connection.utcOffsetMinutes);
}

describe('Card summary: money back from QuickBooks', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it('When a payment was applied and the total was edited in QuickBooks, then the card shows status, balance, amount paid, days overdue, each payment and the mismatch', async () => {
    const dealId = await cardDeal(q, 'Card money deal');
    const { summary } = await createThroughCard(q, dealId);
    const invoiceId = summary.invoices[0].id;
    expect(summary.invoices[0]).toMatchObject({ status: 'open', state: 'active', amountPaidCents: 0, amountPaid: '$0.00', daysOverdue: null, payments: [], totalMismatch: null });

    await storePayment(q, { id: '7101', txnDate: '2026-12-01', totalCents: 50_000, method: 'Check', reference: '4411', applications: [{ invoiceId, amountCents: 50_000 }] });
    await storePayment(q, { id: '7102', txnDate: '2026-12-02', totalCents: 0, applications: [{ invoiceId, amountCents: 10_000, creditCents: 10_000 }] });
    // Someone added a line in QuickBooks: the total no longer matches the deal's line items DealBooks built it from.
    await updateCopy(q, 'invoice', invoiceId, { builtTotalCents: TOTAL, totalCents: 180_000, balanceCents: 120_000, dueDate: await daysAgo(q, 12) });
    await heardFromQuickBooks(q, new Date('2026-12-02T10:15:00Z'), 'Payment 7102 updated');

    const after = await summaryOf(q, dealId);
    expect(after.invoices[0]).toMatchObject({
      status: 'partially_paid',
      state: 'active',
      balanceCents: 120_000,
      balance: '$1,200.00',
      amountPaidCents: 50_000,
      amountPaid: '$500.00',
      creditedCents: 10_000,
      daysOverdue: 12,
      totalMismatch: "The total in QuickBooks ($1,800.00) no longer matches the deal's line items ($1,651.50).",
      payments: [
        { id: '7101', date: '2026-12-01', amountCents: 50_000, amount: '$500.00', creditCents: 0, credit: null, method: 'Check', reference: '4411', state: 'active' },
        { id: '7102', date: '2026-12-02', amountCents: 10_000, amount: '$100.00', creditCents: 10_000, credit: '$100.00', method: null, reference: null, state: 'active' },
      ],
    });
    expect(after.payments).toEqual([
      { id: '7101', invoiceId },
      { id: '7102', invoiceId },
    ]);
    expect(after.lastHeardFromQuickBooks).toEqual({ at: '2026-12-02T10:15:00.000Z', what: 'Payment 7102 updated' });
    expect(after.allowedActions).toContain('send_invoice');
  });

  it('When invoices were voided or deleted in QuickBooks, then the card shows them as such, flags no mismatch and offers no Send', async () => {
    const voidedDeal = await cardDeal(q, 'Card voided deal');
    const voided = (await createThroughCard(q, voidedDeal)).summary.invoices[0].id;
    await updateCopy(q, 'invoice', voided, { qboState: 'voided', totalCents: 0, balanceCents: 0, builtTotalCents: TOTAL, stateChangedAt: new Date('2026-12-02T09:00:00Z') });
    const deletedDeal = await cardDeal(q, 'Card deleted deal');
    const deleted = (await createThroughCard(q, deletedDeal)).summary.invoices[0].id;
    await updateCopy(q, 'invoice', deleted, { qboState: 'deleted', builtTotalCents: TOTAL, dueDate: await daysAgo(q, 5) });

    const shownVoided = await summaryOf(q, voidedDeal);
    expect(shownVoided.invoices[0]).toMatchObject({ status: 'voided', state: 'voided', totalMismatch: null, daysOverdue: null, totalCents: 0 });
    expect(shownVoided.allowedActions).not.toContain('send_invoice');
    const shownDeleted = await summaryOf(q, deletedDeal);
    expect(shownDeleted.invoices[0]).toMatchObject({ status: 'deleted', state: 'deleted', totalMismatch: null, daysOverdue: null });
    expect(shownDeleted.allowedActions).not.toContain('send_invoice');
  });

  it('When an invoice is paid or credited in full, then the card offers no Send for it', async () => {
    const dealId = await cardDeal(q, 'Card credited deal');
    const invoiceId = (await createThroughCard(q, dealId)).summary.invoices[0].id;
    await storePayment(q, { id: '7201', txnDate: '2026-12-02', totalCents: 0, applications: [{ invoiceId, amountCents: TOTAL, creditCents: TOTAL }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: 0 });
    const shown = await summaryOf(q, dealId);
    expect(shown.invoices[0]).toMatchObject({ status: 'credited', amountPaidCents: 0, creditedCents: TOTAL });
    expect(shown.allowedActions).not.toContain('send_invoice');
  });

  it('When an estimate was converted, then the card shows it converted with the invoice it became', async () => {
    const dealId = await cardDeal(q, 'Card estimate deal');
    const estimate = (await createThroughCard(q, dealId, 'estimate')).summary.estimates[0];
    expect(estimate).toMatchObject({ status: 'pending', state: 'active', convertedInvoice: null });
    expect((await q.card('POST', `/api/estimates/${estimate.id}/convert`, {})).status).toBe(202);
    await q.drain();
    const shown = await summaryOf(q, dealId);
    expect(shown.estimates[0]).toMatchObject({ status: 'converted', convertedInvoice: { id: shown.invoices[0].id, docNumber: shown.invoices[0].docNumber } });
  });
});

describe('Card summary: money back stays in its own account', () => {
  const q = useQ2C({ settings: { defaultItemId: '3' } });

  it("When another account has a deal and an invoice with the same ids, then neither card shows the other's payments, state or what was heard from QuickBooks", async () => {
    const dealId = await cardDeal(q, 'Isolated money deal');
    await pressCreate(q, dealId);
    const ours = await summaryOf(q, dealId);
    const invoiceId = ours.invoices[0].id;
    await storePayment(q, { id: '7301', txnDate: '2026-12-01', totalCents: 50_000, method: 'Check', applications: [{ invoiceId, amountCents: 50_000 }] });
    await updateCopy(q, 'invoice', invoiceId, { balanceCents: TOTAL - 50_000, builtTotalCents: 100 });
    await heardFromQuickBooks(q, new Date('2026-12-02T08:00:00Z'), 'Invoice updated');

    // Another HubSpot account with its own QuickBooks company, whose copy of an invoice has the same QBO id, on a deal
    // with the same id (ids are per account and per company), stored as the pipeline stores a copy.
    const other = await otherAccount(q, 62515091, { quickbooksCompany: 'Mirror Books' });
    const otherConnection = await connectionIdOf(q, other.portalId);
    await q.world.ctx.pool.query(
      `INSERT INTO qbo_documents (portal_id, connection_id, kind, qbo_id, deal_id, customer_id, doc_number, txn_date, due_date, currency, total_cents, balance_cents, web_url, sync_token, qbo_state)
       VALUES ($1, $2, 'invoice', $3, $4, '1', 'M-1', '2026-11-20', '2026-12-20', 'USD', 40000, 40000, 'https://app.sandbox.qbo.intuit.com/app/invoice?txnId=1', '0', 'deleted')`,
      [other.portalId, otherConnection, invoiceId, dealId],
    );

    const theirs = await summaryOf(other, dealId);
    expect(theirs.invoices).toHaveLength(1);
    expect(theirs.invoices[0]).toMatchObject({ id: invoiceId, status: 'deleted', state: 'deleted', amountPaidCents: 0, creditedCents: 0, payments: [], totalMismatch: null });
    expect(theirs.payments).toEqual([]);
    expect(theirs.lastHeardFromQuickBooks).toBeNull();

    const oursAfter = await summaryOf(q, dealId);
    expect(oursAfter.invoices).toHaveLength(1);
    expect(oursAfter.invoices[0]).toMatchObject({ status: 'partially_paid', state: 'active', amountPaidCents: 50_000, payments: [expect.objectContaining({ id: '7301' })] });
    expect(oursAfter.invoices[0].totalMismatch).toMatch(/no longer matches/);
    expect(oursAfter.lastHeardFromQuickBooks).toEqual({ at: '2026-12-02T08:00:00.000Z', what: 'Invoice updated' });
  });
});
