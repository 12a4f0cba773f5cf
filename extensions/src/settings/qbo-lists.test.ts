import { pickerOptions } from './qbo-lists';

describe('pickerOptions', () => {
  const listed = [{ label: 'Hours', value: '3' }];

  it('When the stored id is listed, then it is offered under its name only', () => {
    expect(pickerOptions('None', listed, '3', 'ready')).toEqual([{ label: 'None', value: '' }, { label: 'Hours', value: '3' }]);
  });

  it('When QuickBooks\u2019 list is still being read, then the stored id is offered as being read, not as missing', () => {
    expect(pickerOptions('None', [], '3', 'loading')).toEqual([{ label: 'None', value: '' }, { label: 'QuickBooks id 3 (reading its name from QuickBooks…)', value: '3' }]);
  });

  it('When the list was read (or could not be) and lacks the stored id, then the id stays on offer, said to be missing', () => {
    expect(pickerOptions('None', listed, '77', 'ready').at(-1)).toEqual({ label: 'QuickBooks id 77 (not in the list)', value: '77' });
    expect(pickerOptions('None', [], '77', 'error').at(-1)).toEqual({ label: 'QuickBooks id 77 (not in the list)', value: '77' });
  });
});
