import { chooseTerms, transactionDate, dueDateFor } from '../../../server/src/sync/document-dates';
import { conversionRefusal, invoiceStatus } from '../../../server/src/sync/document-status';
import { cut, DocumentBuildError, PRIVATE_NOTE_MAX, privateNoteFor } from '../../../server/src/sync/document-text';
import { invoiceFromEstimate } from '../../../server/src/sync/invoice-from-estimate';
import type { QboTerm } from '../../../server/src/sync/model';

const term = (id: string): QboTerm => ({ id, name: `Term ${id}`, dueDays: 30, dayOfMonthDue: null, active: true });
const TERMS = [term('1'), term('2'), term('3')];

describe('chooseTerms', () => {
  it("When the setting names terms, then they win over the customer's and the company's", () => {
    expect(chooseTerms(TERMS, { setting: '1', customer: '2', company: '3' })?.id).toBe('1');
  });

  it("When the setting names none, then the customer's terms apply, else the company's", () => {
    expect(chooseTerms(TERMS, { setting: null, customer: '2', company: '3' })?.id).toBe('2');
    expect(chooseTerms(TERMS, { setting: null, customer: undefined, company: '3' })?.id).toBe('3');
    expect(chooseTerms(TERMS, { setting: null, customer: null, company: null })).toBeNull();
  });

  it('When the chosen terms are not in the list, then none are sent (QuickBooks decides)', () => {
    expect(chooseTerms(TERMS, { setting: '9', customer: '2', company: '3' })).toBeNull();
  });
});

describe('document dates', () => {
  it('When the setting is the close date but the deal has none, then the date is today', () => {
    expect(transactionDate('close_date', { closeDate: '2026-02-01' }, '2026-03-02')).toBe('2026-02-01');
    expect(transactionDate('close_date', { closeDate: null }, '2026-03-02')).toBe('2026-03-02');
    expect(transactionDate('today', { closeDate: '2026-02-01' }, '2026-03-02')).toBe('2026-03-02');
  });

  it('When a date is not YYYY-MM-DD, then building refuses in words', () => {
    expect(() => dueDateFor({ dueDays: 30, dayOfMonthDue: null }, '2026-3-1')).toThrow(new DocumentBuildError('Not a YYYY-MM-DD date: 2026-3-1'));
    expect(() => dueDateFor({ dueDays: 30, dayOfMonthDue: null }, 'x2026-03-01')).toThrow(DocumentBuildError);
    expect(() => dueDateFor({ dueDays: 30, dayOfMonthDue: null }, '2026-03-01x')).toThrow(DocumentBuildError);
  });
});

describe('document text', () => {
  it('When text is cut, then it ends in "…" within the limit and never splits a surrogate pair', () => {
    expect(cut('abcdef', 6)).toBe('abcdef');
    expect(cut('abcdef', 4)).toBe('abc…');
    expect(cut('abc😀ef', 5)).toBe('abc…');
    expect(cut('ab😀def', 5)).toBe('ab😀…');
    expect(cut('a😀cdef', 5)).toBe('a😀c…');
  });

  it('When the marker leaves no room for the deal name, then the note is refused in words', () => {
    const deal = { id: '42', name: 'Permit set' };
    expect(() => privateNoteFor(deal, 881, 'm'.repeat(PRIVATE_NOTE_MAX))).toThrow('The private note marker is too long for QuickBooks.');
    const fixed = 'HubSpot deal "" (deal 42, HubSpot account 881). '.length;
    // Room for exactly one character of the name: a one-character name fits whole.
    expect(privateNoteFor({ id: '42', name: 'P' }, 881, 'm'.repeat(PRIVATE_NOTE_MAX - fixed - 1))).toHaveLength(PRIVATE_NOTE_MAX);
  });
});

describe('invoiceStatus of a note that starts with "Voided"', () => {
  it('When the note says Voided but the total is not zero, then the invoice is not voided', () => {
    expect(invoiceStatus({ totalCents: 5000, balanceCents: 5000, dueDate: null, privateNote: 'Voided by hand? no' }, '2026-03-01')).toBe('open');
    expect(invoiceStatus({ totalCents: 0, balanceCents: 0, dueDate: null, privateNote: 'Voided' }, '2026-03-01')).toBe('voided');
  });
});

describe('conversionRefusal', () => {
  const estimate = (txnStatus: string | null, linked: Array<{ type: string; id: string }> = [], docNumber: string | null = '1001') => ({ id: '55', docNumber, txnStatus, linked });

  it('When the estimate is pending or accepted, then it may be converted', () => {
    expect(conversionRefusal(estimate(null))).toBeNull();
    expect(conversionRefusal(estimate('Pending'))).toBeNull();
    expect(conversionRefusal(estimate('Accepted', [{ type: 'PurchaseOrder', id: '1' }]))).toBeNull();
  });

  it('When it is closed, converted or already linked to an invoice, then it cannot be converted again', () => {
    const closed = 'Estimate 1001 is closed in QuickBooks (it was already converted or closed), so it cannot be converted again.';
    expect(conversionRefusal(estimate('Closed'))).toBe(closed);
    expect(conversionRefusal(estimate('Converted'))).toBe(closed);
    expect(conversionRefusal(estimate('Accepted', [{ type: 'Invoice', id: '9' }]))).toBe(closed);
    expect(conversionRefusal(estimate('Closed', [], null))).toBe('Estimate 55 is closed in QuickBooks (it was already converted or closed), so it cannot be converted again.');
  });

  it('When it was rejected, then the refusal says to reopen it in QuickBooks', () => {
    expect(conversionRefusal(estimate('Rejected'))).toBe('Estimate 1001 was rejected by the customer in QuickBooks. Mark it Accepted or Pending in QuickBooks to convert it.');
    expect(conversionRefusal(estimate('Rejected', [], null))).toContain('Estimate 55 was rejected');
  });
});

describe('invoiceFromEstimate edges', () => {
  const header = { TxnDate: '2026-03-06', PrivateNote: 'Converted from QuickBooks estimate 9. HubSpot deal 7 (HubSpot account 881). [m]' };
  const base = { header, terms: null, billEmail: null };
  const line = { DetailType: 'SalesItemLineDetail', Amount: 45, SalesItemLineDetail: { ItemRef: { value: '4' } } };

  it('When the estimate has only a discount line, then there is nothing to invoice', () => {
    const only = { Id: '9', DocNumber: '1009', CustomerRef: { value: '1' }, Line: [{ DetailType: 'DiscountLineDetail', Amount: 5 }] };
    expect(() => invoiceFromEstimate({ ...base, estimate: only })).toThrow('The QuickBooks estimate 1009 has no lines to invoice.');
  });

  it('When the estimate carries a department, a memo and the tax-after-discount flag, then all three carry over', () => {
    const estimate = {
      Id: '9',
      CustomerRef: { value: '1' },
      DepartmentRef: { value: '2' },
      CustomerMemo: { value: 'Thanks' },
      ApplyTaxAfterDiscount: false,
      TxnTaxDetail: { TotalTax: 0 },
      Line: [line],
    };
    const body = invoiceFromEstimate({ ...base, estimate });
    expect(body).toMatchObject({ DepartmentRef: { value: '2' }, CustomerMemo: { value: 'Thanks' }, ApplyTaxAfterDiscount: false, PrivateNote: header.PrivateNote, TxnDate: '2026-03-06' });
    expect(body.TxnTaxDetail).toBeUndefined();
    expect(body.DueDate).toBeUndefined();
    expect(body.BillEmail).toBeUndefined();
  });
});
