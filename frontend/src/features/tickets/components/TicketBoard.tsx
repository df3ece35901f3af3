import { Badge, Box, Button, Card, Group, Paper, ScrollArea, Stack, Text, Title } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState, type DragEvent } from "react";
import { usePermission, useSession } from "@/api";
import { PageHeader, QueryState } from "@/components";
import { useCustomerNames } from "@/features/customers";
import { idOrUndefined } from "@/lib/listParams";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useUrlParams } from "@/lib/useUrlParams";
import {
  CLOSED_SHOWN,
  COLUMN_PAGE_SIZE,
  useBoard,
  useTicketTransition,
  useUserNames,
  type Board,
  type BoardQuery,
  type Ticket,
  type TicketAction,
  type TicketStatus,
} from "../api";
import { actionInto, TICKET_MACHINE, TICKET_STATUS_COLORS, TICKET_STATUS_LABELS, TICKET_STATUSES } from "../constants";
import { BOARD_FILTERS, type BoardFilters as Filters } from "../savedViews";
import { BoardFilters } from "./BoardFilters";
import { NewTicketModal } from "./NewTicketModal";
import { TicketCard } from "./TicketCard";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

/** The list query the filters make (every column adds its status). */
export function boardQuery(filters: Filters, myId: number | null): BoardQuery {
  const customerId = idOrUndefined(filters.customer_id);
  return {
    ...(filters.assignee === "me" && myId !== null ? { assignee_user_id: myId } : {}),
    ...(filters.assignee === "unassigned" ? { unassigned: true } : {}),
    ...(customerId !== undefined ? { customer_id: customerId } : {}),
    ...(filters.team ? { team: filters.team } : {}),
    ...(filters.priority ? { priority: filters.priority as BoardQuery["priority"] } : {}),
    ...(filters.tag ? { tag: filters.tag } : {}),
    ...(filters.breached === "true" ? { breached: true } : {}),
  };
}

/** Where a dragged card may go: its own column, a legal move, or not. */
type DropState = "source" | "allowed" | "disabled";

function dropStateOf(dragged: Ticket | null, column: TicketStatus): DropState | undefined {
  if (!dragged) return undefined;
  if (dragged.status === column) return "source";
  return actionInto(dragged, column) ? "allowed" : "disabled";
}

function countLabel(status: TicketStatus, shown: number, total: number): string {
  if (shown >= total) return String(total);
  return status === "closed" ? `latest ${shown} of ${total}` : `${shown} of ${total}`;
}

interface ColumnProps {
  status: TicketStatus;
  board: Board;
  dragged: Ticket | null;
  /** The column a card is held over. */
  hovered: boolean;
  onHover: (status: TicketStatus | null) => void;
  onDrop: (status: TicketStatus) => void;
  children: React.ReactNode;
}

function Column({ status, board, dragged, hovered, onHover, onDrop, children }: ColumnProps) {
  const { tickets, total } = board[status];
  const drop = dropStateOf(dragged, status);
  const over = (event: DragEvent) => {
    if (drop !== "allowed") return; // not calling preventDefault refuses the drop
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "move";
    if (!hovered) onHover(status);
  };
  const label = TICKET_STATUS_LABELS[status];
  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      bg={
        hovered && drop === "allowed"
          ? "var(--mantine-color-blue-light)"
          : "light-dark(var(--mantine-color-gray-1), var(--mantine-color-dark-6))"
      }
      role="region"
      aria-label={`${label} tickets`}
      aria-disabled={drop === "disabled" || undefined}
      onDragOver={over}
      onDragEnter={over}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) onHover(null);
      }}
      onDrop={(event) => {
        event.preventDefault();
        if (drop === "allowed") onDrop(status);
      }}
      style={{
        minWidth: 250,
        flex: "1 1 0",
        minHeight: 240,
        opacity: drop === "disabled" ? 0.4 : 1,
        cursor: drop === "disabled" ? "not-allowed" : undefined,
        outline: drop === "allowed" ? "2px dashed var(--mantine-color-blue-5)" : undefined,
        outlineOffset: -2,
        transition: "opacity 120ms, outline-color 120ms",
      }}
      data-testid="ticket-column"
      data-status={status}
      data-drop={drop}
    >
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Title order={6}>{label}</Title>
        <Badge variant="light" color={TICKET_STATUS_COLORS[status]} data-testid="ticket-column-count">
          {countLabel(status, tickets.length, total)}
        </Badge>
      </Group>
      <Stack gap="xs">
        {tickets.length === 0 && (
          <Text size="sm" c="dimmed" ta="center" py="md">
            {status === "closed" ? "Nothing closed" : "No tickets"}
          </Text>
        )}
        {children}
      </Stack>
    </Paper>
  );
}

