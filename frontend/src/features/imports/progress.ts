/** An import's progress as the page shows it: percent, rows per second and time left. */
import type { ImportDetail } from "./api/types";

type Progress = Pick<ImportDetail, "status" | "total" | "processed" | "started_at" | "finished_at">;

/** Rows gone through, 0–100 (a finished import is full). */
export function importPercent(job: Pick<Progress, "status" | "total" | "processed">): number {
  if (job.status === "done") return 100;
  if (job.total <= 0) return 0;
  return Math.min(100, Math.round((job.processed / job.total) * 100));
}

/** A server timestamp in ms; one without a zone is UTC (the API's are). */
function timeOf(value: string | null): number | null {
  if (!value) return null;
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`;
  const ms = new Date(zoned).getTime();
  return Number.isNaN(ms) ? null : ms;
}

export interface Throughput {
  /** Seconds since the worker started it (until it finished, once it has). */
  elapsed: number | null;
  /** Rows per second so far (null before the first chunk, or when the clock disagrees). */
  rate: number | null;
  /** Seconds left at that rate (null unless it is running with a rate). */
  eta: number | null;
}

/** Rows/s from `started_at` and `processed`, and the time the rest would take at that pace. */
export function throughput(job: Progress, now: number): Throughput {
  const started = timeOf(job.started_at);
  if (started === null) return { elapsed: null, rate: null, eta: null };
  const end = job.status === "running" || job.status === "queued" ? now : (timeOf(job.finished_at) ?? now);
  const elapsed = (end - started) / 1000;
  // A client clock behind the server's would make the time negative: no rate rather than a wrong one.
  if (elapsed <= 0) return { elapsed: null, rate: null, eta: null };
  const rate = job.processed > 0 ? job.processed / elapsed : null;
  const left = Math.max(0, job.total - job.processed);
  const eta = job.status === "running" && rate ? left / rate : null;
  return { elapsed, rate, eta };
}

/** 0.4 → "0.4 rows/s", 12.34 → "12.3 rows/s", 1234.5 → "1,235 rows/s". */
export function formatRate(rate: number): string {
  const shown = rate < 100 ? rate.toFixed(1) : Math.round(rate).toLocaleString("en-US");
  return `${shown} rows/s`;
}

/** 0.3 → "under 1 s", 7 → "7 s", 125 → "2 min 5 s", 3725 → "1 h 2 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return "under 1 s";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return `${Math.floor(s / 60)} min${rest ? ` ${rest} s` : ""}`;
  }
  const minutes = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ""}`;
}
