import { Anchor, Progress, Table, Text } from "@mantine/core";
import { Link, useNavigate } from "react-router";
import { EmptyRow, SortableTh } from "@/components";
import { formatDateTime } from "@/lib/format";
import type { ProvisionJob } from "../api";
import { STATUS, STATUS_COLORS } from "../constants";
import { ProvisionStatusBadge } from "./ProvisionStatusBadge";

export const jobUrl = (provisionId: number) => `/provisioning/${provisionId}`;

/** tasks_done / task_count as a percentage (100 once the job succeeded). */
export function progressOf(job: Pick<ProvisionJob, "provisioning_status" | "tasks_done" | "task_count">): number {
  if (job.provisioning_status === STATUS.success) return 100;
  if (!job.task_count) return 0;
  return Math.min(100, Math.round((job.tasks_done / job.task_count) * 100));
}

interface ProvisionJobsTableProps {
  jobs: ProvisionJob[];
  /** Server-side sort (`?sort=`); without it the headers are plain. */
  sort?: string;
  onSort?: (s: string) => void;
  loading?: boolean;
  testId?: string;
}

export function ProvisionJobsTable({
  jobs,
  sort,
  onSort,
  loading,
  testId = "provision-jobs-table",
}: ProvisionJobsTableProps) {
  const navigate = useNavigate();
  const stop = (e: React.MouseEvent) => e.stopPropagation();
  const th = (field: string, label: string) =>
    onSort ? (
      <SortableTh field={field} sort={sort ?? ""} onSort={onSort}>
        {label}
      </SortableTh>
    ) : (
      <Table.Th>{label}</Table.Th>
    );
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table highlightOnHover verticalSpacing="sm" data-testid={testId} opacity={loading ? 0.6 : 1}>
        <Table.Thead>
          <Table.Tr>
            {th("provision_id", "Job")}
            {th("provisioning_status", "Status")}
            <Table.Th>Play</Table.Th>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Service</Table.Th>
            <Table.Th>Progress</Table.Th>
            {th("created_at", "Created")}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.length === 0 && <EmptyRow colSpan={7}>No provisioning jobs</EmptyRow>}
          {jobs.map((j) => (
            <Table.Tr
              key={j.provision_id}
              style={{ cursor: "pointer" }}
              onClick={() => navigate(jobUrl(j.provision_id))}
              data-testid="provision-job-row"
              data-provision-id={j.provision_id}
            >
              <Table.Td>
                <Anchor component={Link} to={jobUrl(j.provision_id)} onClick={stop} ff="monospace">
                  #{j.provision_id}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <ProvisionStatusBadge status={j.provisioning_status} label={j.status_label} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {j.provisioning_play}
                </Text>
                <Text size="xs" c="dimmed" tt="capitalize">
                  {j.action}
                  {j.attempts > 1 ? ` · attempt ${j.attempts}` : ""}
                </Text>
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/customers/${j.customer_id}`} onClick={stop}>
                  #{j.customer_id}
                </Anchor>
              </Table.Td>
              <Table.Td>
                {j.service_id === null ? (
                  "—"
                ) : (
                  <Anchor component={Link} to={`/services/${j.service_id}`} onClick={stop}>
                    #{j.service_id}
                  </Anchor>
                )}
              </Table.Td>
              <Table.Td miw={110}>
                <Progress
                  value={progressOf(j)}
                  color={STATUS_COLORS[j.provisioning_status] ?? "gray"}
                  size="sm"
                  aria-label={`Job ${j.provision_id} progress`}
                />
                <Text size="xs" c="dimmed">
                  {j.tasks_done}/{j.task_count || "?"} tasks
                </Text>
              </Table.Td>
              <Table.Td>{formatDateTime(j.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
