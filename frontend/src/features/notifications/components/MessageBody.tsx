import { Alert, Code, Tabs, Text } from "@mantine/core";
import { IconCode, IconLock, IconTextCaption } from "@tabler/icons-react";
import type { NotificationDetail } from "../api";
import { HtmlFrame } from "./HtmlFrame";

/** Plain text as it was sent: line breaks kept, long words wrapped. */
export function PlainText({ text, testId }: { text: string; testId: string }) {
  return (
    <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }} data-testid={testId}>
      {text}
    </Code>
  );
}

/** The message as the recipient got it: its HTML (sandboxed) and its text; never a one-time link. */
export function MessageBody({ note }: { note: NotificationDetail }) {
  if (note.body_hidden) {
    return (
      <Alert color="gray" icon={<IconLock size={18} />} data-testid="notification-body-hidden">
        This message holds a one-time link; its body is not shown.
      </Alert>
    );
  }
  const html = note.body_html;
  return (
    <Tabs defaultValue={html ? "html" : "text"} data-testid="notification-body">
      <Tabs.List mb="sm">
        {html && (
          <Tabs.Tab value="html" leftSection={<IconCode size={16} />} data-testid="notification-tab-html">
            HTML
          </Tabs.Tab>
        )}
        <Tabs.Tab value="text" leftSection={<IconTextCaption size={16} />} data-testid="notification-tab-text">
          Text
        </Tabs.Tab>
      </Tabs.List>
      {html && (
        <Tabs.Panel value="html">
          <HtmlFrame html={html} title={`Message #${note.notification_id}`} testId="notification-html" />
        </Tabs.Panel>
      )}
      <Tabs.Panel value="text">
        {note.body_text ? (
          <PlainText text={note.body_text} testId="notification-text" />
        ) : (
          <Text size="sm" c="dimmed" data-testid="notification-text">
            No text part.
          </Text>
        )}
      </Tabs.Panel>
    </Tabs>
  );
}
