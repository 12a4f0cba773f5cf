import { byDateThenId, invoiceMoney, type InvoicePayment } from '../../../server/src/sync/invoice-money';

/** What the payments DealBooks keeps did to one invoice: money, credit, the latest payment, the day it was settled. */
const payment = (paymentId: string, txnDate: string | null, amountCents: number, extra: Partial<InvoicePayment> = {}): InvoicePayment => ({
  paymentId,
  invoiceId: '130',
  txnDate,
  amountCents,
  creditCents: 0,
  state: 'active',
  method: null,
  reference: null,
  paymentTotalCents: amountCents,
  ...extra,
});

describe('invoiceMoney', () => {
  it('When an invoice has no payments, then nothing is paid or credited and there is no last payment', () => {
    expect(invoiceMoney('130', [])).toEqual({ paidCents: 0, creditedCents: 0, lastPayment: null, lastAppliedOn: null });
  });

  it('When two payments were applied, then the money adds up and the latest by date is the last payment, whatever order they came in', () => {
    const later = payment('7', '2026-12-05', 65_150);
    const earlier = payment('9', '2026-12-01', 50_000);
    expect(invoiceMoney('130', [later, earlier])).toEqual({
      paidCents: 115_150,
      creditedCents: 0,
      lastPayment: { paymentId: '7', date: '2026-12-05', amountCents: 65_150 },
      lastAppliedOn: '2026-12-05',
    });
  });

  it('When part of an application came from a credit memo, then only the rest counts as money, and the last payment is the money it moved', () => {
    const facts = invoiceMoney('130', [payment('7', '2026-12-01', 50_000, { creditCents: 20_000 })]);
    expect(facts).toEqual({ paidCents: 30_000, creditedCents: 20_000, lastPayment: { paymentId: '7', date: '2026-12-01', amountCents: 30_000 }, lastAppliedOn: '2026-12-01' });
  });

  it('When the latest application is credit only, then the last payment is the latest that moved money, and the settling day is the credit\'s', () => {
    const facts = invoiceMoney('130', [payment('7', '2026-12-01', 50_000), payment('8', '2026-12-09', 10_000, { creditCents: 10_000, paymentTotalCents: 0 })]);
    expect(facts.lastPayment).toEqual({ paymentId: '7', date: '2026-12-01', amountCents: 50_000 });
    expect(facts).toMatchObject({ paidCents: 50_000, creditedCents: 10_000, lastAppliedOn: '2026-12-09' });
  });

  it('When a payment is voided or deleted, then it applies nothing', () => {
    const facts = invoiceMoney('130', [payment('7', '2026-12-01', 50_000, { state: 'voided' }), payment('8', '2026-12-02', 10_000, { state: 'deleted', creditCents: 5_000 })]);
    expect(facts).toEqual({ paidCents: 0, creditedCents: 0, lastPayment: null, lastAppliedOn: null });
  });

  it("When a payment settles another invoice too, then only this invoice's application counts", () => {
    const facts = invoiceMoney('130', [payment('7', '2026-12-01', 50_000, { paymentTotalCents: 80_000 }), payment('7', '2026-12-01', 30_000, { invoiceId: '131', paymentTotalCents: 80_000 })]);
    expect(facts).toMatchObject({ paidCents: 50_000, lastPayment: { amountCents: 50_000 } });
  });

  it('When two payments share a date, then the higher id is the later one, as a number (10 after 9)', () => {
    expect(invoiceMoney('130', [payment('10', '2026-12-01', 2_000), payment('9', '2026-12-01', 1_000)]).lastPayment?.paymentId).toBe('10');
    expect(invoiceMoney('130', [payment('9', '2026-12-01', 1_000), payment('10', '2026-12-01', 2_000)]).lastPayment?.paymentId).toBe('10');
  });

  it('When a payment has no date, then it sorts last, and the settling day is the latest known date', () => {
    const facts = invoiceMoney('130', [payment('5', null, 1_000), payment('6', '2026-12-03', 2_000)]);
    expect(facts.lastPayment).toEqual({ paymentId: '5', date: null, amountCents: 1_000 });
    expect(facts.lastAppliedOn).toBe('2026-12-03');
  });
});

describe('byDateThenId', () => {
  it('When dates differ, then the earlier comes first; a missing date comes after any date; equal dates order by numeric id', () => {
    const at = (paymentId: string, txnDate: string | null) => ({ paymentId, txnDate });
    expect(byDateThenId(at('1', '2026-12-01'), at('1', '2026-12-02'))).toBeLessThan(0);
    expect(byDateThenId(at('1', '2026-12-02'), at('1', '2026-12-01'))).toBeGreaterThan(0);
    expect(byDateThenId(at('1', null), at('1', '2026-12-01'))).toBeGreaterThan(0);
    expect(byDateThenId(at('1', '2026-12-01'), at('1', null))).toBeLessThan(0);
    expect(byDateThenId(at('9', null), at('10', null))).toBeLessThan(0);
    expect(byDateThenId(at('10', '2026-12-01'), at('9', '2026-12-01'))).toBeGreaterThan(0);
    expect(byDateThenId(at('12', '2026-12-01'), at('13', '2026-12-01'))).toBeLessThan(0);
    expect(byDateThenId(at('13', '2026-12-01'), at('12', '2026-12-01'))).toBeGreaterThan(0);
    expect(byDateThenId(at('12', '2026-12-01'), at('12', '2026-12-01'))).toBe(0);
  });
});
