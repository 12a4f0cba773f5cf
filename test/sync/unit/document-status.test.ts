import { utcOffsetOf } from '../../../server/src/quickbooks/sales';
import { estimateStatus, invoiceStatus } from '../../../server/src/sync/document-status';

/** What the card shows for a QBO invoice or estimate, from the document alone. */
const invoice = (totalCents: number, balanceCents: number | null, dueDate: string | null = '2026-03-31', privateNote: string | null = 'HubSpot deal 42') => ({
  totalCents,
  balanceCents,
  dueDate,
  privateNote,
});

describe('invoiceStatus', () => {
  const today = '2026-03-15';

  it('When nothing is paid and the due date is ahead, then the invoice is open', () => {
    expect(invoiceStatus(invoice(125_000, 125_000), today)).toBe('open');
  });

  it('When the due date is today, then it is not overdue yet; the day after, it is', () => {
    expect(invoiceStatus(invoice(125_000, 125_000, today), today)).toBe('open');
    expect(invoiceStatus(invoice(125_000, 125_000, '2026-03-14'), today)).toBe('overdue');
  });

  it('When part is paid, then it is partially paid, even past its due date', () => {
    expect(invoiceStatus(invoice(125_000, 25_000), today)).toBe('partially_paid');
    expect(invoiceStatus(invoice(125_000, 1, '2026-01-01'), today)).toBe('partially_paid');
  });

  it('When the balance is zero, then it is paid, overdue or not', () => {
    expect(invoiceStatus(invoice(125_000, 0, '2026-01-01'), today)).toBe('paid');
  });

  it('When QBO voided it (amounts 0, "Voided" prepended to the private note), then it is voided', () => {
    expect(invoiceStatus(invoice(0, 0, '2026-01-01', 'Voided - HubSpot deal 42'), today)).toBe('voided');
  });

  it('When an invoice is for zero but not voided, then it is simply open, never paid', () => {
    expect(invoiceStatus(invoice(0, 0), today)).toBe('open');
  });

  it('When an invoice has no due date or no balance field, then it is judged by its total', () => {
    expect(invoiceStatus(invoice(5_000, null, null), today)).toBe('open');
  });
});

describe('estimateStatus', () => {
  it.each([
    ['Pending', [], 'pending'],
    ['Accepted', [], 'accepted'],
    ['Rejected', [], 'rejected'],
    ['Converted', [], 'converted'],
    ['Closed', [], 'closed'],
    ['Closed', [{ id: '9', type: 'Invoice' }], 'converted'],
    [null, [], 'pending'],
  ] as const)('When TxnStatus is %s with links %j, then the estimate is %s', (txnStatus, linked, expected) => {
    expect(estimateStatus({ txnStatus, linked: [...linked] })).toBe(expected);
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
