import { Badge } from "@mantine/core";
import type { InvoiceKind, InvoiceStatus, RunStatus, TransactionKind } from "../api";
import {
  INVOICE_KIND_LABELS,
  INVOICE_STATUS_COLORS,
  INVOICE_STATUS_LABELS,
  RUN_STATUS_COLORS,
  RUN_STATUS_LABELS,
  TRANSACTION_KIND_COLORS,
  TRANSACTION_KIND_LABELS,
} from "../constants";

export function InvoiceStatusBadge({ status, testId }: { status: InvoiceStatus; testId?: string }) {
  return (
    <Badge color={INVOICE_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId} data-status={status}>
      {INVOICE_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

export function InvoiceKindBadge({ kind, testId }: { kind: InvoiceKind; testId?: string }) {
  return (
    <Badge color={kind === "credit_note" ? "grape" : "gray"} variant="outline" data-testid={testId}>
      {INVOICE_KIND_LABELS[kind] ?? kind}
    </Badge>
  );
}

export function RunStatusBadge({ status, testId }: { status: RunStatus; testId?: string }) {
  return (
    <Badge color={RUN_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId} data-status={status}>
      {RUN_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

export function TransactionKindBadge({ kind }: { kind: TransactionKind }) {
  return (
    <Badge color={TRANSACTION_KIND_COLORS[kind] ?? "gray"} variant="light" style={{ minWidth: "max-content" }}>
      {TRANSACTION_KIND_LABELS[kind] ?? kind}
    </Badge>
  );
}

/** Whether a run's progress arrives live over the socket (else it is polled). */
export function LiveBadge({ live }: { live: boolean }) {
  return (
    <Badge color={live ? "green" : "gray"} variant="dot" data-testid="billing-live">
      {live ? "Live" : "Polling"}
    </Badge>
  );
}
