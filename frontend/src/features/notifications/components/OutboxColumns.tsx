import { Text, Tooltip } from "@mantine/core";
import { RowLink, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import type { Notification } from "../api";
import { channelLabel, notificationPath, templateLabel } from "../constants";
import { NotificationStatusBadge } from "./Badges";

/** The last error, cut to one line; the whole of it as a tooltip. */
export function LastError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <Tooltip label={error} multiline maw={420} withArrow>
      <Text size="xs" c="red" lineClamp={1} maw={240} data-testid="outbox-row-error">
        {error}
      </Text>
    </Tooltip>
  );
}

export const OUTBOX_COLUMNS: Column<Notification>[] = [
  { header: "Created", cell: (n) => formatDateTime(n.created_at), td: { miw: 150 } },
  {
    header: "Recipient",
    cell: (n) => (
      <>
        <Text size="sm" data-testid="outbox-row-recipient" style={{ wordBreak: "break-all" }}>
          {n.recipient}
        </Text>
        {n.customer_id !== null && (
          <RowLink to={`/customers/${n.customer_id}`} size="xs" data-testid="outbox-row-customer">
            {n.customer_name ?? `Customer #${n.customer_id}`}
          </RowLink>
        )}
      </>
    ),
  },
  {
    header: "Subject",
    cell: (n) => (
      <RowLink to={notificationPath(n)} size="sm" fw={500} data-testid="outbox-row-subject">
        {n.subject}
      </RowLink>
    ),
    td: { miw: 220 },
  },
  {
    header: "Template",
    cell: (n) => (
      <Text size="sm" title={n.template} data-testid="outbox-row-template">
        {templateLabel(n.template)}
      </Text>
    ),
  },
  { header: "Channel", cell: (n) => channelLabel(n.channel) },
  { header: "Status", cell: (n) => <NotificationStatusBadge status={n.status} testId="outbox-row-status" /> },
  { header: "Attempts", cell: (n) => n.attempts, td: { ta: "right" } },
  { header: "Last error", cell: (n) => <LastError error={n.last_error} /> },
];
