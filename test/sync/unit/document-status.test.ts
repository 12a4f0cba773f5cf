import { utcOffsetOf } from '../../../server/src/quickbooks/sales';
import { estimateState, estimateStatus, invoiceState, invoiceStatus, totalMismatch, type InvoiceFacts } from '../../../server/src/sync/document-status';

/** What the card and the deal show for a QBO invoice or estimate, from DealBooks' copy of it and its payments. */
const invoice = (totalCents: number, balanceCents: number | null, dueDate: string | null = '2026-03-31', privateNote: string | null = 'HubSpot deal 42') => ({
  totalCents,
  balanceCents,
  dueDate,
  privateNote,
});

describe('invoiceState', () => {
  const today = '2026-03-15';
  const state = (facts: InvoiceFacts, on = today) => invoiceState(facts, on);

  it('When nothing is paid and the due date is ahead, then the invoice is open and not overdue', () => {
    expect(state(invoice(125_000, 125_000))).toEqual({ status: 'open', daysOverdue: null });
  });

  it('When the due date is today, then it is not overdue yet; the day after, it is overdue by one day', () => {
    expect(state(invoice(125_000, 125_000, today))).toEqual({ status: 'open', daysOverdue: null });
    expect(state(invoice(125_000, 125_000, '2026-03-14'))).toEqual({ status: 'overdue', daysOverdue: 1 });
  });

  it('When an unpaid invoice is past due, then the days overdue count whole calendar days, across months and years', () => {
    expect(state(invoice(125_000, 125_000, '2026-02-13'))).toEqual({ status: 'overdue', daysOverdue: 30 });
    expect(state(invoice(500, 500, '2026-02-28'), '2026-03-01')).toEqual({ status: 'overdue', daysOverdue: 1 });
    expect(state(invoice(500, 500, '2025-12-31'), '2026-01-01')).toEqual({ status: 'overdue', daysOverdue: 1 });
    expect(state(invoice(500, 500, '2025-03-15'), '2026-03-15')).toEqual({ status: 'overdue', daysOverdue: 365 });
  });

  it("When the QBO company's date has not reached the day after the due date, then it is not overdue (today is the company's date, given by the caller)", () => {
    // 2026-03-15T02:00Z is still 2026-03-14 in a company 5 hours behind UTC: companyDate gives '2026-03-14'.
    expect(state(invoice(500, 500, '2026-03-14'), '2026-03-14')).toEqual({ status: 'open', daysOverdue: null });
  });

  it('When part is paid, then it is partially paid; past its due date it also says how many days overdue it is', () => {
    expect(state(invoice(125_000, 25_000))).toEqual({ status: 'partially_paid', daysOverdue: null });
    expect(state(invoice(125_000, 1, '2026-01-01'))).toEqual({ status: 'partially_paid', daysOverdue: 73 });
    expect(state(invoice(125_000, 124_999, today))).toEqual({ status: 'partially_paid', daysOverdue: null });
  });

  it('When the balance is zero and money paid it, then it is paid, overdue or not', () => {
    expect(state(invoice(125_000, 0, '2026-01-01'))).toEqual({ status: 'paid', daysOverdue: null });
    expect(state({ ...invoice(125_000, 0), paidCents: 125_000, creditedCents: 0 })).toEqual({ status: 'paid', daysOverdue: null });
  });

  it('When the balance reached zero with money and credit together, then it is paid: the customer paid something', () => {
    expect(state({ ...invoice(125_000, 0), paidCents: 100_000, creditedCents: 25_000 })).toEqual({ status: 'paid', daysOverdue: null });
    expect(state({ ...invoice(125_000, 0), paidCents: 1, creditedCents: 124_999 }).status).toBe('paid');
  });

  it('When only credit memo applications brought the balance to zero, then it is credited in full, not paid', () => {
    expect(state({ ...invoice(125_000, 0, '2026-01-01'), paidCents: 0, creditedCents: 125_000 })).toEqual({ status: 'credited', daysOverdue: null });
    expect(state({ ...invoice(125_000, 0), creditedCents: 1 }).status).toBe('credited');
  });

  it('When credit covers only part of the balance, then it is partially paid like any other part payment', () => {
    expect(state({ ...invoice(125_000, 25_000), paidCents: 0, creditedCents: 100_000 }).status).toBe('partially_paid');
  });

  it('When the balance is zero but what paid it is unknown or nothing, then it is paid: the balance is QuickBooks\' word', () => {
    expect(state({ ...invoice(125_000, 0), paidCents: 0, creditedCents: 0 }).status).toBe('paid');
  });

  it('When QBO voided it (amounts 0, "Voided" prepended to the private note), then it is voided', () => {
    expect(state(invoice(0, 0, '2026-01-01', 'Voided - HubSpot deal 42'))).toEqual({ status: 'voided', daysOverdue: null });
  });

  it("When DealBooks' copy says voided, then it is voided whatever the amounts and due date say", () => {
    expect(state({ ...invoice(125_000, 125_000, '2026-01-01', null), qboState: 'voided' })).toEqual({ status: 'voided', daysOverdue: null });
    expect(state({ ...invoice(0, 0, null, null), qboState: 'voided' }).status).toBe('voided');
  });

  it("When DealBooks' copy says deleted, then it is deleted, even if it was voided, paid or overdue before", () => {
    expect(state({ ...invoice(125_000, 125_000, '2026-01-01'), qboState: 'deleted' })).toEqual({ status: 'deleted', daysOverdue: null });
    expect(state({ ...invoice(0, 0, null, 'Voided'), qboState: 'deleted' }).status).toBe('deleted');
    expect(state({ ...invoice(125_000, 0), paidCents: 125_000, qboState: 'deleted' }).status).toBe('deleted');
  });

  it('When the copy is active, then the amounts decide, as for a document read from QBO', () => {
    expect(state({ ...invoice(125_000, 125_000, '2026-01-01'), qboState: 'active' })).toEqual({ status: 'overdue', daysOverdue: 73 });
    expect(state({ ...invoice(0, 0, null, 'Voided'), qboState: 'active' }).status).toBe('voided');
  });

  it('When an invoice is for zero but not voided, then it is simply open, never paid nor overdue', () => {
    expect(state(invoice(0, 0))).toEqual({ status: 'open', daysOverdue: null });
    expect(state(invoice(0, 0, '2026-01-01'))).toEqual({ status: 'open', daysOverdue: null });
  });

  it("When a zero invoice from DealBooks' copy carries no private note, then it is open", () => {
    expect(state(invoice(0, 0, null, null))).toEqual({ status: 'open', daysOverdue: null });
    expect(state({ totalCents: 0, balanceCents: 0, dueDate: null })).toEqual({ status: 'open', daysOverdue: null });
  });

  it('When an invoice has no due date or no balance field, then it is judged by its total and is never overdue', () => {
    expect(state(invoice(5_000, null, null))).toEqual({ status: 'open', daysOverdue: null });
    expect(state(invoice(5_000, null, '2026-03-01'))).toEqual({ status: 'overdue', daysOverdue: 14 });
    expect(state(invoice(5_000, 5_000, null))).toEqual({ status: 'open', daysOverdue: null });
  });

  it('When the balance is above the total (the total was lowered in QuickBooks), then it is open or overdue, not partially paid', () => {
    expect(state(invoice(5_000, 6_000))).toEqual({ status: 'open', daysOverdue: null });
    expect(state(invoice(5_000, 6_000, '2026-03-10'))).toEqual({ status: 'overdue', daysOverdue: 5 });
  });

  it('When invoiceStatus is asked, then it is the status of invoiceState', () => {
    expect(invoiceStatus(invoice(125_000, 25_000, '2026-01-01'), today)).toBe('partially_paid');
    expect(invoiceStatus({ ...invoice(125_000, 0), creditedCents: 125_000 }, today)).toBe('credited');
  });
});

