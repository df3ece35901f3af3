import { Alert, Anchor, Button, Code, Group, Progress, Stack, Table, Text, UnstyledButton } from "@mantine/core";
import { IconAlertTriangle, IconChevronDown, IconChevronRight, IconPlayerStop, IconRefresh } from "@tabler/icons-react";
import { Fragment, useState } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import { confirmAction, DetailCard, DetailPage, EmptyRow, Field, FieldGrid, PageHeader } from "@/components";
import { formatDateTime, orDash } from "@/lib/format";
import { notifyError, notifySuccess } from "@/lib/notify";
import { useProvision, useProvisionAction, type JobAction, type ProvisionDetail, type ProvisionEvent } from "../api";
import { canCancel, canRetry, eventLabel, eventStatus, STATUS, STATUS_COLORS } from "../constants";
import { useLiveProvision } from "../socket";
import { EventOutput } from "./EventOutput";
import { LiveBadge } from "./LiveBadge";
import { progressOf } from "./ProvisionJobsTable";
import { ProvisionStatusBadge } from "./ProvisionStatusBadge";

function JobProgress({ job }: { job: ProvisionDetail }) {
  const value = progressOf(job);
  const running = job.provisioning_status === STATUS.running;
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          Progress
        </Text>
        <Text size="sm" c="dimmed">
          {job.tasks_done}/{job.task_count || "?"} tasks
        </Text>
      </Group>
      <Progress.Root size="lg" radius="sm">
        <Progress.Section
          value={value}
          color={STATUS_COLORS[job.provisioning_status] ?? "gray"}
          striped={running}
          animated={running}
          aria-label="Job progress"
          data-testid="provision-progress"
        >
          {value >= 10 && <Progress.Label>{value}%</Progress.Label>}
        </Progress.Section>
      </Progress.Root>
    </Stack>
  );
}

function EventRow({ event }: { event: ProvisionEvent }) {
  const [open, setOpen] = useState(false);
  const status = eventStatus(event);
  const label = eventLabel(event);
  const Chevron = open ? IconChevronDown : IconChevronRight;
  return (
    <Fragment>
      <Table.Tr
        style={{ cursor: "pointer" }}
        onClick={() => setOpen((o) => !o)}
        data-testid="provision-event-row"
        data-status={label}
        data-event-number={event.event_number}
      >
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            {/* The row toggles on click; this is its keyboard and screen-reader handle. */}
            <UnstyledButton
              aria-expanded={open}
              aria-label={`Task ${event.event_number} output`}
              onClick={(e) => {
                e.stopPropagation();
                setOpen((o) => !o);
              }}
            >
              <Chevron size={14} />
            </UnstyledButton>
            <Text size="sm" ff="monospace">
              {event.event_number}
            </Text>
          </Group>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{event.event_name}</Text>
          {event.attempt > 1 && (
            <Text size="xs" c="dimmed">
              attempt {event.attempt}
            </Text>
          )}
        </Table.Td>
        <Table.Td>
          <ProvisionStatusBadge status={status} label={label} />
        </Table.Td>
        <Table.Td>
          <Group gap={4}>
            {event.changed && (
              <Text size="xs" c="orange" fw={600}>
                changed
              </Text>
            )}
            {event.skipped && (
              <Text size="xs" c="dimmed" fw={600}>
                skipped
              </Text>
            )}
          </Group>
        </Table.Td>
        <Table.Td>
          <Text size="xs" c="dimmed">
            {formatDateTime(event.task_finished_at ?? event.created_at)}
          </Text>
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={5} bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-6))">
            <EventOutput event={event} />
          </Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}

