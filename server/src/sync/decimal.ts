/**
 * Exact decimal arithmetic for money and quantities. HubSpot sends decimal strings ("33.33", "1.5") and QBO wants
 * JSON numbers; in between, every product and sum is a BigInt of units at a power-of-ten scale, and rounding to
 * cents happens once, half away from zero, where HubSpot and QBO round (the QBO simulator's money.ts and HubSpot
 * simulator's crm/decimal.ts round the same way). A float only appears at the edge, when a finished value is
 * written into a JSON body (`centsToNumber`, `decimalToJsonNumber`).
 */

/** value = units / 10^scale. */
export interface Decimal {
  units: bigint;
  scale: number;
}

export const ZERO: Decimal = { units: 0n, scale: 0 };
export const ONE: Decimal = { units: 1n, scale: 0 };

// Plain decimals only: an exponent ("1e2"), a thousands separator, "NaN" or "Infinity" is not what HubSpot stores.
const PLAIN_DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))$/;

/** "12", "-3.5", ".25", "150.50" -> an exact Decimal; null for anything that is not a finite plain decimal. */
export function parseDecimal(input: string | null | undefined): Decimal | null {
  if (typeof input !== 'string') return null;
  const match = PLAIN_DECIMAL.exec(input.trim());
  if (!match) return null;
  const negative = match[1] === '-';
  const whole = match[2] ?? '0';
  const fraction = match[3] ?? match[4] ?? '';
  const units = BigInt(whole + fraction);
  return { units: negative ? -units : units, scale: fraction.length };
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Division rounded half away from zero, the usual rule for money. */
export function roundDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

/** The same value at another scale; fewer decimals round half away from zero. */
export function rescale(d: Decimal, scale: number): Decimal {
  if (scale >= d.scale) return { units: d.units * pow10(scale - d.scale), scale };
  return { units: roundDiv(d.units, pow10(d.scale - scale)), scale };
}

/** Multiplies by 10^-places exactly (e.g. a percentage / 100 is `shift(p, 2)`). */
export function shift(d: Decimal, places: number): Decimal {
  return places >= 0 ? { units: d.units, scale: d.scale + places } : { units: d.units * pow10(-places), scale: d.scale };
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale).units + rescale(b, scale).units, scale };
}

export function subtract(a: Decimal, b: Decimal): Decimal {
  return add(a, negate(b));
}

export function negate(d: Decimal): Decimal {
  return { units: -d.units, scale: d.scale };
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale).units;
  const y = rescale(b, scale).units;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(d: Decimal): boolean {
  return d.units === 0n;
}

/** The same value with trailing fractional zeros removed ("150.50" and "150.5" become one canonical value). */
export function normalize(d: Decimal): Decimal {
  let { units, scale } = d;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/** Canonical text, no exponent and no trailing fractional zeros: "1200", "1199.5", "-0.25". */
export function formatDecimal(d: Decimal): string {
  const { units, scale } = normalize(d);
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** Rounded to the cent, half away from zero, as integer cents. Refuses amounts past 2^53 cents rather than lose one. */
export function toCents(d: Decimal): number {
  return bigCentsToNumber(rescale(d, 2).units);
}

/** Integer cents as an exact Decimal. */
export function fromCents(cents: number): Decimal {
  assertCents(cents);
  return { units: BigInt(cents), scale: 2 };
}

function bigCentsToNumber(cents: bigint): number {
  if (cents > BigInt(Number.MAX_SAFE_INTEGER) || cents < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`amount too large to handle exactly: ${cents} cents`);
  }
  return cents === 0n ? 0 : Number(cents);
}

function assertCents(cents: number): void {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`cents must be a safe integer: ${cents}`);
}

/** Adds integer cents, refusing anything that is not a safe integer (a float slipping in would be a bug). */
export function sumCents(values: readonly number[]): number {
  let total = 0n;
  for (const value of values) {
    assertCents(value);
    total += BigInt(value);
  }
  return bigCentsToNumber(total);
}

/** 1250 -> "12.50", -5 -> "-0.05": always two decimals, for text a person or a log reads. */
export function centsToDecimalString(cents: number): string {
  assertCents(cents);
  const negative = cents < 0;
  const digits = Math.abs(cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Any decimal of at most 15 significant digits survives a trip through a double (DBL_DIG); cents below 10^15 do. */
export const MAX_JSON_CENTS = 999_999_999_999_999;

/**
 * Integer cents as the JSON number QBO reads (1250 -> 12.5). Dividing two integers is correctly rounded, so the
 * shortest printed form of the result is the decimal itself up to 15 significant digits ($9,999,999,999,999.99);
 * past that the printed number could differ by a cent, so it is refused. A conversion at the edge, never a step
 * of arithmetic.
 */
export function centsToNumber(cents: number): number {
  assertCents(cents);
  if (Math.abs(cents) > MAX_JSON_CENTS) throw new RangeError(`amount too large for an exact JSON number: ${cents} cents`);
  return cents === 0 ? 0 : cents / 100;
}

/**
 * A decimal as a JSON number, only when the number prints back as the very same decimal (so QBO, which reads the
 * printed form, sees exactly this value); null when it would not (more than ~15 significant digits).
 */
export function decimalToJsonNumber(d: Decimal): number | null {
  const text = formatDecimal(d);
  const n = Number(text);
  const printed = String(n);
  if (!Number.isFinite(n) || /e/i.test(printed)) return null;
  const back = parseDecimal(printed);
  if (!back || formatDecimal(back) !== text) return null;
  return n === 0 ? 0 : n;
}

/** 1250, "USD" -> "$12.50"; formatted from an exact decimal string built from the cents, never from a float. */
export function formatMoney(cents: number, currency: string): string {
  // Intl formats an exact decimal string (ECMA-402 "Intl.NumberFormat v3", Node >= 19); the ES2022 lib typings
  // only declare number | bigint, hence the narrow view.
  const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency }) as unknown as { format(value: string): string };
  return formatter.format(centsToDecimalString(cents));
}

/** 100000 -> "1,000.00": grouped, two decimals, no currency sign (for sentences that compare two amounts). */
export function formatAmount(cents: number): string {
  const formatter = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) as unknown as { format(value: string): string };
  return formatter.format(centsToDecimalString(cents));
}
