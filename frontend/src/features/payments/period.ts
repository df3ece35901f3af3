/**
 * A reconciliation period picked as whole local days: [the first day's midnight, the midnight
 * after the last day), sent as ISO datetimes (UTC).
 */

/** The API refuses a run over more than 92 days. */
export const MAX_PERIOD_DAYS = 92;

export const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

const pad = (n: number) => String(n).padStart(2, "0");

/** "2026-04-04" for a local date. */
export function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Local midnight of a day ("2026-04-04"), `plusDays` later. */
export function midnight(day: string, plusDays = 0): Date {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays);
}

/** Whole days from `first` to `last`, both counted. */
export function daysCovered(first: string, last: string): number {
  return Math.round((midnight(last, 1).getTime() - midnight(first).getTime()) / 86_400_000);
}

/** The last 7 days, today included. */
export function lastWeek(today: Date = new Date()): { first: string; last: string } {
  return {
    first: localDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6)),
    last: localDay(today),
  };
}

/** The body for days `first`..`last` (both included). */
export function periodOf(first: string, last: string): { period_start: string; period_end: string } {
  return { period_start: midnight(first).toISOString(), period_end: midnight(last, 1).toISOString() };
}
