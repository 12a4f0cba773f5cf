import type { InvoicePayment } from '../../../server/src/sync/invoice-money';
import {
  invoiceStateText,
  moneyNotes,
  noteKeys,
  paymentReceivedText,
  paymentUndoneText,
  receivedKeyParts,
  type NoteInvoice,
  type NotePaymentState,
} from '../../../server/src/sync/money-notes';

/** The timeline notes money coming back from QuickBooks deserves, each keyed by its event so it is made once. */
const invoice = (extra: Partial<NoteInvoice> = {}): NoteInvoice => ({
  id: '130',
  docNumber: '1042',
  currency: 'USD',
  totalCents: 165_150,
  balanceCents: 115_150,
  state: 'active',
  stateChangedOn: null,
  ...extra,
});
const payment = (paymentId: string, txnDate: string | null, amountCents: number, extra: Partial<InvoicePayment> = {}): InvoicePayment => ({
  paymentId,
  invoiceId: '130',
  txnDate,
  amountCents,
  creditCents: 0,
  state: 'active',
  method: 'Check',
  reference: null,
  paymentTotalCents: amountCents,
  ...extra,
});
const CONNECTION = 3;

describe('paymentReceivedText', () => {
  it('When money was received, then the note says how much, when, and what is still open on which invoice, to the cent', () => {
    expect(paymentReceivedText(invoice(), payment('7', '2026-12-01', 50_000), 115_150)).toBe('Payment of $500.00 received on 2026-12-01; $1,151.50 still open on invoice 1042.');
  });

  it('When the payment settled the invoice, then the note says nothing is left to pay', () => {
    expect(paymentReceivedText(invoice(), payment('7', '2026-12-01', 165_150), 0)).toBe('Payment of $1,651.50 received on 2026-12-01; nothing is left to pay on invoice 1042.');
  });

  it('When part came from a credit memo, then the note names the money and the credit apart', () => {
    expect(paymentReceivedText(invoice(), payment('7', '2026-12-01', 50_000, { creditCents: 20_000 }), 115_150)).toBe(
      'Payment of $300.00 received on 2026-12-01, with $200.00 of credit applied; $1,151.50 still open on invoice 1042.',
    );
  });

  it('When only credit was applied, then the note says credit was applied, not that a payment was received', () => {
    expect(paymentReceivedText(invoice(), payment('7', '2026-12-01', 50_000, { creditCents: 50_000 }), 115_150)).toBe('Credit of $500.00 applied on 2026-12-01; $1,151.50 still open on invoice 1042.');
  });

  it('When the invoice has another currency, no number or the payment no date, then the note says so in its own words', () => {
    expect(paymentReceivedText(invoice({ currency: 'EUR', docNumber: null }), payment('7', null, 12_345_678), 1)).toBe('Payment of €123,456.78 received; €0.01 still open on invoice 130.');
    expect(paymentReceivedText(invoice({ currency: null }), payment('7', '2026-12-01', 1), 0)).toBe('Payment of $0.01 received on 2026-12-01; nothing is left to pay on invoice 1042.');
  });
});

