import { Alert, Group, Progress, SimpleGrid, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import type { ImportDetail } from "../api";
import { IMPORT_STATUS_COLORS } from "../constants";
import { formatDuration, formatRate, importPercent, throughput } from "../progress";
import { DryRunBadge, ImportStatusBadge, LiveBadge } from "./Badges";

/** The time now, moved on every `interval` ms while `active` (the rate and ETA age with it). */
function useNow(active: boolean, interval = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(timer);
  }, [active, interval]);
  return now;
}

function Counter({ label, value, color, testId }: { label: string; value: number; color?: string; testId: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={value > 0 ? color : undefined} data-testid={testId}>
        {value.toLocaleString("en-US")}
      </Text>
    </Stack>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

function summaryOf(job: ImportDetail): string {
  const parts = `${job.created} created, ${job.updated} updated, ${job.unchanged} unchanged, ${job.failed} failed`;
  return job.dry_run
    ? `Dry run of ${plural(job.total, "row")}: ${parts}. Nothing was written: import the file to apply it.`
    : `${plural(job.total, "row")}: ${parts}.`;
}

/**
 * An import's progress bar with rows/s and time left, its counters, and how it ended. `testId`
 * prefixes the test ids: "import-job" → import-job-progress (the bar), import-job-summary, ...
 */
export function ImportProgressPanel({
  job,
  live,
  testId = "import-job",
}: {
  job: ImportDetail;
  live: boolean;
  testId?: string;
}) {
  const moving = job.status === "queued" || job.status === "running";
  const now = useNow(job.status === "running");
  const value = importPercent(job);
  const { elapsed, rate, eta } = throughput(job, now);
  return (
    <Stack gap="sm" data-testid={`${testId}-progress-panel`} data-import-id={job.import_id} data-status={job.status}>
      <Group justify="space-between">
        <Group gap="xs">
          <ImportStatusBadge status={job.status} testId={`${testId}-status`} />
          {job.dry_run && <DryRunBadge testId={`${testId}-dry-run`} />}
          {moving && <LiveBadge live={live} testId={`${testId}-live`} />}
        </Group>
        <Text size="sm" c="dimmed" data-testid={`${testId}-count`}>
          {job.processed.toLocaleString("en-US")}/{job.total.toLocaleString("en-US")} rows
        </Text>
      </Group>
      <Progress.Root size="xl" radius="sm">
        <Progress.Section
          value={value}
          color={IMPORT_STATUS_COLORS[job.status] ?? "gray"}
          striped={moving}
          animated={moving}
          aria-label="Import progress"
          data-testid={`${testId}-progress`}
        >
          {value >= 10 && <Progress.Label>{value}%</Progress.Label>}
        </Progress.Section>
      </Progress.Root>
      <Group gap="lg">
        <Text size="sm" c="dimmed" data-testid={`${testId}-rate`}>
          {rate !== null ? formatRate(rate) : "— rows/s"}
        </Text>
        {job.status === "running" && (
          <Text size="sm" c="dimmed" data-testid={`${testId}-eta`}>
            {eta !== null ? `about ${formatDuration(eta)} left` : "estimating time left…"}
          </Text>
        )}
        {!moving && elapsed !== null && (
          <Text size="sm" c="dimmed" data-testid={`${testId}-elapsed`}>
            took {formatDuration(elapsed)}
          </Text>
        )}
        {job.status === "queued" && (
          <Text size="sm" c="dimmed">
            Waiting for a worker…
          </Text>
        )}
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Counter label="Created" value={job.created} color="teal" testId={`${testId}-created`} />
        <Counter label="Updated" value={job.updated} color="blue" testId={`${testId}-updated`} />
        <Counter label="Unchanged" value={job.unchanged} testId={`${testId}-unchanged`} />
        <Counter label="Failed" value={job.failed} color="red" testId={`${testId}-failed`} />
      </SimpleGrid>
      {job.status === "done" && (
        <Alert
          color={job.failed > 0 ? "yellow" : "teal"}
          icon={job.failed > 0 ? <IconAlertTriangle size={18} /> : <IconCircleCheck size={18} />}
          title={job.dry_run ? "Dry run done" : "Import done"}
          data-testid={`${testId}-summary`}
        >
          <Text size="sm">{summaryOf(job)}</Text>
          {job.failed > 0 && (
            <Text size="sm" mt={4}>
              The rows that failed changed nothing: fix them in the error file and upload it again.
            </Text>
          )}
        </Alert>
      )}
      {job.status === "failed" && (
        <Alert
          color="red"
          icon={<IconAlertTriangle size={18} />}
          title="The import failed"
          data-testid={`${testId}-error`}
        >
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {job.error ?? "No reason was recorded."}{" "}
            {job.dry_run
              ? "It was a dry run: nothing was written."
              : `The ${plural(job.processed, "row")} committed before it stopped stay; uploading the same file again changes nothing for them.`}
          </Text>
        </Alert>
      )}
    </Stack>
  );
}
