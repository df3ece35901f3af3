import { Button } from "@mantine/core";
import { IconTemplate } from "@tabler/icons-react";
import { Link } from "react-router";
import { ListPage, ListTable } from "@/components";
import { idOrUndefined, useListParams } from "@/lib/listParams";
import {
  useNotifications,
  type NotificationCategory,
  type NotificationChannel,
  type NotificationListQuery,
  type TemplateName,
} from "../api";
import { CATEGORIES, CHANNELS, isNotificationStatus, notificationPath } from "../constants";
import { OUTBOX_COLUMNS } from "./OutboxColumns";
import { OUTBOX_FILTERS, OutboxFilters } from "./OutboxFilters";
import { StatusFilter } from "./StatusFilter";

const oneOf = <T extends string>(values: readonly T[], value: string): T | undefined =>
  (values as readonly string[]).includes(value) ? (value as T) : undefined;

/** The URL's filters as the list query (unknown values dropped). */
function queryOf(params: Record<(typeof OUTBOX_FILTERS)[number], string>): NotificationListQuery {
  return {
    status: isNotificationStatus(params.status) ? params.status : undefined,
    recipient: params.recipient || undefined,
    template: (params.template || undefined) as TemplateName | undefined,
    channel: oneOf<NotificationChannel>(CHANNELS, params.channel),
    category: oneOf<NotificationCategory>(CATEGORIES, params.category),
    customer_id: idOrUndefined(params.customer_id),
  };
}

/** Every message OmniCRM sent or tried to, newest first; read again while some are queued. */
export function OutboxPage() {
  const list = useListParams(OUTBOX_FILTERS);
  const query = queryOf(list.params);
  const notifications = useNotifications({ ...query, page: list.paging.page, page_size: list.paging.page_size });

  return (
    <ListPage
      title="Outbox"
      description="The e-mails and text messages sent to customers and staff, and what became of them."
      actions={
        <Button
          component={Link}
          to="/outbox/templates"
          variant="default"
          leftSection={<IconTemplate size={16} />}
          data-testid="outbox-templates-link"
        >
          Templates
        </Button>
      }
      query={notifications}
      list={list}
      noun="messages"
      filters={
        <>
          <StatusFilter
            value={query.status ?? ""}
            onChange={(status) => list.setParams({ status })}
            listUpdatedAt={notifications.dataUpdatedAt}
          />
          <OutboxFilters list={list} />
        </>
      }
    >
      {(rows, loading) => (
        <ListTable
          rows={rows}
          columns={OUTBOX_COLUMNS}
          rowKey={(n) => n.notification_id}
          href={notificationPath}
          rowData={(n) => ({
            "data-testid": "outbox-row",
            "data-notification-id": n.notification_id,
            "data-status": n.status,
          })}
          empty="No messages match"
          testId="outbox-table"
          minWidth={1100}
          loading={loading}
        />
      )}
    </ListPage>
  );
}
