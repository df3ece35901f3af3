import { Anchor, Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { PageHeader, QueryState } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useUrlParams } from "@/lib/useUrlParams";
import {
  provisionKeys,
  useProvisionDashboard,
  useProvisions,
  useRecentProvisionEvents,
  type LiveEvent,
  type ProvisionDashboard,
  type ProvisionEvent,
} from "../api";
import { ALERTS_SIZE } from "../chargingAlerts";
import { DASHBOARD_ROOM, useProvisionSocket } from "../socket";
import { ChargingAlerts, notifyThreshold, type ChargingAlert } from "./ChargingAlerts";
import { LiveBadge } from "./LiveBadge";
import { LiveFeed } from "./LiveFeed";
import { ProvisionJobsTable } from "./ProvisionJobsTable";
import { RateChart } from "./RateChart";
import { statusCodes, StatusFilter } from "./StatusFilter";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

const FEED_SIZE = 50;
const RECENT_JOBS = 10;
/** Without the socket, refresh the numbers this often (ms). */
const OFFLINE_REFRESH = 10_000;

const STATS = [
  { key: "running", label: "Running", color: "blue" },
  { key: "queued", label: "Queued", color: "gray" },
  { key: "failed", label: "Failed", color: "red" },
  { key: "success", label: "Succeeded", color: "green" },
] as const;

function StatCards({ counts }: { counts: ProvisionDashboard["counts"] }) {
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md">
      {STATS.map((s) => (
        <Card key={s.key} withBorder radius="md" padding="md">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {s.label}
          </Text>
          <Text fz={32} fw={700} c={s.color === "gray" ? undefined : s.color} data-testid={`provision-count-${s.key}`}>
            {counts[s.key] ?? 0}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

/** Live and fetched events, each once, newest first. */
function mergeFeed(live: LiveEvent[], fetched: ProvisionEvent[]): ProvisionEvent[] {
  const byId = new Map<number, ProvisionEvent>();
  for (const e of [...live, ...fetched]) if (!byId.has(e.provision_event_id)) byId.set(e.provision_event_id, e);
  return [...byId.values()].sort((a, b) => b.provision_event_id - a.provision_event_id).slice(0, FEED_SIZE);
}

export function ProvisioningDashboard() {
  useDocumentTitle("Provisioning");
  const queryClient = useQueryClient();
  const [params, setParams] = useUrlParams(["status"] as const);
  const [feed, setFeed] = useState<LiveEvent[]>([]);
  const [alerts, setAlerts] = useState<ChargingAlert[]>([]);
  const alertKey = useRef(0);
  const navigate = useNavigate();

  // Statuses come in bursts (a sale queues several jobs): refetch once they settle.
  const refresh = useDebouncedCallback(() => {
    void queryClient.invalidateQueries({ queryKey: provisionKeys.dashboards() });
    void queryClient.invalidateQueries({ queryKey: provisionKeys.lists() });
  }, 500);

  const socket = useProvisionSocket(DASHBOARD_ROOM, {
    onEvent: (event) =>
      setFeed((prev) =>
        prev.some((e) => e.provision_event_id === event.provision_event_id)
          ? prev
          : [event, ...prev].slice(0, FEED_SIZE),
      ),
    onStatus: () => refresh(),
    // Toasted, and kept in a short list so an alert outlives its toast.
    onThreshold: (alert) => {
      notifyThreshold(alert, navigate);
      const key = ++alertKey.current;
      setAlerts((prev) => [{ ...alert, key, received_at: new Date() }, ...prev].slice(0, ALERTS_SIZE));
    },
  });
  const dashboard = useProvisionDashboard(24, socket.connected ? false : OFFLINE_REFRESH);
  // The feed starts with what already happened, then live events go on top.
  const recent = useRecentProvisionEvents(FEED_SIZE);
  const shown = mergeFeed(feed, recent.data ?? []);
  const jobs = useProvisions({ provisioning_status: statusCodes(params.status), page_size: RECENT_JOBS });

  return (
    <Stack data-testid="provision-dashboard" gap="md">
      <PageHeader
        title={
          <Group gap="sm">
            Provisioning
            <LiveBadge live={socket.connected} />
          </Group>
        }
        description="Ansible jobs that set up, change and tear down services."
        actions={
          <Button component={Link} to="/provisioning/jobs" variant="default">
            All jobs
          </Button>
        }
      />
      <QueryState query={dashboard}>
        {(d) => (
          <>
            <StatCards counts={d.counts} />
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              <Card withBorder radius="md" padding="lg">
                <Group justify="space-between" mb="sm">
                  <Title order={5}>Success rate, last 24 h</Title>
                  <Text size="xs" c="dimmed">
                    as of {formatDateTime(d.generated_at)}
                  </Text>
                </Group>
                <RateChart series={d.series} />
              </Card>
              <Card withBorder radius="md" padding="lg">
                <Title order={5} mb="sm">
                  Live feed
                </Title>
                <LiveFeed events={shown} live={socket.connected} />
              </Card>
            </SimpleGrid>
          </>
        )}
      </QueryState>
      <Card withBorder radius="md" padding="md">
        <Title order={5} mb="sm">
          Charging alerts
        </Title>
        <ChargingAlerts alerts={alerts} />
      </Card>
      <Card withBorder radius="md" padding="md">
        <Group justify="space-between" mb="md">
          <Title order={5}>Recent jobs</Title>
          <Group gap="sm">
            <StatusFilter value={params.status} onChange={(status) => setParams({ status })} />
            <Anchor component={Link} to="/provisioning/jobs" size="sm">
              All jobs
            </Anchor>
          </Group>
        </Group>
        <QueryState query={jobs}>
          {({ items }) => <ProvisionJobsTable jobs={items} loading={jobs.isPlaceholderData} />}
        </QueryState>
      </Card>
    </Stack>
  );
}
