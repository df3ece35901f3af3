/**
 * Money and percentages travel as decimal strings ("12.5000") from the API to the input and
 * back: they are never parsed into JS numbers, so no float rounding can creep in.
 */

/** Up to 4 decimal places, non-negative (core.money.Money). */
export const MONEY_RE = /^\d{1,12}(\.\d{1,4})?$/;
/** 0–100 with up to 2 decimal places (catalog.types.Percent). */
export const PERCENT_RE = /^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/;

/** Show a decimal string with its currency, untouched apart from trailing zeros past 2 places. */
export function formatMoney(value: string | null | undefined, currency?: string | null): string {
  if (value === null || value === undefined || value === "") return "—";
  const [whole, fraction = ""] = value.split(".");
  const trimmed = fraction.replace(/0+$/, "").padEnd(2, "0");
  return `${whole}.${trimmed}${currency ? ` ${currency}` : ""}`;
}

export function formatPercent(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  return `${value}%`;
}
