/**
 * Billing periods. The API sends a line's (and an invoice's) period as `[period_start,
 * period_end)`: `period_end` is the first day NOT covered. The UI shows the last day covered,
 * as the line's description does ("2026-12-01 to 2026-12-31" for `period_end` 2027-01-01).
 */

/** The day before an ISO day ("2027-01-01" → "2026-12-31"), computed in UTC so no time zone or DST shifts it. */
export function lastDay(exclusiveEnd: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(exclusiveEnd);
  if (!match) return exclusiveEnd;
  const [, y, m, d] = match.map(Number);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}
