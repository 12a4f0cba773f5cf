/**
 * A line item's amounts are exact: price x quantity, and any discount, are rounded to the cent once, half away from
 * zero, as HubSpot computes a line item's amount. Binary floats go wrong exactly on half cents (1.005 is stored as
 * 1.00499999999999989...), so every case here is a half cent that float arithmetic rounds the wrong way, or one
 * that a rounding rule other than half-away-from-zero gets wrong.
 */
import { lineItemAmounts, lineItemsTotalCents } from '../../../server/src/sync/line-amounts';
import type { LineItemSnapshot } from '../../../server/src/sync/model';
import { exactLineCents } from './exact-cents';

function line(fields: Partial<LineItemSnapshot>): LineItemSnapshot {
  return {
    id: 'li-1',
    name: 'Drafting hours',
    description: null,
    productId: null,
    sku: null,
    quantity: '1',
    price: '0',
    discount: null,
    discountPercentage: null,
    amount: null,
    currency: 'USD',
    product: null,
    ...fields,
  };
}

describe('line item amounts on half cents', () => {
  it.each([
    // price, quantity, cents: what a float gets in brackets
    ['1.005', '1', 101], // 100.49999999999999 -> 100
    ['0.57', '0.5', 29], // 28.499999999999996 -> 28
    ['0.285', '1', 29], // 28.499999999999996 -> 28
    ['2.01', '0.5', 101], // 100.49999999999999 -> 100
    ['1.015', '1', 102], // 101.49999999999999 -> 101
    ['0.125', '1', 13], // an exact half: half-to-even would give 12
    ['0.005', '1', 1], // half a cent alone: truncating would give 0
    ['0.004', '1', 0],
    ['33.33', '1.5', 5000], // 49.995
  ])('When the price is %s and the quantity %s, then the line is %i cents', (price, quantity, cents) => {
    const amounts = lineItemAmounts(line({ price, quantity }));
    expect(amounts.preDiscountCents).toBe(cents);
    expect(amounts.computedDiscountCents).toBe(0);
    expect(amounts.computedAmountCents).toBe(cents);
    expect(amounts.targetCents).toBe(cents);
    expect(amounts.discount).toBeNull();
  });

  it('When 10% comes off 0.05, then the discount is the half cent rounded up to 0.01 and the line is 0.04', () => {
    const amounts = lineItemAmounts(line({ price: '0.05', discountPercentage: '10' }));
    expect(amounts).toMatchObject({ preDiscountCents: 5, computedDiscountCents: 1, computedAmountCents: 4, targetCents: 4 });
    expect(amounts.discount).toEqual({ kind: 'percentage', value: { units: 10n, scale: 0 } });
  });

  it.each([
    // price, quantity, percentage, discount cents
    ['0.57', '1', '50', 29], // 0.285: float 28.499999999999996 -> 28
    ['2.85', '1', '10', 29], // 0.285
    ['1.005', '1', '50', 50], // half of the unrounded 1.005 is 0.5025 -> 0.50, not half of 1.01
    ['33.33', '3', '12.5', 1250], // 12.49875
  ])('When the price is %s x %s with %s%% off, then the discount is %i cents of the exact product', (price, quantity, discountPercentage, discount) => {
    const amounts = lineItemAmounts(line({ price, quantity, discountPercentage }));
    expect(amounts.computedDiscountCents).toBe(discount);
    expect(amounts.computedAmountCents).toBe(amounts.preDiscountCents - discount);
  });

  it.each([
    // per-unit discount, quantity, discount cents
    ['0.57', '0.5', 29], // 0.285: float 28.499999999999996 -> 28
    ['2.01', '0.5', 101], // 1.005: float 100.49999999999999 -> 100
    ['0.67', '1.5', 101], // 1.005
    ['0.01', '0.5', 1], // a half cent: truncating would give 0
  ])('When a per-unit discount of %s meets a quantity of %s, then the discount is %i cents', (discount, quantity, cents) => {
    const amounts = lineItemAmounts(line({ price: '10', quantity, discount }));
    expect(amounts.discount?.kind).toBe('per_unit');
    expect(amounts.computedDiscountCents).toBe(cents);
    expect(amounts.computedAmountCents).toBe(amounts.preDiscountCents - cents);
  });

  it('When HubSpot sends its own amount on a half cent, then that amount rounds half away from zero too', () => {
    const amounts = lineItemAmounts(line({ price: '1.005', amount: '1.005' }));
    expect(amounts.hubspotAmountCents).toBe(101);
    expect(amounts.targetCents).toBe(101);
  });

  it('When half-cent lines are added up, then the total is the sum of each line rounded on its own', () => {
    const lines = [line({ price: '1.005' }), line({ price: '0.57', quantity: '0.5' }), line({ price: '0.285' })];
    // 1.01 + 0.29 + 0.29, not round(1.005 + 0.285 + 0.285) = 1.58
    expect(lineItemsTotalCents(lines)).toBe(159);
  });

  it('When the oracle meets the cases above, then it agrees with their fixed values (the oracle itself is right)', () => {
    expect(exactLineCents({ price: '1.005', quantity: '1' }).amount).toBe(101);
    expect(exactLineCents({ price: '0.57', quantity: '0.5' }).amount).toBe(29);
    expect(exactLineCents({ price: '0.05', quantity: '1', discountPercentage: '10' })).toEqual({ pre: 5, discount: 1, amount: 4 });
    expect(exactLineCents({ price: '10', quantity: '0.5', discount: '2.01' })).toEqual({ pre: 500, discount: 101, amount: 399 });
    expect(exactLineCents({ price: '33.33', quantity: '3', discountPercentage: '12.5' })).toEqual({ pre: 9999, discount: 1250, amount: 8749 });
  });
});

describe('line item discounts that are zero', () => {
  it('When the percentage is zero, then a per-unit discount applies; when both are zero, there is no discount', () => {
    const perUnit = lineItemAmounts(line({ price: '10', quantity: '2', discountPercentage: '0', discount: '1.5' }));
    expect(perUnit.discount?.kind).toBe('per_unit');
    expect(perUnit.computedDiscountCents).toBe(300);
    const none = lineItemAmounts(line({ price: '10', discountPercentage: '0.00', discount: '0' }));
    expect(none.discount).toBeNull();
    expect(none.computedDiscountCents).toBe(0);
  });
});
