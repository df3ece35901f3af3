/** The input rules of the billing API, checked in the dialogs before anything is sent. */
import { PERCENT_RE } from "@/lib/money";

/** The largest amount, exclusive, has this many whole digits + 1: a typo's extra digits are refused. */
const MAX_WHOLE_DIGITS = 6;

/**
 * What is wrong with a manual charge or credit amount as typed, or null when the API will take
 * it: a positive decimal string below 1,000,000 with at most 4 decimal places (a credit is
 * entered positive too; the API stores it negative).
 */
export function amountProblem(text: string): string | null {
  const value = text.trim();
  if (!value) return "Enter an amount";
  if (!/^\d+(\.\d+)?$/.test(value)) return "Enter a positive number such as 12.50";
  const [whole, fraction = ""] = value.split(".");
  if (fraction.length > 4) return "At most 4 decimal places";
  if (!/[1-9]/.test(value)) return "The amount must be above 0";
  if (whole.replace(/^0+/, "").length > MAX_WHOLE_DIGITS) return "The amount must be below 1,000,000";
  return null;
}

/** The amount as the API wants it: no leading zeros ("007.5" → "7.5"), which its pattern caps at 6 digits. */
export function normalizeAmount(text: string): string {
  return text.trim().replace(/^0+(?=\d)/, "");
}

/** A tax rate as typed: blank (the default) or 0–100 with up to 2 decimal places. */
export function taxProblem(text: string): string | null {
  const value = text.trim();
  if (!value || PERCENT_RE.test(value)) return null;
  return "A rate from 0 to 100, at most 2 decimal places";
}

/** YYYY-MM-DD of a local calendar day (not shifted through UTC). */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
