import { DocumentBuildError } from '../../../server/src/sync/document-text';
import { conversionNote, invoiceFromEstimate } from '../../../server/src/sync/invoice-from-estimate';

// Converting an estimate: the words the invoice's private note starts with, the refusal of something that is not
// an estimate, and a body that carries exactly the fields the estimate has (an absent field is not sent at all).

const header = { TxnDate: '2026-03-06', PrivateNote: 'Converted from QuickBooks estimate 1001. HubSpot deal 7 (HubSpot account 881). [m]' };
const line = { DetailType: 'SalesItemLineDetail', Amount: 45, SalesItemLineDetail: { ItemRef: { value: '4' }, Qty: 1, UnitPrice: 45 } };

describe('conversionNote', () => {
  it('When the estimate has a number, then the note names it by its number, else by its id', () => {
    expect(conversionNote({ docNumber: '1001', id: '55' })).toBe('Converted from QuickBooks estimate 1001.');
    expect(conversionNote({ docNumber: null, id: '55' })).toBe('Converted from QuickBooks estimate 55.');
  });
});

describe('invoiceFromEstimate: what is sent', () => {
  it('When the estimate has only a customer and lines, then the body has exactly those, the link and the header, and no empty fields', () => {
    const body = invoiceFromEstimate({ estimate: { Id: '55', CustomerRef: { value: '1' }, Line: [line] }, header, terms: null, billEmail: null });
    expect(body).toStrictEqual({
      CustomerRef: { value: '1' },
      TxnDate: '2026-03-06',
      Line: [line],
      LinkedTxn: [{ TxnId: '55', TxnType: 'Estimate' }],
      PrivateNote: header.PrivateNote,
    });
  });

  it('When the estimate has currency, class, department, memo and the tax-after-discount flag, then each is sent as it is', () => {
    const estimate = {
      Id: '55',
      CustomerRef: { value: '1' },
      CurrencyRef: { value: 'CAD' },
      ClassRef: { value: '2' },
      DepartmentRef: { value: '3' },
      CustomerMemo: { value: 'Thank you' },
      ApplyTaxAfterDiscount: true,
      Line: [line],
    };
    expect(invoiceFromEstimate({ estimate, header, terms: null, billEmail: null })).toStrictEqual({
      CustomerRef: { value: '1' },
      TxnDate: '2026-03-06',
      Line: [line],
      LinkedTxn: [{ TxnId: '55', TxnType: 'Estimate' }],
      PrivateNote: header.PrivateNote,
      CurrencyRef: { value: 'CAD' },
      ClassRef: { value: '2' },
      DepartmentRef: { value: '3' },
      CustomerMemo: { value: 'Thank you' },
      ApplyTaxAfterDiscount: true,
    });
  });
});

describe('invoiceFromEstimate: what is refused', () => {
  it('When the estimate cannot be read, then the refusal says what QuickBooks sent wrong', () => {
    const refusal = (estimate: unknown) => () => invoiceFromEstimate({ estimate, header, terms: null, billEmail: null });
    expect(refusal({ Id: '55', Line: [line] })).toThrow(
      new DocumentBuildError('The QuickBooks estimate could not be read: Invalid input: expected object, received undefined'),
    );
    expect(refusal(null)).toThrow(new DocumentBuildError('The QuickBooks estimate could not be read: Invalid input: expected object, received null'));
  });
});
