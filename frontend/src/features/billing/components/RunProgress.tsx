import { Alert, Anchor, Group, Progress, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import { Link } from "react-router";
import type { BillingRun } from "../api";
import { RUN_STATUS_COLORS } from "../constants";
import { LiveBadge, RunStatusBadge } from "./Badges";

/** Customers gone through, 0–100 (a finished run is full even when it had nobody to bill). */
export function runPercent(run: Pick<BillingRun, "status" | "total" | "processed">): number {
  if (run.status === "done") return 100;
  if (run.total <= 0) return 0;
  return Math.min(100, Math.round((run.processed / run.total) * 100));
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

interface RunProgressProps {
  run: BillingRun;
  live: boolean;
}

/** A run's progress bar and, once it is done, what it wrote with a link to its invoices. */
export function RunProgress({ run, live }: RunProgressProps) {
  const value = runPercent(run);
  const moving = run.status === "running" || run.status === "queued";
  return (
    <Stack gap="xs" data-testid="billing-run-progress-panel" data-run-id={run.billing_run_id} data-status={run.status}>
      <Group justify="space-between">
        <Group gap="xs">
          <Text size="sm" fw={500}>
            Billing run #{run.billing_run_id}
          </Text>
          <RunStatusBadge status={run.status} testId="billing-run-status" />
          {moving && <LiveBadge live={live} />}
        </Group>
        <Text size="sm" c="dimmed" data-testid="billing-run-count">
          {run.processed}/{run.total || "?"} {run.total === 1 ? "customer" : "customers"}
        </Text>
      </Group>
      <Progress.Root size="lg" radius="sm">
        <Progress.Section
          value={value}
          color={RUN_STATUS_COLORS[run.status] ?? "gray"}
          striped={moving}
          animated={moving}
          aria-label="Billing run progress"
          data-testid="billing-run-progress"
        >
          {value >= 10 && <Progress.Label>{value}%</Progress.Label>}
        </Progress.Section>
      </Progress.Root>
      {run.status === "queued" && (
        <Text size="sm" c="dimmed">
          Waiting for a worker…
        </Text>
      )}
      {run.status === "done" && (
        <Alert color="teal" icon={<IconCircleCheck size={18} />} data-testid="billing-run-done">
          <Text size="sm" data-testid="billing-run-result">
            {plural(run.transactions_created, "transaction", "transactions")} and{" "}
            {plural(run.invoices_created, "invoice", "invoices")} created.
          </Text>
          <Anchor
            component={Link}
            to={`/invoices?billing_run_id=${run.billing_run_id}`}
            size="sm"
            data-testid="billing-run-invoices"
          >
            View the run's invoices
          </Anchor>
        </Alert>
      )}
      {run.status === "failed" && (
        <Alert
          color="red"
          icon={<IconAlertTriangle size={18} />}
          title="The run failed"
          data-testid="billing-run-error"
        >
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {run.error ?? "No reason was recorded."} Running it again bills nothing twice.
          </Text>
        </Alert>
      )}
    </Stack>
  );
}
