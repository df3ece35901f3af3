import type { BalanceType, MovementCause, ServiceAction, ServiceStatus } from "./api";

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

export const BALANCE_TYPES = ["monetary", "data", "voice", "sms"] as const satisfies readonly BalanceType[];

export const BALANCE_TYPE_LABELS: Record<BalanceType, string> = {
  monetary: "Money",
  data: "Data",
  voice: "Voice",
  sms: "SMS",
};

export const MOVEMENT_CAUSES = [
  "topup",
  "allowance",
  "usage",
  "adjustment",
  "expiry",
  "addon",
] as const satisfies readonly MovementCause[];

export const MOVEMENT_CAUSE_LABELS: Record<MovementCause, string> = {
  topup: "Top-up",
  allowance: "Allowance",
  usage: "Usage",
  adjustment: "Adjustment",
  expiry: "Expiry",
  addon: "Add-on",
};

export const MOVEMENT_CAUSE_COLORS: Record<MovementCause, string> = {
  topup: "teal",
  allowance: "blue",
  usage: "orange",
  adjustment: "grape",
  expiry: "gray",
  addon: "cyan",
};