describe('paymentUndoneText and invoiceStateText', () => {
  const undone = (state: NotePaymentState['state'], totalCents = 50_000): NotePaymentState => ({ paymentId: '7', state, txnDate: '2026-12-01', totalCents });

  it('When a noted payment is deleted or voided, then the note says so and what is open again', () => {
    expect(paymentUndoneText(invoice({ balanceCents: 165_150 }), undone('deleted'))).toBe('Payment of $500.00 received on 2026-12-01 was deleted in QuickBooks; $1,651.50 is open again on invoice 1042.');
    expect(paymentUndoneText(invoice({ balanceCents: 165_150 }), undone('voided', 0))).toBe('A payment received on 2026-12-01 was voided in QuickBooks; $1,651.50 is open again on invoice 1042.');
  });

  it('When the invoice is settled anyway or gone, then the undone note names the invoice without a balance', () => {
    expect(paymentUndoneText(invoice({ balanceCents: 0 }), undone('deleted'))).toBe('Payment of $500.00 received on 2026-12-01 was deleted in QuickBooks (invoice 1042).');
    expect(paymentUndoneText(invoice({ state: 'deleted' }), { ...undone('deleted'), txnDate: null })).toBe('Payment of $500.00 received was deleted in QuickBooks (invoice 1042).');
    expect(paymentUndoneText(invoice({ balanceCents: null, totalCents: 2_000 }), undone('deleted'))).toBe('Payment of $500.00 received on 2026-12-01 was deleted in QuickBooks; $20.00 is open again on invoice 1042.');
  });

  it('When an invoice is voided or deleted in QuickBooks, then the note says which and when', () => {
    expect(invoiceStateText(invoice({ stateChangedOn: '2026-12-03' }), 'voided')).toBe('Invoice 1042 was voided in QuickBooks on 2026-12-03.');
    expect(invoiceStateText(invoice({ docNumber: null }), 'deleted')).toBe('Invoice 130 was deleted in QuickBooks.');
  });
});

