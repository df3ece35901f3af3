import { Badge, Text } from "@mantine/core";
import type { RunOutcome } from "../api";

const COLORS: Record<RunOutcome, string> = {
  queued: "gray",
  running: "blue",
  success: "teal",
  failed: "red",
};

/** A run's outcome; "never run" for a job without one. */
export function OutcomeBadge({ outcome }: { outcome: RunOutcome | null }) {
  if (!outcome) {
    return (
      <Text size="sm" c="dimmed" data-testid="job-outcome">
        never run
      </Text>
    );
  }
  return (
    <Badge color={COLORS[outcome]} variant="light" data-testid="job-outcome">
      {outcome}
    </Badge>
  );
}