describe('estimateState', () => {
  it.each([
    ['Pending', [], { status: 'pending', invoiceId: null }],
    ['Accepted', [], { status: 'accepted', invoiceId: null }],
    ['Rejected', [], { status: 'rejected', invoiceId: null }],
    ['Converted', [], { status: 'converted', invoiceId: null }],
    ['Converted', [{ id: '9', type: 'Invoice' }], { status: 'converted', invoiceId: '9' }],
    ['Closed', [], { status: 'closed', invoiceId: null }],
    ['Closed', [{ id: '9', type: 'Invoice' }], { status: 'converted', invoiceId: '9' }],
    ['Closed', [{ id: '4', type: 'PurchaseOrder' }], { status: 'closed', invoiceId: null }],
    ['Closed', [{ id: '4', type: 'PurchaseOrder' }, { id: '12', type: 'Invoice' }], { status: 'converted', invoiceId: '12' }],
    ['accepted', [], { status: 'accepted', invoiceId: null }],
    [null, [], { status: 'pending', invoiceId: null }],
    ['Something new', [], { status: 'pending', invoiceId: null }],
  ] as const)('When TxnStatus is %s with links %j, then the estimate is %j', (txnStatus, linked, expected) => {
    expect(estimateState({ txnStatus, linked: [...linked] })).toEqual(expected);
    expect(estimateStatus({ txnStatus, linked: [...linked] })).toBe(expected.status);
  });

  it('When an accepted estimate already names an invoice, then it is accepted and names none: only a conversion does', () => {
    expect(estimateState({ txnStatus: 'Accepted', linked: [{ id: '9', type: 'Invoice' }] })).toEqual({ status: 'accepted', invoiceId: null });
    expect(estimateState({ txnStatus: 'Pending', linked: [{ id: '9', type: 'Invoice' }] })).toEqual({ status: 'pending', invoiceId: null });
  });

  it("When DealBooks' copy says the estimate was deleted in QuickBooks, then it is deleted whatever its TxnStatus", () => {
    expect(estimateState({ txnStatus: 'Closed', linked: [{ id: '9', type: 'Invoice' }], qboState: 'deleted' })).toEqual({ status: 'deleted', invoiceId: null });
    expect(estimateState({ txnStatus: 'Accepted', linked: [], qboState: 'active' }).status).toBe('accepted');
  });
});