describe('moneyNotes', () => {
  const notes = (input: { invoices?: NoteInvoice[]; payments?: InvoicePayment[]; paymentStates?: NotePaymentState[]; noted?: string[] }) =>
    moneyNotes({ connectionId: CONNECTION, invoices: input.invoices ?? [invoice()], payments: input.payments ?? [], paymentStates: input.paymentStates ?? [], noted: new Set(input.noted ?? []) });

  it('When two payments are heard of together, then each gets its note, oldest first, each with the balance right after it', () => {
    const found = notes({ invoices: [invoice({ balanceCents: 65_150 })], payments: [payment('9', '2026-12-05', 50_000), payment('7', '2026-12-01', 50_000)] });
    expect(found).toEqual([
      { key: 'payment-received:3:7:130', body: 'Payment of $500.00 received on 2026-12-01; $1,151.50 still open on invoice 1042.' },
      { key: 'payment-received:3:9:130', body: 'Payment of $500.00 received on 2026-12-05; $651.50 still open on invoice 1042.' },
    ]);
  });

  it('When a payment was noted already, then it is not noted again, whatever its amounts are now', () => {
    expect(notes({ payments: [payment('7', '2026-12-01', 50_000)], noted: ['payment-received:3:7:130'] })).toEqual([]);
  });

  it('When the same payment id is known under another connection, then this connection still notes it (keys name the connection)', () => {
    expect(notes({ payments: [payment('7', '2026-12-01', 50_000)], noted: ['payment-received:4:7:130'] }).map((n) => n.key)).toEqual(['payment-received:3:7:130']);
  });

  it('When a payment is voided or deleted and was never noted, then no note is made for it', () => {
    expect(notes({ payments: [payment('7', '2026-12-01', 50_000, { state: 'deleted' })], paymentStates: [{ paymentId: '7', state: 'deleted', txnDate: '2026-12-01', totalCents: 50_000 }] })).toEqual([]);
  });

  it('When a noted payment is deleted, then one note says so; once noted, never again', () => {
    const states: NotePaymentState[] = [{ paymentId: '7', state: 'deleted', txnDate: '2026-12-01', totalCents: 50_000 }];
    const inv = invoice({ balanceCents: 165_150 });
    expect(notes({ invoices: [inv], paymentStates: states, noted: ['payment-received:3:7:130'] })).toEqual([
      { key: 'payment-undone:3:7:130', body: 'Payment of $500.00 received on 2026-12-01 was deleted in QuickBooks; $1,651.50 is open again on invoice 1042.' },
    ]);
    expect(notes({ invoices: [inv], paymentStates: states, noted: ['payment-received:3:7:130', 'payment-undone:3:7:130'] })).toEqual([]);
  });

  it('When several noted payments are undone at once, then their notes come in the order the payments were made, then by invoice', () => {
    const states: NotePaymentState[] = [
      { paymentId: '10', state: 'deleted', txnDate: '2026-12-02', totalCents: 1_000 },
      { paymentId: '9', state: 'voided', txnDate: '2026-12-02', totalCents: 2_000 },
      { paymentId: '8', state: 'deleted', txnDate: '2026-12-05', totalCents: 3_000 },
    ];
    const other = invoice({ id: '131', docNumber: '1043', balanceCents: 7_000 });
    const found = notes({
      invoices: [invoice({ balanceCents: 165_150 }), other],
      paymentStates: states,
      noted: ['payment-received:3:8:130', 'payment-received:3:10:131', 'payment-received:3:10:130', 'payment-received:3:9:130'],
    });
    expect(found.map((n) => n.key)).toEqual(['payment-undone:3:9:130', 'payment-undone:3:10:130', 'payment-undone:3:10:131', 'payment-undone:3:8:130']);
  });

  it('When a noted payment is still active, or unknown, or its invoice is not one of the deal\'s, then no undone note is made', () => {
    const noted = ['payment-received:3:7:130'];
    expect(notes({ paymentStates: [{ paymentId: '7', state: 'active', txnDate: '2026-12-01', totalCents: 50_000 }], noted })).toEqual([]);
    expect(notes({ paymentStates: [], noted })).toEqual([]);
    expect(notes({ invoices: [invoice({ id: '131' })], paymentStates: [{ paymentId: '7', state: 'voided', txnDate: null, totalCents: 0 }], noted })).toEqual([]);
  });

  it('When an invoice is voided or deleted, then one note says so, and payments heard of after that get none', () => {
    const voided = invoice({ state: 'voided', stateChangedOn: '2026-12-03' });
    expect(notes({ invoices: [voided], payments: [payment('7', '2026-12-01', 50_000)] })).toEqual([{ key: 'invoice-voided:3:130', body: 'Invoice 1042 was voided in QuickBooks on 2026-12-03.' }]);
    expect(notes({ invoices: [voided], noted: ['invoice-voided:3:130'] })).toEqual([]);
    expect(notes({ invoices: [invoice({ state: 'deleted' })], noted: ['invoice-voided:3:130'] })).toEqual([{ key: 'invoice-deleted:3:130', body: 'Invoice 1042 was deleted in QuickBooks.' }]);
  });

  it('When a deal has two invoices, then each gets its own notes, in the order of the invoices', () => {
    const other = invoice({ id: '131', docNumber: '1043', totalCents: 10_000, balanceCents: 0 });
    const found = notes({ invoices: [invoice(), other], payments: [payment('7', '2026-12-01', 50_000), payment('8', '2026-12-02', 10_000, { invoiceId: '131' })] });
    expect(found.map((n) => n.key)).toEqual(['payment-received:3:7:130', 'payment-received:3:8:131']);
    expect(found[1]!.body).toBe('Payment of $100.00 received on 2026-12-02; nothing is left to pay on invoice 1043.');
  });

  it('When an invoice has no balance field, then what is open is counted from its total', () => {
    expect(notes({ invoices: [invoice({ balanceCents: null, totalCents: 80_000 })], payments: [payment('7', '2026-12-01', 50_000)] })[0]!.body).toBe(
      'Payment of $500.00 received on 2026-12-01; $800.00 still open on invoice 1042.',
    );
  });
});

describe('noteKeys and receivedKeyParts', () => {
  it('When a payment-received key of this connection is read back, then it gives the payment and the invoice; any other key gives null', () => {
    expect(receivedKeyParts(noteKeys.paymentReceived(3, '7', '130'), 3)).toEqual({ paymentId: '7', invoiceId: '130' });
    expect(receivedKeyParts(noteKeys.paymentReceived(3, '7', '130'), 4)).toBeNull();
    expect(receivedKeyParts(noteKeys.paymentUndone(3, '7', '130'), 3)).toBeNull();
    expect(receivedKeyParts(noteKeys.invoiceState(3, '130', 'voided'), 3)).toBeNull();
    expect(receivedKeyParts('payment-received:3:7', 3)).toBeNull();
    expect(receivedKeyParts('payment-received:3:7:130:9', 3)).toBeNull();
  });
});