/**
 * The ticket board (/tickets): a column per status, each card dragged (or moved from its
 * "Move to…" menu) to the columns its status allows; the move shows at once and is undone if
 * the API refuses it. Filters live in the URL, and can be saved as named views.
 */
export function TicketBoard() {
  useDocumentTitle("Tickets");
  const [filters, setFilters] = useUrlParams(BOARD_FILTERS);
  const myId = useSession((s) => s.user?.id ?? null);
  const board = useBoard(boardQuery(filters, myId));
  const move = useTicketTransition();
  const canWrite = usePermission("ticket.write");
  const canReadCustomers = usePermission("customer.read");
  const userName = useUserNames();
  const [dragged, setDragged] = useState<Ticket | null>(null);
  const [hovered, setHovered] = useState<TicketStatus | null>(null);
  const [creating, setCreating] = useState(false);

  const tickets = board.data ? TICKET_STATUSES.flatMap((s) => board.data[s].tickets) : [];
  const customerNames = useCustomerNames(
    tickets.map((t) => t.customer_id),
    canReadCustomers,
  );
  const distinct = (values: (string | null)[]) =>
    [...new Set(values.filter((v): v is string => !!v))].sort((a, b) => a.localeCompare(b));

  const moveTicket = (ticket: Ticket, action: TicketAction) => {
    const to = TICKET_STATUS_LABELS[TICKET_MACHINE[action].to];
    move.mutate(
      { ticketId: ticket.ticket_id, action },
      {
        onSuccess: () => notifySuccess(`#${ticket.ticket_id} ${ticket.subject}: ${to}.`),
        onError: (error) => notifyError(error, `Could not move #${ticket.ticket_id} to ${to}`),
      },
    );
  };

  const endDrag = () => {
    setDragged(null);
    setHovered(null);
  };

  const dropInto = (status: TicketStatus) => {
    const action = dragged && actionInto(dragged, status);
    if (dragged && action) moveTicket(dragged, action);
    endDrag();
  };

  const applyView = (view: Partial<Filters>) => {
    setFilters(Object.fromEntries(BOARD_FILTERS.map((key) => [key, view[key] ?? null])));
  };

  return (
    <>
      <PageHeader
        title="Tickets"
        description="Soonest due first in each column. Drag a card, or use its Move to… menu."
        actions={
          canWrite && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="ticket-new">
              New ticket
            </Button>
          )
        }
      />
      <Card withBorder radius="md" padding="md" mb="md">
        <BoardFilters
          filters={filters}
          onChange={setFilters}
          onApply={applyView}
          teams={distinct(tickets.map((t) => t.team))}
          tags={distinct(tickets.flatMap((t) => t.tags))}
        />
      </Card>
      <QueryState query={board}>
        {(data) => (
          <ScrollArea type="auto" offsetScrollbars>
            <Box
              style={{ display: "flex", gap: "var(--mantine-spacing-sm)", alignItems: "flex-start" }}
              opacity={board.isPlaceholderData ? 0.6 : 1}
              data-testid="ticket-board"
            >
              {TICKET_STATUSES.map((status) => (
                <Column
                  key={status}
                  status={status}
                  board={data}
                  dragged={dragged}
                  hovered={hovered === status}
                  onHover={setHovered}
                  onDrop={dropInto}
                >
                  {data[status].tickets.map((ticket) => (
                    <TicketCard
                      key={ticket.ticket_id}
                      ticket={ticket}
                      customerName={
                        ticket.customer_name ??
                        customerNames.get(ticket.customer_id) ??
                        `Customer #${ticket.customer_id}`
                      }
                      assigneeName={
                        ticket.assignee_user_id === null
                          ? null
                          : (ticket.assignee_name ?? userName(ticket.assignee_user_id))
                      }
                      canMove={canWrite}
                      dragging={dragged?.ticket_id === ticket.ticket_id}
                      onDragStart={setDragged}
                      onDragEnd={endDrag}
                      onMove={moveTicket}
                    />
                  ))}
                </Column>
              ))}
            </Box>
          </ScrollArea>
        )}
      </QueryState>
      <Text size="xs" c="dimmed" mt="xs">
        Each open column shows up to {COLUMN_PAGE_SIZE} tickets; Closed shows the {CLOSED_SHOWN} latest.
      </Text>
      <NewTicketModal opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}
