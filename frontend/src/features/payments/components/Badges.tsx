import { Badge } from "@mantine/core";
import type { DunningAction, PaymentStatus } from "../api";
import {
  DUNNING_ACTION_COLORS,
  DUNNING_ACTION_LABELS,
  PAYMENT_STATUS_COLORS,
  PAYMENT_STATUS_LABELS,
} from "../constants";

export function PaymentStatusBadge({ status, testId }: { status: PaymentStatus; testId?: string }) {
  return (
    <Badge color={PAYMENT_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId} data-status={status}>
      {PAYMENT_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

export function DunningActionBadge({ action }: { action: DunningAction }) {
  return (
    <Badge
      color={DUNNING_ACTION_COLORS[action] ?? "gray"}
      variant="light"
      data-testid="dunning-action"
      data-action={action}
    >
      {DUNNING_ACTION_LABELS[action] ?? action}
    </Badge>
  );
}
