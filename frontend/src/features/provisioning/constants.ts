import type { ProvisionAction, ProvisionStatusCode } from "./api";

/** provisioning_status codes (jobs and task events). */
export const STATUS = {
  success: 0,
  running: 1,
  failed: 2,
  failedIgnored: 3,
  queued: 4,
  cancelled: 5,
} as const satisfies Record<string, ProvisionStatusCode>;

export const STATUS_LABELS: Record<number, string> = {
  0: "Success",
  1: "Running",
  2: "Failed",
  3: "Failed (ignored)",
  4: "Queued",
  5: "Cancelled",
};

export const STATUS_COLORS: Record<number, string> = {
  0: "green",
  1: "blue",
  2: "red",
  3: "orange",
  4: "gray",
  5: "dark",
};

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
