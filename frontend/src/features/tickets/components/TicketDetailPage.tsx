import { Anchor, Badge, Grid, Group, Stack, Text, Tooltip } from "@mantine/core";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import {
  ActionButtons,
  DetailCard,
  DetailPage,
  Field,
  FieldGrid,
  PageHeader,
  ReasonModal,
  useReasonAction,
} from "@/components";
import { useCustomer } from "@/features/customers";
import { useService } from "@/features/services";
import { formatDateTime, orDash } from "@/lib/format";
import { useTicket, useTicketAction, useUserNames, type TicketDetail } from "../api";
import { TICKET_ACTION_LABELS, TICKET_MACHINE, TICKET_STATUS_LABELS } from "../constants";
import { SlaCountdown, TicketPriorityBadge, TicketStatusBadge } from "./Badges";
import { TicketAttachments } from "./TicketAttachments";
import { TicketComposer } from "./TicketComposer";
import { TicketEditCard } from "./TicketEditCard";
import { TicketTimeline } from "./TicketTimeline";

const ACTION_HINTS: Record<string, string> = {
  activate: "Work starts on it.",
  suspend: "On hold: resume it to work on it again.",
  resume: "Work goes on.",
  block: "Waiting on something outside: it can only be closed from there.",
  close: "Done: a closed ticket takes no more comments, files or changes.",
};

/** The ticket's customer by name: the ticket carries it; older answers fall back to a lookup. */
function CustomerLink({ customerId, name }: { customerId: number; name: string | null }) {
  const canRead = usePermission("customer.read");
  const customer = useCustomer(customerId, canRead && name === null);
  return (
    <Anchor component={Link} to={`/customers/${customerId}?tab=tickets`} data-testid="ticket-customer">
      {name ?? customer.data?.customer_name ?? `Customer #${customerId}`}
    </Anchor>
  );
}

function ServiceLink({ serviceId }: { serviceId: number }) {
  const canRead = usePermission("service.read");
  const service = useService(serviceId, canRead);
  const name = service.data?.service_name;
  return canRead ? (
    <Anchor component={Link} to={`/services/${serviceId}`} data-testid="ticket-service">
      {name ? `${name} (#${serviceId})` : `Service #${serviceId}`}
    </Anchor>
  ) : (
    <Text span size="sm" data-testid="ticket-service">
      Service #{serviceId}
    </Text>
  );
}

