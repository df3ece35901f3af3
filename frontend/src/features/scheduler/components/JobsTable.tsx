import { Badge, Button, Code, Stack, Table, Text, Tooltip } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { EmptyRow } from "@/components";
import { formatDateTime } from "@/lib/format";
import { lastRunOf, type PeriodicJob } from "../api";
import { OutcomeBadge } from "./OutcomeBadge";

interface JobsTableProps {
  jobs: PeriodicJob[];
  /** Show the "Run now" buttons (permission scheduler.run). */
  canRun: boolean;
  /** The job whose run is being queued, if any. */
  starting: string | null;
  onRun: (jobName: string) => void;
}

function Schedule({ job }: { job: PeriodicJob }) {
  if (!job.enabled) {
    return (
      <Tooltip label={`Turned off here (SCHEDULER_SCHEDULES); declared: ${job.default_schedule}`}>
        <Badge color="gray" variant="outline">
          off
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Stack gap={0}>
      <Code>{job.schedule}</Code>
      {job.schedule !== job.default_schedule && (
        <Text size="xs" c="dimmed">
          declared: {job.default_schedule}
        </Text>
      )}
    </Stack>
  );
}

/** Periodic jobs: schedule, next run, last run and its outcome, who fired it, "Run now". */
export function JobsTable({ jobs, canRun, starting, onRun }: JobsTableProps) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table verticalSpacing="sm" data-testid="scheduler-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Job</Table.Th>
            <Table.Th>Schedule</Table.Th>
            <Table.Th>Next run</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Fired by</Table.Th>
            {canRun && <Table.Th />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.length === 0 && <EmptyRow colSpan={canRun ? 7 : 6}>No periodic jobs</EmptyRow>}
          {jobs.map((job) => {
            const run = lastRunOf(job);
            return (
              <Table.Tr key={job.job_name} data-testid="scheduler-row" data-job={job.job_name}>
                <Table.Td>
                  <Text fw={500} size="sm">
                    {job.job_name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {job.description}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Schedule job={job} />
                </Table.Td>
                <Table.Td data-testid="job-next-run">{formatDateTime(job.next_run_at)}</Table.Td>
                <Table.Td data-testid="job-last-run">
                  {run ? formatDateTime(run.started_at ?? run.queued_at) : "—"}
                  {run?.trigger === "manual" && (
                    <Text size="xs" c="dimmed">
                      run by hand
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <OutcomeBadge outcome={run?.outcome ?? null} />
                  {run?.error && (
                    <Text size="xs" c="red" lineClamp={2} title={run.error} data-testid="job-error">
                      {run.error}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" data-testid="job-fired-by">
                    {run?.fired_by ?? "—"}
                  </Text>
                </Table.Td>
                {canRun && (
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      leftSection={<IconPlayerPlay size={14} />}
                      loading={starting === job.job_name}
                      disabled={starting !== null && starting !== job.job_name}
                      onClick={() => onRun(job.job_name)}
                      data-testid="job-run-now"
                    >
                      Run now
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
