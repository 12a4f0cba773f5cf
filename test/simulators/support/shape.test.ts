import { expectSameShape, shapeDifferences, shapeOf } from './shape';

describe('JSON shape comparison', () => {
  it('When values differ but structure and formats match, then the shapes are equal', () => {
    const a = { Id: '1', Amount: 275.0, TxnDate: '2014-09-19', MetaData: { CreateTime: '2014-09-19T13:16:17-07:00' }, time: '2015-07-24T10:48:27.082-07:00' };
    const b = { Id: '99', Amount: 12.75, TxnDate: '2026-03-02', MetaData: { CreateTime: '2026-03-02T10:00:00-08:00' }, time: '2026-03-02T10:00:00.5-08:00' };
    expect(shapeDifferences(a, b)).toEqual([]);
    expect(shapeOf(a)).toEqual({ Amount: 'number', Id: 'string', MetaData: { CreateTime: 'date-time' }, TxnDate: 'date', time: 'date-time-ms' });
  });

  it('When a key is missing, extra, or of another type or format, then each difference is named by its path', () => {
    const expected = { Invoice: { Id: '1', TotalAmt: 1, DueDate: '2014-10-19', Line: [{ Amount: 1 }] } };
    const actual = { Invoice: { Id: 1, Extra: true, DueDate: '10/19/2014', Line: [{ Amount: '1' }] } };
    expect(shapeDifferences(actual, expected)).toEqual([
      'Invoice.DueDate: expected date ("2014-10-19"), got string ("10/19/2014")',
      'Invoice.Extra: unexpected key (boolean)',
      'Invoice.Id: expected string ("1"), got number (1)',
      'Invoice.Line[].Amount: expected number (1), got string ("1")',
      'Invoice.TotalAmt: missing (expected number)',
    ]);
    expect(() => expectSameShape(actual, expected)).toThrow(/JSON shapes differ/);
  });

  it('When array elements are of different kinds, then each actual element is compared with its closest expected kind', () => {
    const expected = { Line: [{ DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { Qty: 1 } }, { DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} }] };
    const actual = { Line: [{ DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} }, { DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { Qty: 3 } }] };
    expect(shapeDifferences(actual, expected)).toEqual([]);
    const wrong = { Line: [{ DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { Qty: '3' } }] };
    expect(shapeDifferences(wrong, expected)).toEqual(['Line[].SalesItemLineDetail.Qty: expected number (1), got string ("3")']);
  });

  it('When paths are ignored, then those keys and their subtrees are left out on both sides', () => {
    const expected = { Invoice: { ProjectRef: { value: '1' }, Addr: { Lat: '1' }, Line: [{ LineNum: 1 }] } };
    const actual = { Invoice: { Addr: {}, Line: [{}] } };
    expect(shapeDifferences(actual, expected, { ignore: ['Invoice.ProjectRef', '*.Lat', 'Invoice.Line[].LineNum'] })).toEqual([]);
    expect(shapeDifferences(actual, expected)).toHaveLength(3);
  });

  it('When an array is empty on either side, then it matches any array but not an object', () => {
    expect(shapeDifferences({ Line: [] }, { Line: [{ a: 1 }] })).toEqual([]);
    expect(shapeDifferences({ Line: {} }, { Line: [] })).toEqual(['Line: expected array, got object']);
  });
});
