/**
 * Exact money for the QBO simulator. QBO amounts travel as JSON numbers (275.0 arrives as 275, 12.75 as 12.75);
 * every sum, product and percentage here is done in integers (cents, or BigInt for products) and rounded half-up
 * to the cent once, the way the QBO UI shows it, so 0.1 + 0.2 style drift can never reach a total.
 */

/** A decimal as an integer with a power-of-ten scale: 12.75 -> { units: 1275n, scale: 2 }. */
interface Scaled {
  units: bigint;
  scale: number;
}

function toScaled(value: number): Scaled {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  // Number#toString gives the shortest round-tripping decimal; exponent forms are expanded by toFixed.
  let text = String(value);
  if (/e/i.test(text)) text = value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const units = BigInt(whole + fraction) * (negative ? -1n : 1n);
  return { units, scale: fraction.length };
}

/** Divides and rounds half away from zero (what "round half-up" means for money). */
function divRound(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** Below this many cents, two amounts of at most two decimals never share a double, so the fast path is exact. */
const FAST_CENTS_LIMIT = 2 ** 50;

/** A JSON money value to integer cents, rounding half-up at the third decimal. */
export function toCents(amount: number): number {
  // Fast path for the usual case, an amount with at most two decimals (it is called for every stored invoice when
  // balances are summed): if cents/100 reads back as the very same number, those are its cents, no rounding needed.
  const cents = Math.round(amount * 100);
  if (Math.abs(cents) < FAST_CENTS_LIMIT && cents / 100 === amount) return cents === 0 ? 0 : cents;
  const { units, scale } = toScaled(amount);
  return Number(divRound(units * 100n, 10n ** BigInt(scale)));
}

/** Integer cents back to the JSON number QBO would print (12.75, 275, 0). */
export function fromCents(cents: number): number {
  if (!Number.isInteger(cents)) throw new RangeError(`cents must be an integer: ${cents}`);
  return cents / 100;
}

/** qty x unitPrice in cents, rounded half-up once (qty and price may both have decimals). */
export function lineAmountCents(qty: number, unitPrice: number): number {
  const q = toScaled(qty);
  const p = toScaled(unitPrice);
  return Number(divRound(q.units * p.units * 100n, 10n ** BigInt(q.scale + p.scale)));
}

/** `percent`% of `cents`, rounded half-up (percent like 8.25 means 8.25%). */
export function percentOfCents(cents: number, percent: number): number {
  const p = toScaled(percent);
  return Number(divRound(BigInt(cents) * p.units, 100n * 10n ** BigInt(p.scale)));
}

/** part/whole share of `cents`, rounded half-up (used to spread a discount over taxable lines). */
export function shareOfCents(cents: number, part: number, whole: number): number {
  if (whole === 0) return 0;
  return Number(divRound(BigInt(cents) * BigInt(part), BigInt(whole)));
}

export function isMoney(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
