/** Display formatting shared by every feature. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTime.format(date);
}

/** Unix time in seconds (as the session store reports it) → ISO string. */
export function fromUnixSeconds(seconds: number | null | undefined): string | null {
  return seconds === null || seconds === undefined ? null : new Date(seconds * 1000).toISOString();
}

/** A calendar date ("2024-05-01") shown without shifting it through a time zone. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  const [y, m, d] = value.slice(0, 10).split("-").map(Number);
  if (!y || !m || !d) return value;
  return dateOnly.format(new Date(y, m - 1, d));
}

export function orDash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

/** A value from an audit record's before/after snapshot. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value || "“”";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** An allowance from a price snapshot ("10240 MB"); blank is "—", or "Unlimited" where null means no cap. */
export function allowance(value: unknown, unit: string, unlimitedIfNull = false): string {
  if (value === null || value === undefined || value === "") return unlimitedIfNull ? "Unlimited" : "—";
  return `${String(value)} ${unit}`;
}
