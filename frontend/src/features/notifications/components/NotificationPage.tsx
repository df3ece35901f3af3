import { Anchor, Group, Stack, Text } from "@mantine/core";
import { Link, useParams } from "react-router";
import { DetailCard, DetailPage, Field, FieldGrid, PageHeader } from "@/components";
import { formatDateTime, orDash } from "@/lib/format";
import { useNotification, useResendNotification, type NotificationDetail } from "../api";
import { categoryLabel, channelLabel, templateLabel } from "../constants";
import { NotificationStatusBadge } from "./Badges";
import { MessageBody } from "./MessageBody";
import { ResendButton, ResendError } from "./ResendButton";

function Status({ note }: { note: NotificationDetail }) {
  return (
    <Stack gap={4} align="flex-start">
      <NotificationStatusBadge status={note.status} testId="notification-status" />
      {note.sent_at && (
        <Text size="xs" c="dimmed" data-testid="notification-sent-at">
          Sent {formatDateTime(note.sent_at)}
        </Text>
      )}
      {note.delivered_at && (
        <Text size="xs" c="dimmed" data-testid="notification-delivered-at">
          Delivered {formatDateTime(note.delivered_at)}
        </Text>
      )}
    </Stack>
  );
}

function Facts({ note }: { note: NotificationDetail }) {
  return (
    <FieldGrid cols={{ base: 1, sm: 3 }} breakAll>
      <Field label="Recipient" testId="notification-recipient">
        {note.recipient}
      </Field>
      <Field label="Customer">
        {note.customer_id === null ? (
          "—"
        ) : (
          <Anchor component={Link} to={`/customers/${note.customer_id}`} data-testid="notification-customer">
            {note.customer_name ?? `Customer #${note.customer_id}`}
          </Anchor>
        )}
      </Field>
      <Field label="Status">
        <Status note={note} />
      </Field>
      <Field label="Template" testId="notification-template">
        {templateLabel(note.template)}{" "}
        <Text span size="xs" c="dimmed" ff="monospace">
          ({note.template})
        </Text>
      </Field>
      <Field label="Category" testId="notification-category">
        {categoryLabel(note.category)}
      </Field>
      <Field label="Channel" testId="notification-channel">
        {channelLabel(note.channel)}
      </Field>
      <Field label="Provider" testId="notification-provider">
        {orDash(note.provider)}
        {note.provider_id && (
          <Text span size="xs" c="dimmed" ff="monospace">
            {" "}
            {note.provider_id}
          </Text>
        )}
      </Field>
      <Field label="Attempts" testId="notification-attempts">
        {note.attempts}
        {note.last_attempt_at && (
          <Text span size="xs" c="dimmed">
            {" "}
            · last {formatDateTime(note.last_attempt_at)}
          </Text>
        )}
      </Field>
      <Field label="Created">{formatDateTime(note.created_at)}</Field>
      {note.last_error && (
        <Field label="Last error" testId="notification-error">
          <Text span size="sm" c="red">
            {note.last_error}
          </Text>
        </Field>
      )}
    </FieldGrid>
  );
}

function NotificationDetails({ note }: { note: NotificationDetail }) {
  const resend = useResendNotification(note.notification_id);
  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            <span data-testid="notification-subject">{note.subject}</span>
            <NotificationStatusBadge status={note.status} />
          </Group>
        }
        description={`Message #${note.notification_id} · ${channelLabel(note.channel)} to ${note.recipient}`}
        actions={<ResendButton note={note} resend={resend} />}
      />
      <Stack>
        <ResendError error={resend.error} />
        <DetailCard>
          <Facts note={note} />
        </DetailCard>
        <DetailCard title="Message">
          <MessageBody note={note} />
        </DetailCard>
      </Stack>
    </>
  );
}

/** One message: to whom, what became of it, its body (never a one-time link), and Send again. */
export function NotificationPage() {
  const notificationId = Number(useParams().notificationId);
  const note = useNotification(notificationId);
  return (
    <DetailPage
      testId="notification-page"
      breadcrumbs={[{ label: "Outbox", to: "/outbox" }, { label: `Message #${notificationId}` }]}
      title={`Message #${notificationId}`}
      query={note}
    >
      {(n) => <NotificationDetails note={n} />}
    </DetailPage>
  );
}
