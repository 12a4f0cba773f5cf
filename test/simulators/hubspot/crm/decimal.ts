/**
 * Exact decimal arithmetic for money and quantities: a value is a BigInt of units at a fixed scale, so that
 * 0.1 + 0.2 is 0.3 and rounding to cents happens once, where HubSpot rounds.
 */
export interface Decimal {
  units: bigint;
  scale: number; // value = units / 10^scale
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$|^([+-]?)\.(\d+)$/;

/** Parses "12", "-3.5", ".25", 12.5 (a JSON number); undefined when it is not a plain decimal. */
export function parseDecimal(input: string | number): Decimal | undefined {
  const text = typeof input === 'number' ? numberToPlainString(input) : input.trim();
  if (text === undefined) return undefined;
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const sign = (m[1] ?? m[4]) === '-' ? -1n : 1n;
  const whole = m[2] ?? '0';
  const fraction = m[3] ?? m[5] ?? '';
  return { units: sign * BigInt(whole + fraction), scale: fraction.length };
}

function numberToPlainString(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  // toString switches to exponent notation past 1e21 or below 1e-7; those are not money in a CRM.
  const s = String(n);
  return /e/i.test(s) ? undefined : s;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

export function rescale(d: Decimal, scale: number): Decimal {
  if (scale >= d.scale) return { units: d.units * pow10(scale - d.scale), scale };
  return { units: roundDiv(d.units, pow10(d.scale - scale)), scale };
}

/** Division rounded half away from zero (the usual money rounding; HubSpot's exact rule is not published). */
export function roundDiv(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function subtract(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale).units - rescale(b, scale).units, scale };
}

export function compare(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale).units;
  const y = rescale(b, scale).units;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Canonical text: no exponent, no trailing fractional zeros ("1200", "1199.5", "-0.25"). */
export function formatDecimal(d: Decimal): string {
  const negative = d.units < 0n;
  let digits = (negative ? -d.units : d.units).toString();
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, '0');
    const whole = digits.slice(0, digits.length - d.scale);
    const fraction = digits.slice(digits.length - d.scale).replace(/0+$/, '');
    digits = fraction ? `${whole}.${fraction}` : whole;
  }
  return negative && digits !== '0' ? `-${digits}` : digits;
}
