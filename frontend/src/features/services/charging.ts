/**
 * How balances and ledger movements read: money in the service's currency, data in MB or GB,
 * voice in minutes, SMS as counts; which balances are the product's allowances and how big they
 * are; and the top-up amount rule of the API (docs/charging.md).
 */
import { formatMoney } from "@/lib/money";
import type { Balance, BalanceType, ServiceDetail } from "./api";

const MB_PER_GB = 1024;

/** Quantities (not money): whole numbers as they are, fractions to one place. */
const quantity = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const expiryDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** Megabytes below a gigabyte, gigabytes from there: "512 MB", "7.2 GB". */
export function formatData(mb: number): string {
  return Math.abs(mb) >= MB_PER_GB ? `${quantity.format(mb / MB_PER_GB)} GB` : `${quantity.format(mb)} MB`;
}

/**
 * The exact value behind a rounded data quantity, for a tooltip ("102,400 MB"); null for other
 * kinds (their shown value is exact).
 */
export function exactQuantity(type: BalanceType, value: string): string | null {
  const n = Number(value);
  if (type !== "data" || !Number.isFinite(n)) return null;
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 }).format(n)} MB`;
}

/** A balance's value or a movement's amount (a decimal string) in the unit of its kind. */
export function formatQuantity(type: BalanceType, value: string, currency: string | null): string {
  if (type === "monetary") return formatMoney(value, currency);
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  switch (type) {
    case "data":
      return formatData(n);
    case "voice":
      return `${quantity.format(n)} min`;
    case "sms":
      return `${quantity.format(n)} SMS`;
  }
}

/** A ledger amount with its sign, so credits and debits read apart: "+12.50 USD", "-512 MB". */
export function formatSigned(type: BalanceType, amount: string, currency: string | null): string {
  const text = formatQuantity(type, amount, currency);
  return amount.startsWith("-") || Number(amount) === 0 ? text : `+${text}`;
}

/** An expiry as a date in the viewer's time zone, or null when the balance never expires. */
export function formatExpiry(value: string | null): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : expiryDate.format(date);
}

const SIZE_FIELDS: Record<Exclude<BalanceType, "monetary">, string> = {
  data: "data_mb",
  voice: "voice_minutes",
  sms: "sms",
};

/**
 * The full size of an allowance balance (MB, minutes, messages), or null when the balance is not
 * one of this service's product allowances. Allowances are named `<product slug>-<kind>`; the
 * size comes from the price snapshot the service was sold at, which is the product's unless the
 * product has been edited since (then a renewal uses the new size and the bar is capped at full).
 */
export function allowanceSize(balance: Balance, snapshot: ServiceDetail["price_snapshot"]): number | null {
  if (balance.balance_type === "monetary") return null;
  const slug = snapshot.product_slug;
  if (typeof slug !== "string" || balance.balance_id !== `${slug}-${balance.balance_type}`) return null;
  const size = Number(snapshot[SIZE_FIELDS[balance.balance_type]] ?? NaN);
  return Number.isFinite(size) && size > 0 ? size : null;
}

/** How full an allowance is, 0–100. */
export function percentLeft(value: string, size: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return 0;
  return Math.min(100, (n / size) * 100);
}

/** Products whose allowances come back each period (a one-off product's do not). */
const RENEWING_PERIODS: ReadonlySet<unknown> = new Set(["monthly", "weekly", "daily"]);
/** Services whose allowances the scheduler renews (docs/charging.md: a terminated one is not). */
const RENEWING_STATUSES: ReadonlySet<string> = new Set(["active", "suspended"]);

/** Whether this service's allowances renew when they expire. */
export function allowancesRenew(service: ServiceDetail): boolean {
  return RENEWING_PERIODS.has(service.price_snapshot.billing_period) && RENEWING_STATUSES.has(service.service_status);
}

/** Monetary first, then data, voice and SMS; the API's order (used first first) within a kind. */
const KIND_ORDER: Record<BalanceType, number> = { monetary: 0, data: 1, voice: 2, sms: 3 };

export function sortBalances(balances: readonly Balance[]): Balance[] {
  return [...balances].sort((a, b) => KIND_ORDER[a.balance_type] - KIND_ORDER[b.balance_type]);
}

/** The largest top-up, exclusive: a typo's extra digits are refused, not credited. */
const MAX_WHOLE_DIGITS = 6;

/**
 * What is wrong with a top-up amount as typed, or null when the API will take it: a decimal
 * string above 0 and below 1,000,000 with at most 4 decimal places (charging TopUpAmount).
 */
export function topUpAmountProblem(text: string): string | null {
  const value = text.trim();
  if (!value) return "Enter an amount";
  if (!/^\d+(\.\d+)?$/.test(value)) return "Enter a number such as 12.50";
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
