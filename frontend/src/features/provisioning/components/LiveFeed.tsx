import { Anchor, Group, ScrollArea, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import type { ProvisionEvent } from "../api";
import { eventLabel, eventStatus } from "../constants";
import { jobUrl } from "./ProvisionJobsTable";
import { ProvisionStatusBadge } from "./ProvisionStatusBadge";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const timeOf = (iso: string | null) => {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeFormat.format(d);
};

/** The latest task results across jobs, newest first. */
export function LiveFeed({ events, live }: { events: ProvisionEvent[]; live: boolean }) {
  return (
    <ScrollArea h={320} type="auto">
      <Stack gap={6} data-testid="provision-feed">
        {events.length === 0 && (
          <Text c="dimmed" size="sm" ta="center" py="lg">
            {live ? "Waiting for task results…" : "Live feed offline: reconnecting…"}
          </Text>
        )}
        {events.map((e) => (
          <Group
            key={e.provision_event_id}
            gap="xs"
            wrap="nowrap"
            data-testid="provision-feed-item"
            data-status={eventLabel(e)}
          >
            <Text size="xs" c="dimmed" ff="monospace" w={70} style={{ flexShrink: 0 }}>
              {timeOf(e.task_finished_at ?? e.created_at)}
            </Text>
            <Anchor component={Link} to={jobUrl(e.provision_id)} size="sm" ff="monospace" style={{ flexShrink: 0 }}>
              #{e.provision_id}
            </Anchor>
            <Text size="sm" truncate="end" style={{ flex: 1 }} title={e.event_name}>
              {e.event_name}
            </Text>
            <ProvisionStatusBadge status={eventStatus(e)} label={eventLabel(e)} />
          </Group>
        ))}
      </Stack>
    </ScrollArea>
  );
}
