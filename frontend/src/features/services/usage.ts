/**
 * How a service's rated usage reads over a period: one point a day for each kind (days without
 * usage at 0, so the axis has no gaps), and the period's totals. The API groups days by the UTC
 * date of each record's start, so the period runs from a UTC midnight and its days are UTC dates.
 * Units and money arrive as decimal strings and are summed exactly; only the chart's points are
 * numbers, for plotting.
 */
import type { UsageTotal, UsageType } from "./api";

export const USAGE_TYPES = ["data", "voice", "sms"] as const satisfies readonly UsageType[];

const DAY_MS = 24 * 60 * 60 * 1000;
/** The card's period: today and the 29 days before it. */
export const USAGE_DAYS = 30;

/** The period of `days` days ending with the UTC day of `now`: `from` inclusive, `to` exclusive. */
export function usagePeriod(now: Date, days = USAGE_DAYS): { from: Date; to: Date } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  return { from, to: new Date(from.getTime() + days * DAY_MS) };
}

const dayLabel = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });

/** A day of the period ("2026-03-05") as the chart's axis shows it: "Mar 5". */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayLabel.format(date);
}

/** One day of the chart: its date ("2026-03-05") and the units of each kind used on it. */
export type UsagePoint = { day: string } & Record<UsageType, number>;

/**
 * One point per day for `days` days from `from` (a UTC midnight), oldest first, with each kind's
 * units that day; days the API has no row for are 0. Rows outside the period are left out.
 */
export function dailySeries(rows: readonly UsageTotal[], from: Date, days: number): UsagePoint[] {
  const points = Array.from({ length: days }, (_, i) => ({
    day: new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10),
    data: 0,
    voice: 0,
    sms: 0,
  }));
  const byDay = new Map(points.map((point) => [point.day, point]));
  for (const row of rows) {
    const point = row.day === null ? undefined : byDay.get(row.day);
    const units = Number(row.units);
    if (point && Number.isFinite(units)) point[row.usage_type] += units;
  }
  return points;
}

/** A kind's usage over the period: units and money as exact decimal strings. */
export interface UsageSum {
  usageType: UsageType;
  records: number;
  units: string;
  fromAllowance: string;
  charged: string;
  arrears: string;
}

/** The period's totals of each kind that has usage, data first, then voice and SMS. */
export function usageTotals(rows: readonly UsageTotal[]): UsageSum[] {
  const sums = new Map<UsageType, UsageSum>();
  for (const row of rows) {
    const sum = sums.get(row.usage_type);
    if (!sum) {
      sums.set(row.usage_type, {
        usageType: row.usage_type,
        records: row.records,
        units: row.units,
        fromAllowance: row.from_allowance,
        charged: row.charged,
        arrears: row.arrears,
      });
      continue;
    }
    sum.records += row.records;
    sum.units = addDecimals(sum.units, row.units);
    sum.fromAllowance = addDecimals(sum.fromAllowance, row.from_allowance);
    sum.charged = addDecimals(sum.charged, row.charged);
    sum.arrears = addDecimals(sum.arrears, row.arrears);
  }
  return USAGE_TYPES.flatMap((type) => sums.get(type) ?? []);
}

/** Whether a decimal string is zero ("0.00", "-0"): money not worth a line. */
export function isZero(value: string): boolean {
  return !/[1-9]/.test(value);
}

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * The exact sum of two decimal strings ("12.50" + "0.0250" = "12.5250"), with as many decimal
 * places as the longer of the two: money is never added as floats. Throws on anything else.
 */
export function addDecimals(a: string, b: string): string {
  const [x, y] = [parseDecimal(a), parseDecimal(b)];
  const places = Math.max(x.places, y.places);
  const total = scale(x, places) + scale(y, places);
  const digits = (total < 0n ? -total : total).toString().padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places);
  return `${total < 0n ? "-" : ""}${whole}${places ? `.${fraction}` : ""}`;
}

interface Decimal {
  /** The value times 10^places. */
  units: bigint;
  places: number;
}

function parseDecimal(text: string): Decimal {
  const match = DECIMAL_RE.exec(text.trim());
  if (!match) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ""] = match;
  const units = BigInt(whole + fraction);
  return { units: sign ? -units : units, places: fraction.length };
}

const scale = ({ units, places }: Decimal, to: number): bigint => units * 10n ** BigInt(to - places);
