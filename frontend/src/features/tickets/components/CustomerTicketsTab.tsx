import { Button, Stack, Text } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { usePermission } from "@/api";
import { DetailCard, ListFooter, ListTable, QueryState, RowLink, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useTickets, useUserNames, type Ticket } from "../api";
import { SlaCountdown, TicketPriorityBadge, TicketStatusBadge } from "./Badges";
import { NewTicketModal } from "./NewTicketModal";

const PAGE_SIZE = 10;

function columns(userName: ReturnType<typeof useUserNames>): Column<Ticket>[] {
  return [
    { header: "Status", cell: (t) => <TicketStatusBadge status={t.status} testId="customer-ticket-status" /> },
    { header: "Priority", cell: (t) => <TicketPriorityBadge priority={t.priority} /> },
    {
      header: "Subject",
      cell: (t) => (
        <>
          <RowLink to={`/tickets/${t.ticket_id}`} fw={500}>
            {t.subject}
          </RowLink>
          <Text size="xs" c="dimmed">
            #{t.ticket_id}
            {t.team ? ` · ${t.team}` : ""}
          </Text>
        </>
      ),
    },
    { header: "Assignee", cell: (t) => t.assignee_name ?? userName(t.assignee_user_id, "Unassigned") },
    {
      header: "Due",
      cell: (t) => (
        <>
          <Text size="sm">
            {t.status === "closed" ? `Closed ${formatDateTime(t.closed_at)}` : formatDateTime(t.due_at)}
          </Text>
          <SlaCountdown ticket={t} size="xs" testId="customer-ticket-sla" />
        </>
      ),
    },
  ];
}

/** The customer page's Tickets tab: their tickets, soonest due first, and "New ticket" for them. */
export function CustomerTicketsTab({ customerId }: { customerId: number }) {
  const canWrite = usePermission("ticket.write");
  const userName = useUserNames();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(PAGE_SIZE);
  const [creating, setCreating] = useState(false);
  const tickets = useTickets({ customer_id: customerId, page, page_size: pageSize });

  return (
    <Stack data-testid="customer-tickets">
      <DetailCard
        title="Tickets"
        extra={
          canWrite && (
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => setCreating(true)}
              data-testid="customer-ticket-new"
            >
              New ticket
            </Button>
          )
        }
      >
        <QueryState query={tickets}>
          {({ items, pagination }) => (
            <>
              <ListTable
                rows={items}
                columns={columns(userName)}
                rowKey={(t) => t.ticket_id}
                href={(t) => `/tickets/${t.ticket_id}`}
                rowData={(t) => ({
                  "data-testid": "customer-ticket-row",
                  "data-ticket-id": t.ticket_id,
                  "data-status": t.status,
                })}
                empty="No tickets yet"
                testId="customer-tickets-table"
                loading={tickets.isPlaceholderData}
                minWidth={700}
              />
              <ListFooter
                pagination={pagination}
                pageSize={pageSize}
                noun={pagination.total === 1 ? "ticket" : "tickets"}
                onPage={setPage}
                onPageSize={(size) => {
                  setPageSize(size);
                  setPage(1);
                }}
              />
            </>
          )}
        </QueryState>
      </DetailCard>
      <NewTicketModal opened={creating} onClose={() => setCreating(false)} customerId={customerId} />
    </Stack>
  );
}
