import type { ServiceAction, ServiceStatus } from "./api";

export const SERVICE_STATUSES = [
  "pending",
  "provisioning",
  "active",
  "suspended",
  "terminated",
  "failed",
] as const satisfies readonly ServiceStatus[];

export const SERVICE_STATUS_LABELS: Record<ServiceStatus, string> = {
  pending: "Pending",
  provisioning: "Provisioning",
  active: "Active",
  suspended: "Suspended",
  terminated: "Terminated",
  failed: "Failed",
};

export const SERVICE_STATUS_COLORS: Record<ServiceStatus, string> = {
  pending: "gray",
  provisioning: "cyan",
  active: "teal",
  suspended: "yellow",
  terminated: "dark",
  failed: "red",
};

/**
 * The state machine of docs/contracts.md, to offer only legal actions (the API still decides):
 *   active → suspend | terminate;  suspended → resume | terminate;  pending, failed → terminate.
 */
const ACTIONS_BY_STATUS: Record<ServiceStatus, readonly ServiceAction[]> = {
  pending: ["terminate"],
  provisioning: [],
  active: ["suspend", "terminate"],
  suspended: ["resume", "terminate"],
  terminated: [],
  failed: ["terminate"],
};

export function serviceActionsFor(status: ServiceStatus): readonly ServiceAction[] {
  return ACTIONS_BY_STATUS[status] ?? [];
}

export const SERVICE_ACTION_LABELS: Record<ServiceAction, string> = {
  suspend: "Suspend",
  resume: "Resume",
  terminate: "Terminate",
};
