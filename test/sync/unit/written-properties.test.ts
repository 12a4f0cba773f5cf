import { changedProperties, firstPaidDate } from '../../../server/src/sync/written-properties';

/** Only the deal properties whose value changed are sent to HubSpot, so nothing loops. */
describe('changedProperties', () => {
  const stamp = { last_synced: '1700000000000' };

  it('When nothing was written before, then every value is sent, empty ones too, with the stamp', () => {
    expect(changedProperties({ status: 'open', balance: '' }, null, stamp)).toEqual({ status: 'open', balance: '', last_synced: '1700000000000' });
  });

  it('When every value is as last written, then nothing at all is sent, not even the stamp', () => {
    expect(changedProperties({ status: 'open', balance: '10.00' }, { status: 'open', balance: '10.00', last_synced: '1' }, stamp)).toEqual({});
  });

  it('When one value changed, then only it is sent, with the stamp', () => {
    expect(changedProperties({ status: 'paid', balance: '0.00' }, { status: 'open', balance: '0.00' }, stamp)).toEqual({ status: 'paid', last_synced: '1700000000000' });
  });

  it('When a key was never written, then it is sent even if empty; a key not wanted now is left alone', () => {
    expect(changedProperties({ days: '' }, { status: 'open' })).toEqual({ days: '' });
    expect(changedProperties({}, { status: 'open' }, stamp)).toEqual({});
  });
});

describe('firstPaidDate', () => {
  it('When a first paid date was written, then it stays, paid now or not', () => {
    expect(firstPaidDate('2026-12-01', false, null, '2026-12-09')).toBe('2026-12-01');
    expect(firstPaidDate('2026-12-01', true, '2026-12-08', '2026-12-09')).toBe('2026-12-01');
  });

  it('When none was written and the invoice is paid now, then it is the day it was paid, else today', () => {
    expect(firstPaidDate(undefined, true, '2026-12-08', '2026-12-09')).toBe('2026-12-08');
    expect(firstPaidDate('', true, null, '2026-12-09')).toBe('2026-12-09');
  });

  it('When none was written and the invoice is not paid, then it is empty', () => {
    expect(firstPaidDate(undefined, false, '2026-12-08', '2026-12-09')).toBe('');
  });
});
