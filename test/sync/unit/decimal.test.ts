import {
  add,
  centsToDecimalString,
  compare,
  centsToNumber,
  decimalToJsonNumber,
  formatAmount,
  formatDecimal,
  formatMoney,
  fromCents,
  multiply,
  parseDecimal,
  roundDiv,
  shift,
  subtract,
  sumCents,
  toCents,
  type Decimal,
} from '../../../server/src/sync/decimal';

function d(text: string): Decimal {
  const value = parseDecimal(text);
  if (!value) throw new Error(`not a decimal: ${text}`);
  return value;
}

describe('exact decimals', () => {
  it('When HubSpot sends plain decimal strings, then they parse to exact values', () => {
    expect(formatDecimal(d('33.33'))).toBe('33.33');
    expect(formatDecimal(d('1.5'))).toBe('1.5');
    expect(formatDecimal(d('150.50'))).toBe('150.5');
    expect(formatDecimal(d(' .25 '))).toBe('0.25');
    expect(formatDecimal(d('-3.50'))).toBe('-3.5');
    expect(formatDecimal(d('0.000'))).toBe('0');
  });

  it('When the text is not a finite plain decimal, then parsing gives null', () => {
    for (const text of ['1e2', '', ' ', 'abc', '1,000.00', 'NaN', 'Infinity', '1.2.3', '--1', '$5', '0x10']) {
      expect(parseDecimal(text)).toBeNull();
    }
    expect(parseDecimal(null)).toBeNull();
    expect(parseDecimal(undefined)).toBeNull();
  });

  it('When 33.33 is taken 3 times, then it is 99.99 to the cent', () => {
    expect(toCents(multiply(d('33.33'), d('3')))).toBe(9999);
  });

  it('When 0.1 and 0.2 are added, then the sum is 0.30 (not 0.30000000000000004)', () => {
    expect(toCents(add(d('0.1'), d('0.2')))).toBe(30);
    expect(centsToDecimalString(toCents(add(d('0.1'), d('0.2'))))).toBe('0.30');
  });

  it('When 99.99 is taken 4 times, then it is 399.96', () => {
    expect(toCents(multiply(d('99.99'), d('4')))).toBe(39996);
  });

  it('When a product has a half cent, then it rounds half away from zero', () => {
    expect(toCents(multiply(d('0.125'), d('1')))).toBe(13);
    expect(toCents(multiply(d('-0.125'), d('1')))).toBe(-13);
    expect(toCents(multiply(d('1.5'), d('33.33')))).toBe(5000); // 49.995
    expect(toCents(d('0.124999'))).toBe(12);
  });

  it('When amounts reach a trillion dollars, then products and sums stay exact', () => {
    expect(toCents(multiply(d('999999999999.99'), d('3')))).toBe(299999999999997);
    expect(sumCents([99999999999999, 1])).toBe(100000000000000);
    expect(formatDecimal(subtract(d('1000000000000000.01'), d('0.02')))).toBe('999999999999999.99');
  });

  it('When cents would pass 2^53, then DealBooks refuses rather than lose a cent', () => {
    expect(() => toCents(d('90071992547409.92'))).toThrow(RangeError);
    expect(toCents(d('90071992547409.91'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toCents(d('90071992547409.92'))).toThrow('amount too large to handle exactly: 9007199254740992 cents');
    expect(() => toCents(d('-90071992547409.92'))).toThrow(RangeError);
    expect(toCents(d('-90071992547409.91'))).toBe(Number.MIN_SAFE_INTEGER);
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
    expect(() => sumCents([0.5])).toThrow(RangeError);
  });

  it('When cents go into a JSON body, then the printed number is the exact amount', () => {
    expect(JSON.stringify({ Amount: centsToNumber(1250) })).toBe('{"Amount":12.5}');
    expect(JSON.stringify({ Amount: centsToNumber(9999) })).toBe('{"Amount":99.99}');
    expect(JSON.stringify({ Amount: centsToNumber(-1000) })).toBe('{"Amount":-10}');
    expect(String(centsToNumber(999999999999999))).toBe('9999999999999.99');
    expect(String(centsToNumber(-999999999999999))).toBe('-9999999999999.99');
    // 16 significant digits no longer survive a double (90071992547409.91 would print as ...409.9).
    expect(() => centsToNumber(9007199254740991)).toThrow(RangeError);
    expect(() => centsToNumber(12.5)).toThrow(RangeError);
    expect(() => centsToNumber(12.5)).toThrow('cents must be a safe integer: 12.5');
    expect(() => centsToNumber(1_000_000_000_000_000)).toThrow('amount too large for an exact JSON number: 1000000000000000 cents');
    // Never a negative zero: a zero amount is plain 0 wherever it is read.
    expect(Object.is(centsToNumber(-0), 0)).toBe(true);
  });

  it('When a decimal fits a JSON number exactly, then it is written as one; else null', () => {
    expect(decimalToJsonNumber(d('150.50'))).toBe(150.5);
    expect(decimalToJsonNumber(d('1.5'))).toBe(1.5);
    expect(decimalToJsonNumber(d('0.125'))).toBe(0.125);
    expect(decimalToJsonNumber(d('0.0000001'))).toBeNull(); // prints as 1e-7
    expect(decimalToJsonNumber(d('12345678901234567.89'))).toBeNull();
  });

  it('When cents are shown to a person, then they read as money in the currency', () => {
    expect(centsToDecimalString(1250)).toBe('12.50');
    expect(centsToDecimalString(-5)).toBe('-0.05');
    expect(centsToDecimalString(0)).toBe('0.00');
    expect(formatMoney(1250000, 'USD')).toBe('$12,500.00');
    expect(formatMoney(1250000, 'EUR')).toBe('€12,500.00');
    expect(formatMoney(-5, 'USD')).toBe('-$0.05');
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('$90,071,992,547,409.91');
    expect(formatAmount(100000)).toBe('1,000.00');
    expect(formatAmount(99999)).toBe('999.99');
  });
});

describe('exact decimals: the smaller operations', () => {
  it('When decimals are compared at different scales, then the order is exact', () => {
    expect(compare(d('1.50'), d('1.5'))).toBe(0);
    expect(compare(d('1.49'), d('1.5'))).toBe(-1);
    expect(compare(d('2'), d('1.999'))).toBe(1);
    expect(compare(d('-0.01'), d('0'))).toBe(-1);
  });

  it('When decimals of different scales are added, then nothing is rounded away', () => {
    expect(formatDecimal(add(d('1.5'), d('0.25')))).toBe('1.75');
    expect(formatDecimal(add(d('0.001'), d('2')))).toBe('2.001');
  });

  it('When a decimal is shifted by negative places, then it is multiplied by that power of ten', () => {
    expect(formatDecimal(shift(d('1.25'), -2))).toBe('125');
    expect(formatDecimal(shift(d('1.25'), 2))).toBe('0.0125');
    expect(formatDecimal(shift(d('7'), 0))).toBe('7');
    expect(formatDecimal(shift(d('7'), -2))).toBe('700');
  });

  it('When a division has a negative denominator or none, then it rounds half away from zero or refuses', () => {
    expect(roundDiv(5n, -2n)).toBe(-3n);
    expect(roundDiv(-5n, -2n)).toBe(3n);
    expect(roundDiv(-5n, 2n)).toBe(-3n);
    expect(roundDiv(4n, -3n)).toBe(-1n);
    expect(() => roundDiv(1n, 0n)).toThrow(new RangeError('division by zero'));
  });

  it('When integer cents become a decimal, then the value is exact; cents that are not safe integers are refused', () => {
    expect(fromCents(1250)).toEqual({ units: 1250n, scale: 2 });
    expect(formatDecimal(fromCents(-5))).toBe('-0.05');
    expect(() => fromCents(0.5)).toThrow(RangeError);
    expect(() => fromCents(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});
