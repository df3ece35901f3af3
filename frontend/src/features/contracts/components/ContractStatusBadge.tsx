import { Badge } from "@mantine/core";
import type { ContractStatus } from "../api";
import { CONTRACT_STATUS_COLORS, CONTRACT_STATUS_LABELS } from "../constants";

export function ContractStatusBadge({ status, testId }: { status: ContractStatus; testId?: string }) {
  return (
    <Badge color={CONTRACT_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId}>
      {CONTRACT_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}
