import { propertyValueError, type PropertyValueError } from './errors';
import { compare, formatDecimal, multiply, parseDecimal, rescale, subtract, type Decimal } from './decimal';

const ZERO: Decimal = { units: 0n, scale: 0 };
const HUNDRED: Decimal = { units: 100n, scale: 0 };

export interface LineItemAmounts {
  amount: string | null;
  hs_pre_discount_amount: string | null;
  hs_total_discount: string | null;
}

/** HubSpot rejects a negative price, a negative discount and a discount percentage over 100. */
export function lineItemProblems(props: Record<string, string>): PropertyValueError[] {
  const problems: PropertyValueError[] = [];
  const check = (name: string, ok: (d: Decimal) => boolean, message: string) => {
    const raw = props[name];
    const d = raw === undefined ? undefined : parseDecimal(raw);
    if (d && !ok(d)) problems.push(propertyValueError(name, 'INVALID_FLOAT', message.replace('%s', raw ?? '')));
  };
  check('price', (d) => compare(d, ZERO) >= 0, 'price must be greater than or equal to 0, was %s');
  check('discount', (d) => compare(d, ZERO) >= 0, 'discount must be greater than or equal to 0, was %s');
  check('hs_discount_percentage', (d) => compare(d, ZERO) >= 0 && compare(d, HUNDRED) <= 0, 'hs_discount_percentage must be between 0 and 100, was %s');
  return problems;
}

/**
 * HubSpot's calculated line-item amounts, exact in cents:
 *   hs_pre_discount_amount = price x quantity
 *   hs_total_discount      = discount (per unit) x quantity, or pre-discount x hs_discount_percentage / 100
 *   amount                 = hs_pre_discount_amount - hs_total_discount
 * Each of the first two is rounded to cents (half away from zero) and `amount` is their difference, so the three
 * numbers a user sees always add up. A missing quantity counts as 1 (HubSpot's default); without a price there is
 * no amount. When both discount kinds are set, the percentage wins (HubSpot's editor offers one or the other).
 */
export function lineItemAmounts(props: Record<string, string>): LineItemAmounts {
  const price = props.price === undefined ? undefined : parseDecimal(props.price);
  if (!price) return { amount: null, hs_pre_discount_amount: null, hs_total_discount: null };
  const quantity = (props.quantity === undefined ? undefined : parseDecimal(props.quantity)) ?? { units: 1n, scale: 0 };
  const exactPre = multiply(price, quantity);
  const pre = rescale(exactPre, 2);
  const percentage = props.hs_discount_percentage === undefined ? undefined : parseDecimal(props.hs_discount_percentage);
  const perUnit = props.discount === undefined ? undefined : parseDecimal(props.discount);
  let discount: Decimal = ZERO;
  if (percentage) {
    const product = multiply(exactPre, percentage);
    discount = rescale({ units: product.units, scale: product.scale + 2 }, 2); // divide by 100
  } else if (perUnit) {
    discount = rescale(multiply(perUnit, quantity), 2);
  }
  return {
    amount: formatDecimal(subtract(pre, discount)),
    hs_pre_discount_amount: formatDecimal(pre),
    hs_total_discount: formatDecimal(discount),
  };
}

/** Line-item properties HubSpot fills in itself; a product's values of these are never copied. */
const NOT_INHERITED = new Set(['hs_object_id', 'createdate', 'hs_lastmodifieddate', 'amount', 'hs_pre_discount_amount', 'hs_total_discount']);

/**
 * A line item created with `hs_product_id` is "based on an existing product"
 * (https://developers.hubspot.com/docs/api/crm/line-items): it takes the product's name, price and the other
 * product properties a line item also has (description, SKU, ...) unless the create gives its own value, which
 * wins. Only creates inherit; changing hs_product_id later copies nothing. An id that is no live product copies
 * nothing either (what HubSpot answers for it is not documented; the write itself goes ahead).
 */
export function inheritFromProduct(
  input: unknown,
  product: (id: string) => { properties: Record<string, string> } | undefined,
  schema: { list(type: 'line_items' | 'products'): { name: string }[] },
): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const given = input as Record<string, unknown>;
  const productId = given.hs_product_id;
  if (productId === undefined || productId === null || productId === '') return input;
  const source = product(String(productId));
  if (!source) return input;
  const lineItemProperties = new Set(schema.list('line_items').map((d) => d.name));
  const inherited: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(source.properties)) {
    if (NOT_INHERITED.has(name) || !lineItemProperties.has(name) || name in given) continue;
    inherited[name] = value;
  }
  return { ...inherited, ...given };
}
