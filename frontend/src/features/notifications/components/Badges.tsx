import { Badge, Group, Tooltip } from "@mantine/core";
import type { NotificationStatus } from "../api";
import {
  channelLabel,
  NOTIFICATION_STATUS_COLORS,
  NOTIFICATION_STATUS_HINTS,
  NOTIFICATION_STATUS_LABELS,
} from "../constants";

/** The status, coloured (suppressed dimmed), what it means as a tooltip. */
export function NotificationStatusBadge({ status, testId }: { status: NotificationStatus; testId?: string }) {
  const suppressed = status === "suppressed";
  return (
    <Tooltip label={NOTIFICATION_STATUS_HINTS[status] ?? status} withArrow openDelay={300}>
      <Badge
        color={NOTIFICATION_STATUS_COLORS[status] ?? "gray"}
        variant={suppressed ? "outline" : "light"}
        c={suppressed ? "dimmed" : undefined}
        style={{ minWidth: "max-content" }}
        data-testid={testId}
        data-status={status}
      >
        {NOTIFICATION_STATUS_LABELS[status] ?? status}
      </Badge>
    </Tooltip>
  );
}

export function ChannelBadges({ channels, testId }: { channels: readonly string[]; testId?: string }) {
  return (
    <Group gap={4} wrap="nowrap">
      {channels.map((channel) => (
        <Badge
          key={channel}
          size="sm"
          variant="outline"
          color={channel === "sms" ? "grape" : "blue"}
          data-testid={testId}
          data-channel={channel}
        >
          {channelLabel(channel)}
        </Badge>
      ))}
    </Group>
  );
}
