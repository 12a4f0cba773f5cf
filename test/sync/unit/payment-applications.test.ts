import createdFixture from '../../fixtures/quickbooks/payment_create_response.json';
import voidedFixture from '../../fixtures/quickbooks/payment_void_response.json';
import { toPayment } from '../../../server/src/quickbooks/change-feed';
import { paymentApplications, type QboPayment } from '../../../server/src/sync/payment-applications';
import { voidState } from '../../../server/src/sync/qbo-changes';

/** What one QBO payment applies to which invoice, and how much of it was a credit memo's credit. */
const line = (amountCents: number, type: string, id: string) => ({ amountCents, linked: [{ id, type }] });
const lines = (...l: QboPayment['lines']) => ({ lines: l });

describe('paymentApplications', () => {
  it('When a payment pays part of one invoice, then that invoice gets the amount and no credit', () => {
    expect(paymentApplications(lines(line(50000, 'Invoice', '130')))).toEqual([{ invoiceId: '130', amountCents: 50000, creditCents: 0 }]);
  });

  it('When one payment pays two invoices, then each gets its own amount, in the order the lines name them', () => {
    expect(paymentApplications(lines(line(30000, 'Invoice', '131'), line(20000, 'Invoice', '130')))).toEqual([
      { invoiceId: '131', amountCents: 30000, creditCents: 0 },
      { invoiceId: '130', amountCents: 20000, creditCents: 0 },
    ]);
  });

  it('When two lines pay the same invoice, then their amounts add up', () => {
    expect(paymentApplications(lines(line(100, 'Invoice', '7'), line(250, 'Invoice', '7')))).toEqual([{ invoiceId: '7', amountCents: 350, creditCents: 0 }]);
  });

  it('When a zero-amount payment applies a credit memo to an invoice, then the whole amount applied is credit', () => {
    expect(paymentApplications(lines(line(5000, 'Invoice', '130'), line(5000, 'CreditMemo', '150')))).toEqual([{ invoiceId: '130', amountCents: 5000, creditCents: 5000 }]);
  });

  it('When credit meets several invoices, then it goes to them in order, each up to what was applied to it', () => {
    expect(paymentApplications(lines(line(3000, 'Invoice', '1'), line(4000, 'Invoice', '2'), line(5000, 'CreditMemo', '9')))).toEqual([
      { invoiceId: '1', amountCents: 3000, creditCents: 3000 },
      { invoiceId: '2', amountCents: 4000, creditCents: 2000 },
    ]);
  });

  it('When there is more credit than applied, then no invoice gets more credit than its amount', () => {
    const applied = paymentApplications(lines(line(1000, 'Invoice', '1'), line(9000, 'CreditMemo', '9')));
    expect(applied).toEqual([{ invoiceId: '1', amountCents: 1000, creditCents: 1000 }]);
  });

  it('When lines link nothing, another kind of transaction, or carry no positive amount, then they apply nothing', () => {
    const odd = { lines: [{ amountCents: 500, linked: [] }, line(500, 'JournalEntry', '3'), line(0, 'Invoice', '4'), line(-200, 'Invoice', '5')] };
    expect(paymentApplications(odd)).toEqual([]);
  });

  it('When a line links another kind of transaction beside an invoice, then it is neither applied nor credit', () => {
    expect(paymentApplications(lines(line(4000, 'Invoice', '1'), line(1500, 'JournalEntry', '8')))).toEqual([{ invoiceId: '1', amountCents: 4000, creditCents: 0 }]);
  });

  it('When a line links more than one transaction, then it counts for the first one only', () => {
    const twoLinks = { lines: [{ amountCents: 700, linked: [{ id: '1', type: 'Invoice' }, { id: '2', type: 'Invoice' }] }] };
    expect(paymentApplications(twoLinks)).toEqual([{ invoiceId: '1', amountCents: 700, creditCents: 0 }]);
  });
});

describe('toPayment (QBO payloads)', () => {
  it('When the fixture payment is read, then its total, date and customer are exact and it applies nothing', () => {
    const payment = toPayment(createdFixture.Payment);
    expect(payment).toMatchObject({ id: '154', syncToken: '0', updatedAt: '2014-12-30T10:26:03-08:00', customerId: '20', txnDate: '2014-12-30', totalCents: 2500, method: null, reference: null });
    expect(paymentApplications(payment)).toEqual([]);
    expect(voidState(payment)).toBe('active');
  });

  it('When the voided fixture payment is read, then its amounts are 0 and it reads as voided', () => {
    const payment = toPayment(voidedFixture.Payment);
    expect(payment.totalCents).toBe(0);
    expect(voidState(payment)).toBe('voided');
    expect(paymentApplications(payment)).toEqual([]);
  });

  it('When a payment names its method and reference and links invoices and a credit memo, then all are read', () => {
    const payment = toPayment({
      Id: '77',
      SyncToken: '2',
      MetaData: { LastUpdatedTime: '2026-12-03T10:00:00-08:00' },
      CustomerRef: { value: '1', name: 'ABC LLC' },
      TxnDate: '2026-12-03',
      CurrencyRef: { value: 'USD' },
      TotalAmt: 100.1,
      PaymentMethodRef: { value: '2', name: 'Check' },
      PaymentRefNum: '4521',
      Line: [
        { Amount: 120.1, LinkedTxn: [{ TxnId: '130', TxnType: 'Invoice' }] },
        { Amount: 20, LinkedTxn: [{ TxnId: 150, TxnType: 'CreditMemo' }] },
      ],
    });
    expect(payment).toMatchObject({ totalCents: 10010, currency: 'USD', method: 'Check', reference: '4521' });
    expect(paymentApplications(payment)).toEqual([{ invoiceId: '130', amountCents: 12010, creditCents: 2000 }]);
  });
});
