import { Badge } from "@mantine/core";
import type { ServiceStatus } from "../api";
import { SERVICE_STATUS_COLORS, SERVICE_STATUS_LABELS } from "../constants";

export function ServiceStatusBadge({ status, testId }: { status: ServiceStatus | string; testId?: string }) {
  const s = status as ServiceStatus;
  return (
    <Badge color={SERVICE_STATUS_COLORS[s] ?? "gray"} variant="light" data-testid={testId}>
      {SERVICE_STATUS_LABELS[s] ?? status}
    </Badge>
  );
}
