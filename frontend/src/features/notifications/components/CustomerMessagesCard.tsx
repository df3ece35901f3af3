import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import { DetailCard, ListTable, QueryState, RowLink, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useNotifications, type Notification } from "../api";
import { channelLabel, notificationPath, templateLabel } from "../constants";
import { NotificationStatusBadge } from "./Badges";

export const CUSTOMER_MESSAGES_SHOWN = 10;

const COLUMNS: Column<Notification>[] = [
  { header: "Created", cell: (n) => formatDateTime(n.created_at) },
  {
    header: "Subject",
    cell: (n) => (
      <>
        <RowLink to={notificationPath(n)} size="sm" fw={500}>
          {n.subject}
        </RowLink>
        <Text size="xs" c="dimmed">
          {channelLabel(n.channel)} to {n.recipient}
        </Text>
      </>
    ),
  },
  { header: "Template", cell: (n) => templateLabel(n.template) },
  {
    header: "Status",
    cell: (n) => <NotificationStatusBadge status={n.status} testId="customer-notification-status" />,
  },
];

/** The customer's last 10 messages (notification.read), newest first, each linking to its page. */
export function CustomerMessagesCard({ customerId }: { customerId: number }) {
  const messages = useNotifications({ customer_id: customerId, page_size: CUSTOMER_MESSAGES_SHOWN });
  return (
    <DetailCard
      title="Latest messages"
      extra={
        <Anchor
          component={Link}
          to={`/outbox?customer_id=${customerId}`}
          size="sm"
          data-testid="customer-notifications-all"
        >
          All in the Outbox
        </Anchor>
      }
    >
      <QueryState query={messages}>
        {({ items }) => (
          <ListTable
            rows={items}
            columns={COLUMNS}
            rowKey={(n) => n.notification_id}
            href={notificationPath}
            rowData={(n) => ({
              "data-testid": "customer-notification-row",
              "data-notification-id": n.notification_id,
              "data-status": n.status,
            })}
            empty="No messages yet"
            testId="customer-notifications-table"
            minWidth={640}
          />
        )}
      </QueryState>
    </DetailCard>
  );
}
