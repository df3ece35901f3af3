import { Badge } from "@mantine/core";
import type { PaymentStatus } from "../api";
import { PAYMENT_STATUS_COLORS, PAYMENT_STATUS_LABELS } from "../constants";

export function PaymentStatusBadge({ status, testId }: { status: PaymentStatus; testId?: string }) {
  return (
    <Badge color={PAYMENT_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId} data-status={status}>
      {PAYMENT_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}
