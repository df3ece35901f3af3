import { Badge, Group, Stack, Text, Tooltip } from "@mantine/core";
import type {
  DunningAction,
  Payment,
  PaymentStatus,
  ReconciliationKind,
  ReconciliationStatus,
  SavedCard,
} from "../api";
import {
  DUNNING_ACTION_COLORS,
  DUNNING_ACTION_LABELS,
  PAYMENT_STATUS_COLORS,
  PAYMENT_STATUS_LABELS,
  RECONCILIATION_KIND_COLORS,
  RECONCILIATION_KIND_LABELS,
  RECONCILIATION_STATUS_COLORS,
  RECONCILIATION_STATUS_LABELS,
} from "../constants";

export function PaymentStatusBadge({ status, testId }: { status: PaymentStatus; testId?: string }) {
  return (
    <Badge color={PAYMENT_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId} data-status={status}>
      {PAYMENT_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

/** The status badge and, for a failed or waiting card payment, why (its code, the message as a tooltip). */
export function PaymentStatusCell({
  payment,
}: {
  payment: Pick<Payment, "status" | "failure_code" | "failure_message">;
}) {
  const badge = <PaymentStatusBadge status={payment.status} testId="payment-status" />;
  if (!payment.failure_code) return badge;
  return (
    <Stack gap={2} align="flex-start">
      {payment.failure_message ? (
        <Tooltip label={payment.failure_message} multiline maw={320} withArrow>
          {badge}
        </Tooltip>
      ) : (
        badge
      )}
      <Text size="xs" c={payment.status === "failed" ? "red" : "dimmed"} ff="monospace" data-testid="payment-failure">
        {payment.failure_code}
      </Text>
    </Stack>
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

/** Default, Expired or Expires soon, Removed: what matters about a saved card. */
export function CardBadges({
  card,
}: {
  card: Pick<SavedCard, "is_default" | "expired" | "expires_soon" | "removed_at">;
}) {
  return (
    <Group gap={4} wrap="nowrap">
      {card.is_default && (
        <Badge color="blue" variant="light" data-testid="card-default">
          Default
        </Badge>
      )}
      {card.expired ? (
        <Badge color="red" variant="light" data-testid="card-expired">
          Expired
        </Badge>
      ) : (
        card.expires_soon && (
          <Badge color="yellow" variant="light" data-testid="card-expires-soon">
            Expires soon
          </Badge>
        )
      )}
      {card.removed_at && (
        <Badge color="gray" variant="outline" data-testid="card-removed">
          Removed
        </Badge>
      )}
    </Group>
  );
}

export function ReconciliationStatusBadge({ status, testId }: { status: ReconciliationStatus; testId?: string }) {
  return (
    <Badge
      color={RECONCILIATION_STATUS_COLORS[status] ?? "gray"}
      variant="light"
      data-testid={testId}
      data-status={status}
    >
      {RECONCILIATION_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

export function ReconciliationKindBadge({ kind }: { kind: ReconciliationKind }) {
  return (
    <Badge
      color={RECONCILIATION_KIND_COLORS[kind] ?? "gray"}
      variant="light"
      style={{ minWidth: "max-content" }}
      data-testid="reconciliation-kind"
      data-kind={kind}
    >
      {RECONCILIATION_KIND_LABELS[kind] ?? kind}
    </Badge>
  );
}
