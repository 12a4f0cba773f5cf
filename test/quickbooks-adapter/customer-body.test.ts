import { clip, CUSTOMER_LIMITS, customerBody, validEmail } from '../../server/src/quickbooks/customer-body';

/** The edges of the QBO customer body: trimming, blank values, whitespace runs and surrogate pairs. */
describe('customerBody edges', () => {
  it('When a value is cut at its limit, then a surrogate pair at the cut is dropped whole, one further inside is kept', () => {
    expect(clip('ab😀', 3)).toBe('ab');
    expect(clip('a😀bc', 4)).toBe('a😀b');
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcd', 3)).toBe('abc');
  });

  it('When values carry blanks around them or inside, then they are trimmed and runs become one space; a blank value is left out', () => {
    const body = customerBody({
      displayName: 'Acme',
      givenName: '  Jane   Ann ',
      familyName: '   ',
      phone: '  +1 415  555 0100 ',
      notes: '  hello  ',
      billAddr: { line1: ' 1  Market St ', city: '  ' },
    });
    expect(body).toEqual({
      DisplayName: 'Acme',
      GivenName: 'Jane Ann',
      PrimaryPhone: { FreeFormNumber: '+1 415 555 0100' },
      Notes: 'hello',
      BillAddr: { Line1: '1 Market St' },
    });
    expect(customerBody({ displayName: 'Acme', notes: '   ' }).Notes).toBeUndefined();
  });

  it('When a cut ends in a blank, then the blank is trimmed off too', () => {
    expect(customerBody({ displayName: 'Acme', notes: `${'x'.repeat(1999)} tail` }).Notes).toBe('x'.repeat(1999));
  });

  it('When an email has blanks around it, then it is trimmed and kept', () => {
    expect(validEmail('  jane@acme.example ')).toBe('jane@acme.example');
    expect(customerBody({ displayName: 'Acme', email: ' jane@acme.example ' }).PrimaryEmailAddr).toEqual({ Address: 'jane@acme.example' });
  });
});

describe('customerBody limits and shapes', () => {
  it('When a value is exactly at its limit, then it is kept', () => {
    const email = `${'a'.repeat(87)}@acme.example`; // 100 characters
    expect(email).toHaveLength(100);
    expect(validEmail(email)).toBe(email);
    const phone = '1'.repeat(30);
    expect(customerBody({ displayName: 'Acme', phone }).PrimaryPhone).toEqual({ FreeFormNumber: phone });
  });

  it("When ':' has no blanks around it, then it still becomes ' - '; a display name cut before a blank loses the blank", () => {
    expect(customerBody({ displayName: 'Acme:West' }).DisplayName).toBe('Acme - West');
    expect(customerBody({ displayName: `${'x'.repeat(499)} y` }).DisplayName).toBe('x'.repeat(499));
  });

  it('When every address field is blank, then there is no BillAddr; fields left out are absent, not undefined', () => {
    const body = customerBody({ displayName: 'Acme', billAddr: { line1: ' ', city: '\t' } });
    expect(Object.keys(body)).toEqual(['DisplayName']);
  });

  it('When a parent id has blanks around it, then it is trimmed; a blank one makes no sub-customer', () => {
    expect(customerBody({ displayName: 'Acme', parentId: ' 7 ' })).toMatchObject({ Job: true, ParentRef: { value: '7' }, BillWithParent: true });
    expect(customerBody({ displayName: 'Acme', parentId: '  ' }).Job).toBeUndefined();
  });

  it('When the currency is not exactly three letters, then no CurrencyRef is sent', () => {
    expect(customerBody({ displayName: 'Acme', currency: 'usdx' }).CurrencyRef).toBeUndefined();
    expect(customerBody({ displayName: 'Acme', currency: 'xusd' }).CurrencyRef).toBeUndefined();
    expect(customerBody({ displayName: 'Acme', currency: ' eur ' }).CurrencyRef).toEqual({ value: 'EUR' });
  });

  it('When notes at their 2000 limit carry blanks around them, then the blanks go before the cut and the notes stay whole', () => {
    const notes = 'x'.repeat(CUSTOMER_LIMITS.notes);
    expect(customerBody({ displayName: 'Acme', notes: `  \n ${notes} ` }).Notes).toBe(notes);
  });
});
