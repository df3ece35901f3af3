import { ActionIcon, Anchor, Badge, Card, Group, Menu, Stack, Text } from "@mantine/core";
import { IconArrowsMove, IconUser } from "@tabler/icons-react";
import type { DragEvent } from "react";
import { Link } from "react-router";
import type { Ticket, TicketAction } from "../api";
import { TICKET_ACTION_LABELS, TICKET_MACHINE, TICKET_STATUS_LABELS } from "../constants";
import { SlaCountdown, TicketPriorityBadge } from "./Badges";

interface TicketCardProps {
  ticket: Ticket;
  customerName: string;
  /** Null: nobody works it yet. */
  assigneeName: string | null;
  /** With `ticket.write`: the card can be dragged, and moved from its menu. */
  canMove: boolean;
  /** This card is being dragged. */
  dragging: boolean;
  onDragStart: (ticket: Ticket) => void;
  onDragEnd: () => void;
  onMove: (ticket: Ticket, action: TicketAction) => void;
}

/**
 * A ticket on the board: subject, customer, priority, SLA, assignee and tags. It is dragged to
 * another column, or moved with its "Move to…" menu (keyboard and screen readers), which lists
 * only the moves allowed from its status.
 */
export function TicketCard({
  ticket,
  customerName,
  assigneeName,
  canMove,
  dragging,
  onDragStart,
  onDragEnd,
  onMove,
}: TicketCardProps) {
  const movable = canMove && ticket.allowed_actions.length > 0;
  const startDrag = (event: DragEvent) => {
    if (event.dataTransfer) {
      event.dataTransfer.setData("text/plain", String(ticket.ticket_id));
      event.dataTransfer.effectAllowed = "move";
    }
    onDragStart(ticket);
  };
  return (
    <Card
      withBorder
      radius="sm"
      padding="sm"
      draggable={movable}
      onDragStart={movable ? startDrag : undefined}
      onDragEnd={movable ? onDragEnd : undefined}
      style={{ cursor: movable ? "grab" : undefined, opacity: dragging ? 0.5 : 1 }}
      data-testid="ticket-card"
      data-ticket-id={ticket.ticket_id}
      data-status={ticket.status}
    >
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
          <Anchor
            component={Link}
            to={`/tickets/${ticket.ticket_id}`}
            size="sm"
            fw={600}
            lh={1.3}
            draggable={false}
            style={{ wordBreak: "break-word" }}
            data-testid="ticket-card-subject"
          >
            {ticket.subject}
          </Anchor>
          {movable && (
            <Menu position="bottom-end" withinPortal shadow="md">
              <Menu.Target>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  size="sm"
                  aria-label={`Move ticket #${ticket.ticket_id} to…`}
                  data-testid="ticket-move-menu"
                >
                  <IconArrowsMove size={16} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>Move to…</Menu.Label>
                {ticket.allowed_actions.map((action) => (
                  <Menu.Item key={action} onClick={() => onMove(ticket, action)} data-testid={`ticket-move-${action}`}>
                    {TICKET_STATUS_LABELS[TICKET_MACHINE[action].to]}{" "}
                    <Text span size="xs" c="dimmed">
                      ({TICKET_ACTION_LABELS[action]})
                    </Text>
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
        <Text size="xs" c="dimmed" data-testid="ticket-card-customer">
          #{ticket.ticket_id} · {customerName}
        </Text>
        <Group gap={6} wrap="wrap">
          <TicketPriorityBadge priority={ticket.priority} testId="ticket-card-priority" />
          <SlaCountdown ticket={ticket} size="xs" testId="ticket-card-sla" />
        </Group>
        <Group gap={4} wrap="nowrap">
          <IconUser size={12} color="var(--mantine-color-dimmed)" />
          <Text size="xs" c={assigneeName ? undefined : "dimmed"} data-testid="ticket-card-assignee">
            {assigneeName ?? "Unassigned"}
          </Text>
        </Group>
        {ticket.tags.length > 0 && (
          <Group gap={4} data-testid="ticket-card-tags">
            {ticket.tags.map((tag) => (
              <Badge key={tag} size="xs" variant="outline" color="gray">
                {tag}
              </Badge>
            ))}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
