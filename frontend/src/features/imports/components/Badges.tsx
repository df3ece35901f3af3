import { Badge } from "@mantine/core";
import type { ImportStatus } from "../api";
import { IMPORT_STATUS_COLORS, IMPORT_STATUS_LABELS } from "../constants";

export function ImportStatusBadge({ status, testId }: { status: ImportStatus; testId?: string }) {
  return (
    <Badge color={IMPORT_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId} data-status={status}>
      {IMPORT_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

/** A dry run checked every row and wrote nothing. */
export function DryRunBadge({ testId }: { testId?: string }) {
  return (
    <Badge color="violet" variant="outline" data-testid={testId}>
      Dry run
    </Badge>
  );
}

/** Whether the progress arrives live over the socket (else it is polled). */
export function LiveBadge({ live }: { live: boolean }) {
  return (
    <Badge color={live ? "green" : "gray"} variant="dot" data-testid="import-job-live">
      {live ? "Live" : "Polling"}
    </Badge>
  );
}
