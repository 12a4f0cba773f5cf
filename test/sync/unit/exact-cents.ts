/**
 * An oracle for line amounts, written apart from the engine (it shares no code with server/src/sync/decimal.ts):
 * decimal strings become BigInt units, products stay exact, and cents are rounded once, half away from zero, as
 * HubSpot computes a line item's amount. A test that compares the engine with this can fail when the engine's
 * arithmetic is wrong, where comparing the engine with itself never could.
 */

interface Exact {
  units: bigint;
  /** value = units / 10^places */
  places: number;
}

function exact(text: string): Exact {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new Error(`not a plain decimal: ${text}`);
  const fraction = match[3] ?? '';
  const units = BigInt(`${match[2] || '0'}${fraction}`);
  return { units: match[1] === '-' ? -units : units, places: fraction.length };
}

/** units / 10^places in cents, half away from zero. */
function roundToCents(units: bigint, places: number): bigint {
  if (places <= 2) return units * 10n ** BigInt(2 - places);
  const divisor = 10n ** BigInt(places - 2);
  const magnitude = units < 0n ? -units : units;
  const rounded = (magnitude + divisor / 2n) / divisor;
  return units < 0n ? -rounded : rounded;
}

export interface ExactLine {
  price: string;
  quantity: string;
  /** Per-unit discount. */
  discount?: string | null;
  discountPercentage?: string | null;
}

/** What one line adds to the document: round(price x qty) less round(price x qty x pct / 100) or round(perUnit x qty). */
export function exactLineCents(line: ExactLine): { pre: number; discount: number; amount: number } {
  const price = exact(line.price);
  const quantity = exact(line.quantity);
  const pre = roundToCents(price.units * quantity.units, price.places + quantity.places);
  let discount = 0n;
  if (line.discountPercentage && exact(line.discountPercentage).units !== 0n) {
    const pct = exact(line.discountPercentage);
    // x pct / 100: two more decimal places.
    discount = roundToCents(price.units * quantity.units * pct.units, price.places + quantity.places + pct.places + 2);
  } else if (line.discount && exact(line.discount).units !== 0n) {
    const perUnit = exact(line.discount);
    discount = roundToCents(perUnit.units * quantity.units, perUnit.places + quantity.places);
  }
  return { pre: Number(pre), discount: Number(discount), amount: Number(pre - discount) };
}