function TicketDetails({ ticket }: { ticket: TicketDetail }) {
  const canWrite = usePermission("ticket.write");
  const userName = useUserNames();
  const reason = useReasonAction(
    useTicketAction(ticket.ticket_id),
    (moved) => `#${moved.ticket_id}: ${TICKET_STATUS_LABELS[moved.status]}.`,
  );
  const { action } = reason;
  const closed = ticket.status === "closed";

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            <span data-testid="ticket-subject">{ticket.subject}</span>
            <TicketStatusBadge status={ticket.status} testId="ticket-status" />
            <TicketPriorityBadge priority={ticket.priority} testId="ticket-priority" />
            <SlaCountdown ticket={ticket} testId="ticket-sla" />
            {!ticket.customer_visible && (
              <Tooltip label="The customer is not told of it and sees nothing of it">
                <Badge variant="outline" color="gray" data-testid="ticket-internal">
                  Internal ticket
                </Badge>
              </Tooltip>
            )}
          </Group>
        }
        description={
          <Group gap={6} component="span">
            <span>Ticket #{ticket.ticket_id} ·</span>
            <CustomerLink customerId={ticket.customer_id} name={ticket.customer_name} />
            {ticket.service_id !== null && (
              <>
                <span>·</span>
                <ServiceLink serviceId={ticket.service_id} />
              </>
            )}
          </Group>
        }
        actions={
          <ActionButtons
            actions={canWrite ? ticket.allowed_actions : []}
            label={(a) => TICKET_ACTION_LABELS[a]}
            danger="close"
            onAction={reason.open}
            testIdPrefix="ticket-action"
          />
        }
      />
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <DetailCard title="Description">
              <Text
                size="sm"
                c={ticket.description ? undefined : "dimmed"}
                style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}
                data-testid="ticket-description"
              >
                {ticket.description || "No description"}
              </Text>
            </DetailCard>
            <DetailCard title="Timeline">
              <TicketTimeline ticket={ticket} userName={userName} />
            </DetailCard>
            {canWrite && (
              <DetailCard title="Add to the ticket">
                {closed ? (
                  <Text size="sm" c="dimmed" data-testid="ticket-composer-closed">
                    The ticket is closed: it takes no more notes or replies.
                  </Text>
                ) : (
                  <TicketComposer ticketId={ticket.ticket_id} customerVisible={ticket.customer_visible} />
                )}
              </DetailCard>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <DetailCard title="Details">
              <FieldGrid cols={1}>
                <Field label="Assignee" testId="ticket-assignee">
                  {ticket.assignee_name ?? userName(ticket.assignee_user_id, "Unassigned")}
                </Field>
                <Field label="Team">{orDash(ticket.team)}</Field>
                <Field label="Tags" testId="ticket-tags">
                  {ticket.tags.length ? (
                    <Group gap={4}>
                      {ticket.tags.map((tag) => (
                        <Badge key={tag} size="sm" variant="outline" color="gray">
                          {tag}
                        </Badge>
                      ))}
                    </Group>
                  ) : (
                    "—"
                  )}
                </Field>
                <Field label="Category">{orDash(ticket.category)}</Field>
                {ticket.contract_id !== null && (
                  <Field label="Contract">
                    <Anchor component={Link} to={`/contracts/${ticket.contract_id}`} size="sm">
                      Contract #{ticket.contract_id}
                    </Anchor>
                  </Field>
                )}
                <Field label="Due" testId="ticket-due">
                  {formatDateTime(ticket.due_at)}
                </Field>
                <Field label="Opened">
                  {formatDateTime(ticket.created_at)}
                  {` · ${ticket.created_by_name ?? userName(ticket.created_by_user_id, ticket.source ? `from ${ticket.source}` : "system")}`}
                </Field>
                {ticket.closed_at && <Field label="Closed">{formatDateTime(ticket.closed_at)}</Field>}
              </FieldGrid>
            </DetailCard>
            {canWrite && !closed && (
              <DetailCard title="Change">
                <TicketEditCard key={ticket.updated_at} ticket={ticket} canWrite={canWrite} />
              </DetailCard>
            )}
            <DetailCard title="Files">
              <TicketAttachments ticket={ticket} canWrite={canWrite} />
            </DetailCard>
          </Stack>
        </Grid.Col>
      </Grid>
      <ReasonModal
        title={action ? `${TICKET_ACTION_LABELS[action]} #${ticket.ticket_id}` : null}
        confirmLabel={
          action ? `${TICKET_ACTION_LABELS[action]} → ${TICKET_STATUS_LABELS[TICKET_MACHINE[action].to]}` : ""
        }
        danger={action === "close"}
        optional
        description={action ? ACTION_HINTS[action] : undefined}
        pending={reason.pending}
        error={reason.failure}
        onSubmit={reason.submit}
        onClose={reason.close}
      />
    </>
  );
}

/** One ticket: header with its moves, the timeline and composer, details, changes, files. */
export function TicketDetailPage() {
  const ticketId = Number(useParams().ticketId);
  const ticket = useTicket(ticketId);
  return (
    <DetailPage
      testId="ticket-page"
      breadcrumbs={[
        { label: "Tickets", to: "/tickets" },
        { label: ticket.data ? `#${ticketId} ${ticket.data.subject}` : `#${ticketId}` },
      ]}
      title={ticket.data ? `Ticket #${ticketId} ${ticket.data.subject}` : `Ticket #${ticketId}`}
      query={ticket}
    >
      {(t) => <TicketDetails ticket={t} />}
    </DetailPage>
  );
}
