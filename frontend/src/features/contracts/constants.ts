import type { ContractAction, ContractStatus } from "./api";

export const CONTRACT_STATUSES = [
  "draft",
  "accepted",
  "active",
  "suspended",
  "closed",
] as const satisfies readonly ContractStatus[];

export const CONTRACT_STATUS_LABELS: Record<ContractStatus, string> = {
  draft: "Draft",
  accepted: "Accepted",
  active: "Active",
  suspended: "Suspended",
  closed: "Closed",
};

export const CONTRACT_STATUS_COLORS: Record<ContractStatus, string> = {
  draft: "gray",
  accepted: "blue",
  active: "teal",
  suspended: "yellow",
  closed: "dark",
};

/** docs/contracts.md: active ⇄ suspended; anything but closed → closed. The API still decides. */
const ACTIONS_BY_STATUS: Record<ContractStatus, readonly ContractAction[]> = {
  draft: ["close"],
  accepted: ["close"],
  active: ["suspend", "close"],
  suspended: ["resume", "close"],
  closed: [],
};

export function contractActionsFor(status: ContractStatus): readonly ContractAction[] {
  return ACTIONS_BY_STATUS[status] ?? [];
}

export const CONTRACT_ACTION_LABELS: Record<ContractAction, string> = {
  suspend: "Suspend",
  resume: "Resume",
  // "close" ends the service for good: say so (it is no mere closing of a form).
  close: "Terminate contract",
};
