import { Progress, Text } from "@mantine/core";
import { ListTable, RowLink, type Column } from "@/components";
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

const COLUMNS: Column<ProvisionJob>[] = [
  {
    header: "Job",
    sort: "provision_id",
    cell: (j) => (
      <RowLink to={jobUrl(j.provision_id)} ff="monospace">
        #{j.provision_id}
      </RowLink>
    ),
  },
  {
    header: "Status",
    sort: "provisioning_status",
    cell: (j) => <ProvisionStatusBadge status={j.provisioning_status} label={j.status_label} />,
  },
  {
    header: "Play",
    cell: (j) => (
      <>
        <Text size="sm" ff="monospace">
          {j.provisioning_play}
        </Text>
        <Text size="xs" c="dimmed" tt="capitalize">
          {j.action}
          {j.attempts > 1 ? ` · attempt ${j.attempts}` : ""}
        </Text>
      </>
    ),
  },
  { header: "Customer", cell: (j) => <RowLink to={`/customers/${j.customer_id}`}>#{j.customer_id}</RowLink> },
  {
    header: "Service",
    cell: (j) => (j.service_id === null ? "—" : <RowLink to={`/services/${j.service_id}`}>#{j.service_id}</RowLink>),
  },
  {
    header: "Progress",
    td: { miw: 110 },
    cell: (j) => (
      <>
        <Progress
          value={progressOf(j)}
          color={STATUS_COLORS[j.provisioning_status] ?? "gray"}
          size="sm"
          aria-label={`Job ${j.provision_id} progress`}
        />
        <Text size="xs" c="dimmed">
          {j.tasks_done}/{j.task_count || "?"} tasks
        </Text>
      </>
    ),
  },
  { header: "Created", sort: "created_at", cell: (j) => formatDateTime(j.created_at) },
];

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
  return (
    <ListTable
      rows={jobs}
      columns={COLUMNS}
      rowKey={(j) => j.provision_id}
      href={(j) => jobUrl(j.provision_id)}
      rowData={(j) => ({ "data-testid": "provision-job-row", "data-provision-id": j.provision_id })}
      empty="No provisioning jobs"
      testId={testId}
      minWidth={760}
      loading={loading}
      sort={sort}
      onSort={onSort}
    />
  );
}
