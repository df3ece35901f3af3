import { Anchor, Button, Group, ScrollArea, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { Link, type NavigateFunction } from "react-router";
import type { ChargingThreshold } from "../api";
import { describeThreshold, serviceUrl, thresholdColor, thresholdText } from "../chargingAlerts";

/** A `charging.threshold` as the dashboard keeps it. */
export interface ChargingAlert extends ChargingThreshold {
  /** Local, for React keys (the server sends no id). */
  key: number;
  received_at: Date;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/**
 * Toast one alert. The toasts render outside the router (see app/providers), so the button
 * navigates with the page's `navigate` rather than a <Link>.
 */
export function notifyThreshold(alert: ChargingThreshold, navigate: NavigateFunction): void {
  const id = notifications.show({
    color: thresholdColor(alert),
    title: "Charging alert",
    message: (
      <Stack gap={6} data-testid="charging-toast">
        <Text size="sm">{describeThreshold(alert)}</Text>
        <Group>
          <Button
            size="compact-xs"
            variant="light"
            onClick={() => {
              notifications.hide(id);
              void navigate(serviceUrl(alert.service_id));
            }}
          >
            Open service
          </Button>
        </Group>
      </Stack>
    ),
  });
}

/** The latest charging alerts, newest first. */
export function ChargingAlerts({ alerts }: { alerts: ChargingAlert[] }) {
  return (
    <ScrollArea.Autosize mah={240} type="auto">
      <Stack gap={6} data-testid="charging-alerts">
        {alerts.length === 0 && (
          <Text c="dimmed" size="sm" ta="center" py="md">
            No charging alerts since this page opened.
          </Text>
        )}
        {alerts.map((a) => (
          <Group key={a.key} gap="xs" wrap="nowrap" data-testid="charging-alert-item" data-color={thresholdColor(a)}>
            <Text size="xs" c="dimmed" ff="monospace" w={70} style={{ flexShrink: 0 }}>
              {timeFormat.format(a.received_at)}
            </Text>
            <Anchor component={Link} to={serviceUrl(a.service_id)} size="sm" style={{ flexShrink: 0 }}>
              Service {a.service_id}
            </Anchor>
            <Text size="sm" c={thresholdColor(a)} truncate="end" style={{ flex: 1 }} title={thresholdText(a)}>
              {thresholdText(a)}
            </Text>
          </Group>
        ))}
      </Stack>
    </ScrollArea.Autosize>
  );
}
