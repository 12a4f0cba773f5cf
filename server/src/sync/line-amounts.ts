import { isZero, multiply, ONE, parseDecimal, shift, sumCents, toCents, type Decimal } from './decimal';
import { DocumentBuildError } from './document-text';
import type { LineItemSnapshot } from './model';

/**
 * A HubSpot line item's amounts as HubSpot computes them, exact to the cent: price x quantity rounded half away from
 * zero, less a percentage or per-unit discount. HubSpot's own `amount`, when present, is what the document follows.
 */

export interface LineItemAmounts {
  price: Decimal;
  quantity: Decimal;
  /** round(price x quantity). */
  preDiscountCents: number;
  /** round(price x quantity x pct / 100) or round(perUnit x quantity). */
  computedDiscountCents: number;
  /** preDiscount - discount, as HubSpot computes it (test/simulators/hubspot/crm/line-items.ts). */
  computedAmountCents: number;
  /** HubSpot's own `amount`, rounded to the cent, when present and parseable. */
  hubspotAmountCents: number | null;
  /** What the line must add to the document: HubSpot's amount when present, else the computed one. */
  targetCents: number;
  discount: { kind: 'percentage'; value: Decimal } | { kind: 'per_unit'; value: Decimal } | null;
}

/**
 * The amounts of one line item, exact to the cent. A missing quantity counts as 1 (HubSpot's default); a
 * percentage wins over a per-unit discount when both are set (as HubSpot does). Throws DocumentBuildError for a
 * line without a usable price or quantity.
 */
export function lineItemAmounts(line: LineItemSnapshot): LineItemAmounts {
  const price = parseDecimal(line.price);
  if (!price) throw new DocumentBuildError(`The line item “${line.name}” has no price.`);
  const quantity = line.quantity.trim() === '' ? ONE : parseDecimal(line.quantity);
  if (!quantity) throw new DocumentBuildError(`The line item “${line.name}” has a quantity that is not a number: ${line.quantity}.`);
  const exactPre = multiply(price, quantity);
  const preDiscountCents = toCents(exactPre);
  const percentage = parseDecimal(line.discountPercentage);
  const perUnit = parseDecimal(line.discount);
  let discount: LineItemAmounts['discount'] = null;
  let computedDiscountCents = 0;
  if (percentage && !isZero(percentage)) {
    discount = { kind: 'percentage', value: percentage };
    computedDiscountCents = toCents(shift(multiply(exactPre, percentage), 2));
  } else if (perUnit && !isZero(perUnit)) {
    discount = { kind: 'per_unit', value: perUnit };
    computedDiscountCents = toCents(multiply(perUnit, quantity));
  }
  const computedAmountCents = preDiscountCents - computedDiscountCents;
  const hubspot = parseDecimal(line.amount);
  const hubspotAmountCents = hubspot ? toCents(hubspot) : null;
  return {
    price,
    quantity,
    preDiscountCents,
    computedDiscountCents,
    computedAmountCents,
    hubspotAmountCents,
    targetCents: hubspotAmountCents ?? computedAmountCents,
    discount,
  };
}

/** The deal's line-item total in cents (what the QBO pre-tax total must equal). */
export function lineItemsTotalCents(lines: readonly LineItemSnapshot[]): number {
  return sumCents(lines.map((line) => lineItemAmounts(line).targetCents));
}