describe('utcOffsetOf', () => {
  it('When QBO prints a time with an offset, then the offset in minutes comes back; no offset gives null, Z gives 0', () => {
    expect(utcOffsetOf('2015-07-24T10:38:50.010-07:00')).toBe(-420);
    expect(utcOffsetOf('2026-01-01T00:00:00+05:30')).toBe(330);
    expect(utcOffsetOf('2026-01-01T00:00:00Z')).toBe(0);
    expect(utcOffsetOf('2026-01-01T00:00:00')).toBeNull();
    expect(utcOffsetOf(undefined)).toBeNull();
  });
});

describe('totalMismatch', () => {
  const doc = (totalCents: number, taxCents: number, builtTotalCents: number | null, extra: { currency?: string | null; qboState?: 'active' | 'voided' | 'deleted' } = {}) => ({
    totalCents,
    taxCents,
    builtTotalCents,
    currency: 'USD',
    ...extra,
  });

  it('When the total in QuickBooks is what DealBooks built, then nothing is flagged', () => {
    expect(totalMismatch(doc(165_150, 0, 165_150))).toBeNull();
  });

  it('When someone changed the total in QuickBooks, then the words give both amounts', () => {
    expect(totalMismatch(doc(180_000, 0, 165_150))).toBe("The total in QuickBooks ($1,800.00) no longer matches the deal's line items ($1,651.50).");
    expect(totalMismatch(doc(165_149, 0, 165_150))).toBe("The total in QuickBooks ($1,651.49) no longer matches the deal's line items ($1,651.50).");
  });

  it('When QuickBooks added tax, then the pre-tax total is compared, and the words say "before tax"', () => {
    expect(totalMismatch(doc(178_362, 13_212, 165_150))).toBeNull();
    expect(totalMismatch(doc(190_000, 10_000, 165_150))).toBe("The total before tax in QuickBooks ($1,800.00) no longer matches the deal's line items ($1,651.50).");
  });

  it('When nothing was recorded at build time, or the document is voided or deleted, then nothing is flagged', () => {
    expect(totalMismatch(doc(180_000, 0, null))).toBeNull();
    expect(totalMismatch(doc(0, 0, 165_150, { qboState: 'voided' }))).toBeNull();
    expect(totalMismatch(doc(180_000, 0, 165_150, { qboState: 'deleted' }))).toBeNull();
    expect(totalMismatch(doc(180_000, 0, 165_150, { qboState: 'active' }))).not.toBeNull();
  });

  it('When the document has another currency or none, then the amounts are in it (USD when none)', () => {
    expect(totalMismatch(doc(100, 0, 200, { currency: 'EUR' }))).toBe("The total in QuickBooks (€1.00) no longer matches the deal's line items (€2.00).");
    expect(totalMismatch(doc(100, 0, 200, { currency: null }))).toBe("The total in QuickBooks ($1.00) no longer matches the deal's line items ($2.00).");
  });
});

describe('invoiceState of amounts QuickBooks should never send', () => {
  it('When the balance or the total is negative, then the invoice is open: neither paid nor partly paid nor overdue', () => {
    expect(invoiceState({ totalCents: -500, balanceCents: -500, dueDate: '2026-01-01' }, '2026-03-15')).toEqual({ status: 'open', daysOverdue: null });
    expect(invoiceState({ totalCents: -500, balanceCents: 0, dueDate: '2026-01-01' }, '2026-03-15')).toEqual({ status: 'open', daysOverdue: null });
    expect(invoiceState({ totalCents: 500, balanceCents: -100, dueDate: '2026-01-01' }, '2026-03-15')).toEqual({ status: 'open', daysOverdue: null });
  });
});
