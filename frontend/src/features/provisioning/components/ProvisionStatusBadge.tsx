import { Badge } from "@mantine/core";
import { STATUS_COLORS, statusLabel } from "../constants";

/**
 * Success green, Running blue, Failed red, Failed (ignored) orange, Queued gray, Cancelled dark,
 * Skipped gray.
 */
export function ProvisionStatusBadge({ status, label, testId }: { status: number; label?: unknown; testId?: string }) {
  return (
    <Badge color={STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId}>
      {statusLabel(status, label)}
    </Badge>
  );
}
