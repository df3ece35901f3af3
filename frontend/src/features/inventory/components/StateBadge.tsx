import { Badge } from "@mantine/core";
import type { ItemState } from "../api";
import { STATE_COLORS, STATE_LABELS } from "../constants";

export function StateBadge({ state }: { state: ItemState }) {
  return (
    <Badge color={STATE_COLORS[state] ?? "gray"} variant="light">
      {STATE_LABELS[state] ?? state}
    </Badge>
  );
}
