import type { ProvisionAction, ProvisionStatusCode } from "./api";

/** provisioning_status codes (jobs and task events). */
export const STATUS = {
  success: 0,
  running: 1,
  failed: 2,
  failedIgnored: 3,
  queued: 4,
  cancelled: 5,
  skipped: 6,
} as const satisfies Record<string, ProvisionStatusCode>;

export const STATUS_LABELS: Record<number, string> = {
  0: "Success",
  1: "Running",
  2: "Failed",
  3: "Failed (ignored)",
  4: "Queued",
  5: "Cancelled",
  6: "Skipped",
};

export const STATUS_COLORS: Record<number, string> = {
  0: "green",
  1: "blue",
  2: "red",
  3: "orange",
  4: "gray",
  5: "dark",
  6: "gray",
};

/**
 * The status a task result shows: a skipped task (its `when` was false) is Skipped, also when
 * it was recorded, before code 6 existed, as a success with the `skipped` flag.
 */
export function eventStatus(event: { provisioning_status: number; skipped?: boolean }): number {
  return event.skipped && event.provisioning_status === STATUS.success ? STATUS.skipped : event.provisioning_status;
}

/** The words for `eventStatus` (the server's label, unless the status was read as Skipped here). */
export function eventLabel(event: { provisioning_status: number; skipped?: boolean; status_label?: unknown }): string {
  const status = eventStatus(event);
  return statusLabel(status, status === event.provisioning_status ? event.status_label : undefined);
}

/** Job statuses a filter offers (Failed (ignored) only occurs on task events). */
export const JOB_STATUSES = [
  STATUS.queued,
  STATUS.running,
  STATUS.success,
  STATUS.failed,
  STATUS.cancelled,
] as const satisfies readonly ProvisionStatusCode[];

export const ACTIONS = [
  "activate",
  "deprovision",
  "suspend",
  "resume",
  "addon",
  "simple",
] as const satisfies readonly ProvisionAction[];

/** A job in one of these will not change again (unless retried). */
export function isFinal(status: number): boolean {
  return status === STATUS.success || status === STATUS.failed || status === STATUS.cancelled;
}

export const canRetry = (status: number) => status === STATUS.failed || status === STATUS.cancelled;
export const canCancel = (status: number) => status === STATUS.queued || status === STATUS.running;

/** The server's `status_label` (typed `unknown` in the contract), or ours for the code. */
export function statusLabel(status: number, label?: unknown): string {
  return typeof label === "string" && label ? label : (STATUS_LABELS[status] ?? `Status ${status}`);
}