function Tasks({ job }: { job: ProvisionDetail }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" highlightOnHover data-testid="provision-events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={70}>#</Table.Th>
            <Table.Th>Task</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th />
            <Table.Th>Finished</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {job.events.length === 0 && (
            <EmptyRow colSpan={5}>
              {job.provisioning_status === STATUS.queued ? "Waiting for a worker…" : "No task results yet"}
            </EmptyRow>
          )}
          {job.events.map((e) => (
            <EventRow key={e.provision_event_id} event={e} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const ACTION_TEXT: Record<JobAction, { label: string; title: string; message: string; done: string }> = {
  retry: {
    label: "Retry",
    title: "Retry this job?",
    message: "The play runs again from the start with the same variables.",
    done: "queued again",
  },
  cancel: {
    label: "Cancel job",
    title: "Cancel this job?",
    message: "A queued job will not run; a running one stops after its current task.",
    done: "cancellation requested",
  },
};

function JobActions({ job }: { job: ProvisionDetail }) {
  const canWrite = usePermission("provision.write");
  const mutation = useProvisionAction(job.provision_id);
  const run = (action: JobAction) => {
    const text = ACTION_TEXT[action];
    confirmAction({
      title: text.title,
      message: text.message,
      confirmLabel: text.label,
      danger: action === "cancel",
      onConfirm: () =>
        mutation.mutate(action, {
          onSuccess: () => notifySuccess(`Job #${job.provision_id}: ${text.done}.`),
          onError: (error) => notifyError(error, `Could not ${action} job #${job.provision_id}`),
        }),
    });
  };
  const why = canWrite ? undefined : "Needs the provision.write permission";
  return (
    <>
      {canRetry(job.provisioning_status) && (
        <Button
          leftSection={<IconRefresh size={16} />}
          onClick={() => run("retry")}
          disabled={!canWrite}
          title={why}
          loading={mutation.isPending && mutation.variables === "retry"}
          data-testid="provision-retry"
        >
          Retry
        </Button>
      )}
      {canCancel(job.provisioning_status) && (
        <Button
          variant="light"
          color="red"
          leftSection={<IconPlayerStop size={16} />}
          onClick={() => run("cancel")}
          disabled={!canWrite || job.cancel_requested}
          title={why}
          loading={mutation.isPending && mutation.variables === "cancel"}
          data-testid="provision-cancel"
        >
          {job.cancel_requested ? "Cancelling…" : "Cancel"}
        </Button>
      )}
    </>
  );
}

function JobDetails({ job, live }: { job: ProvisionDetail; live: boolean }) {
  const failed = job.provisioning_status === STATUS.failed;
  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            <span>Job #{job.provision_id}</span>
            <ProvisionStatusBadge status={job.provisioning_status} label={job.status_label} testId="provision-status" />
            <LiveBadge live={live} />
          </Group>
        }
        description={
          <>
            <Text span ff="monospace" size="sm">
              {job.provisioning_play}
            </Text>{" "}
            · {job.action}
          </>
        }
        actions={<JobActions job={job} />}
      />
      <Stack>
        {(failed || job.error) && (
          <Alert
            color={failed ? "red" : "orange"}
            icon={<IconAlertTriangle size={18} />}
            title={failed ? "Provisioning failed" : "Last error"}
            data-testid="provision-error"
          >
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
              {job.error ?? "The play failed; see the task results below."}
            </Text>
          </Alert>
        )}
        <DetailCard>
          <Stack>
            <JobProgress job={job} />
            <FieldGrid cols={{ base: 2, sm: 4 }}>
              <Field label="Customer">
                <Anchor component={Link} to={`/customers/${job.customer_id}`} data-testid="provision-customer">
                  {job.customer_name ?? `#${job.customer_id}`}
                </Anchor>
              </Field>
              <Field label="Service">
                {job.service_id === null ? (
                  "—"
                ) : (
                  <Anchor component={Link} to={`/services/${job.service_id}`} data-testid="provision-service">
                    #{job.service_id}
                  </Anchor>
                )}
              </Field>
              <Field label="Product">
                {job.product_id === null ? (
                  "—"
                ) : (
                  <Anchor component={Link} to={`/products/${job.product_id}`}>
                    #{job.product_id}
                  </Anchor>
                )}
              </Field>
              <Field label="Attempts" testId="provision-attempts">
                {job.attempts} (retries {job.retries}/{job.max_retries})
              </Field>
              <Field label="Initiated by">
                <span data-testid="provision-initiated-by" title={job.initiated_by}>
                  {orDash(job.initiated_by_name ?? job.initiated_by)}
                </span>
              </Field>
              <Field label="Created">{formatDateTime(job.created_at)}</Field>
              <Field label="Started">{formatDateTime(job.started_at)}</Field>
              <Field label="Finished">{formatDateTime(job.finished_at)}</Field>
              {job.next_attempt_at && <Field label="Next attempt">{formatDateTime(job.next_attempt_at)}</Field>}
              {job.inventory_ids.length > 0 && (
                <Field label="Inventory">
                  <Group gap="xs">
                    {job.inventory_ids.map((id) => (
                      <Anchor key={id} component={Link} to={`/inventory/items/${id}`}>
                        #{id}
                      </Anchor>
                    ))}
                  </Group>
                </Field>
              )}
            </FieldGrid>
          </Stack>
        </DetailCard>
        <DetailCard title="Tasks">
          <Tasks job={job} />
        </DetailCard>
        {job.config_content && (
          <DetailCard title="Rendered config">
            <Code block data-testid="provision-config">
              {job.config_content}
            </Code>
          </DetailCard>
        )}
        <DetailCard title="Variables">
          <Code block mah={320} style={{ overflow: "auto" }} tabIndex={0} data-testid="provision-vars">
            {JSON.stringify(job.provisioning_json_vars, null, 2)}
          </Code>
        </DetailCard>
      </Stack>
    </>
  );
}

export function ProvisionJobPage() {
  const provisionId = Number(useParams().provisionId);
  const job = useProvision(provisionId);
  const socket = useLiveProvision(provisionId, job.data);
  return (
    <DetailPage
      testId="provision-job-page"
      breadcrumbs={[
        { label: "Provisioning", to: "/provisioning" },
        { label: "Jobs", to: "/provisioning/jobs" },
        { label: `#${provisionId}` },
      ]}
      title={`Provisioning job #${provisionId}`}
      query={job}
    >
      {(j) => <JobDetails job={j} live={socket.connected} />}
    </DetailPage>
  );
}
