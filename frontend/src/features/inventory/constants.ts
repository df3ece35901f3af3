import type { TransitionAction } from "./api";
import type { ItemState } from "./api";

export const ITEM_STATES = [
  "new",
  "reserved",
  "assigned",
  "returned",
  "quarantined",
  "retired",
] as const satisfies readonly ItemState[];

export const STATE_LABELS: Record<ItemState, string> = {
  new: "New",
  reserved: "Reserved",
  assigned: "Assigned",
  returned: "Returned",
  quarantined: "Quarantined",
  retired: "Retired",
};

export const STATE_COLORS: Record<ItemState, string> = {
  new: "teal",
  reserved: "yellow",
  assigned: "blue",
  returned: "orange",
  quarantined: "grape",
  retired: "gray",
};

/**
 * The state machine of docs/inventory.md, to offer only legal actions (the API still decides):
 *   new → reserve | retire;  reserved → assign | release | retire;  assigned → return;
 *   returned → release (restock) | retire;  quarantined → release | retire;  retired → nothing.
 */
export const ACTIONS_BY_STATE: Record<ItemState, readonly TransitionAction[]> = {
  new: ["reserve", "retire"],
  reserved: ["assign", "release", "retire"],
  assigned: ["return"],
  returned: ["release", "retire"],
  quarantined: ["release", "retire"],
  retired: [],
};

export const ACTION_LABELS: Record<TransitionAction, string> = {
  reserve: "Reserve",
  assign: "Assign",
  return: "Return",
  retire: "Retire",
  release: "Release",
};

export function actionsFor(state: ItemState): readonly TransitionAction[] {
  return ACTIONS_BY_STATE[state] ?? [];
}

export function actionLabel(action: TransitionAction, state: ItemState): string {
  if (action === "release" && state === "returned") return "Restock";
  if (action === "release" && state === "quarantined") return "End quarantine";
  return ACTION_LABELS[action];
}
