/**
 * Exact arithmetic on the API's decimal strings ("12.5000", "-3.2"), for the few sums the UI
 * makes itself (the balance due). Values are scaled to integer ten-thousandths (the API's money
 * has at most 4 decimal places) as BigInt, added, and written back as a decimal string: no JS
 * float ever holds money, so 0.10 + 0.20 is 0.30, not 0.30000000000000004.
 */

/** Decimal places kept: the API's MoneyField precision. */
export const SCALE = 4;
const FACTOR = 10n ** BigInt(SCALE);
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** "12.5" → 125000n (ten-thousandths). Throws on anything that is not a plain decimal string. */
export function toUnits(value: string): bigint {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new Error(`not a decimal: ${JSON.stringify(value)}`);
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > SCALE) throw new Error(`more than ${SCALE} decimal places: ${value}`);
  const units = BigInt(whole) * FACTOR + BigInt(fraction.padEnd(SCALE, "0"));
  return sign ? -units : units;
}

/** 125000n → "12.5000" (always SCALE places; `formatMoney` trims them for display). */
export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / FACTOR;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** The exact sum of decimal strings, as a decimal string ("0.0000" for none). */
export function sumDecimals(values: Iterable<string>): string {
  let total = 0n;
  for (const value of values) total += toUnits(value);
  return fromUnits(total);
}
