import { Badge, Text, Tooltip } from "@mantine/core";
import { IconClock } from "@tabler/icons-react";
import { formatDateTime } from "@/lib/format";
import type { Ticket, TicketPriority, TicketStatus } from "../api";
import {
  slaOf,
  TICKET_PRIORITY_COLORS,
  TICKET_PRIORITY_LABELS,
  TICKET_STATUS_COLORS,
  TICKET_STATUS_LABELS,
} from "../constants";
import { useNow } from "../useNow";

export function TicketStatusBadge({ status, testId }: { status: TicketStatus; testId?: string }) {
  return (
    <Badge color={TICKET_STATUS_COLORS[status] ?? "gray"} variant="light" data-testid={testId} data-status={status}>
      {TICKET_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

export function TicketPriorityBadge({ priority, testId }: { priority: TicketPriority; testId?: string }) {
  return (
    <Badge
      color={TICKET_PRIORITY_COLORS[priority] ?? "gray"}
      variant={priority === "urgent" ? "filled" : "light"}
      data-testid={testId}
      data-priority={priority}
    >
      {TICKET_PRIORITY_LABELS[priority] ?? priority}
    </Badge>
  );
}

/** "due in 3 h", or in red "overdue 2 h"; the due time as a tooltip. Nothing once closed. */
export function SlaCountdown({
  ticket,
  testId = "ticket-sla",
  size = "sm",
}: {
  ticket: Pick<Ticket, "status" | "due_at" | "breached">;
  testId?: string;
  size?: "xs" | "sm";
}) {
  const now = useNow();
  const sla = slaOf(ticket, now);
  if (!sla) return null;
  return (
    <Tooltip label={`Due ${formatDateTime(ticket.due_at)}`} withArrow>
      <Text
        span
        size={size}
        c={sla.overdue ? "red" : "dimmed"}
        fw={sla.overdue ? 600 : undefined}
        data-testid={testId}
        data-overdue={sla.overdue}
        style={{ display: "inline-flex", alignItems: "center", gap: 4, whiteSpace: "nowrap" }}
      >
        <IconClock size={size === "xs" ? 12 : 14} />
        {sla.text}
      </Text>
    </Tooltip>
  );
}
