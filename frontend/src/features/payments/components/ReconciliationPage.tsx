import { Alert, Group, Loader, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import { useParams } from "react-router";
import { DetailCard, DetailPage, Field, FieldGrid, ListTable, PageHeader, RowLink, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { formatMoney } from "@/lib/money";
import { useReconciliation, type ReconciliationDetail, type ReconciliationItem } from "../api";
import { isReconciliationMoving } from "../constants";
import { ReconciliationKindBadge, ReconciliationStatusBadge } from "./Badges";

/** An amount and a status, one side of a comparison. */
function Side({ amount, status, testId }: { amount: string | null; status: string | null; testId: string }) {
  if (amount === null && status === null) {
    return (
      <Text size="sm" c="dimmed" data-testid={testId}>
        —
      </Text>
    );
  }
  return (
    <Stack gap={0} data-testid={testId}>
      <Text size="sm">{formatMoney(amount)}</Text>
      {status && (
        <Text size="xs" c="dimmed">
          {status}
        </Text>
      )}
    </Stack>
  );
}

const ITEM_COLUMNS: Column<ReconciliationItem>[] = [
  { header: "Finding", cell: (i) => <ReconciliationKindBadge kind={i.kind} /> },
  {
    header: "Payment",
    cell: (i) =>
      i.payment_id !== null ? (
        <RowLink to={`/payments/${i.payment_id}`} data-testid="reconciliation-payment">
          #{i.payment_id}
        </RowLink>
      ) : (
        <Text size="sm" c="dimmed">
          —
        </Text>
      ),
  },
  {
    header: "Stripe reference",
    cell: (i) => (
      <Text size="sm" ff="monospace">
        {i.gateway_reference ?? "—"}
      </Text>
    ),
  },
  { header: "Ours", cell: (i) => <Side amount={i.our_amount} status={i.our_status} testId="reconciliation-ours" /> },
  {
    header: "Stripe's",
    cell: (i) => <Side amount={i.gateway_amount} status={i.gateway_status} testId="reconciliation-theirs" />,
  },
  {
    header: "Detail",
    cell: (i) => (
      <Text size="sm" data-testid="reconciliation-detail">
        {i.detail}
      </Text>
    ),
    td: { miw: 220 },
  },
];

function RunDetails({ run }: { run: ReconciliationDetail }) {
  const moving = isReconciliationMoving(run.status);
  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            Reconciliation #{run.reconciliation_id}
            <ReconciliationStatusBadge status={run.status} testId="reconciliation-status" />
          </Group>
        }
        description={`${run.gateway === "stripe" ? "Stripe" : run.gateway}: ${formatDateTime(run.period_start)} – ${formatDateTime(run.period_end)}`}
      />
      <Stack>
        {moving && (
          <Alert color="blue" icon={<Loader size={16} />} data-testid="reconciliation-moving">
            {run.status === "queued" ? "Waiting for a worker…" : "Comparing Stripe's charges with our payments…"} This
            page refreshes by itself.
          </Alert>
        )}
        {run.status === "failed" && (
          <Alert
            color="red"
            icon={<IconAlertTriangle size={18} />}
            title="The run failed"
            data-testid="reconciliation-error"
          >
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
              {run.error ?? "No reason was recorded."}
            </Text>
          </Alert>
        )}
        <DetailCard>
          <FieldGrid cols={{ base: 2, sm: 5 }}>
            <Field label="Charges read" testId="reconciliation-gateway-records">
              {run.gateway_records}
            </Field>
            <Field label="Payments checked" testId="reconciliation-payments-checked">
              {run.payments_checked}
            </Field>
            <Field label="Matched" testId="reconciliation-matched">
              {run.matched}
            </Field>
            <Field label="Mismatches" testId="reconciliation-mismatches">
              {run.mismatches}
            </Field>
            <Field label="Resolved" testId="reconciliation-resolved">
              {run.resolved}
            </Field>
            <Field label="Requested">{formatDateTime(run.created_at)}</Field>
            <Field label="Finished">{formatDateTime(run.finished_at)}</Field>
          </FieldGrid>
        </DetailCard>
        <DetailCard title="Findings">
          {run.status === "done" && run.items.length === 0 ? (
            <Group gap="xs" data-testid="reconciliation-clean">
              <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" />
              <Text size="sm">Everything matches: nothing to look at.</Text>
            </Group>
          ) : (
            <ListTable
              rows={run.items}
              columns={ITEM_COLUMNS}
              rowKey={(i) => i.item_id}
              rowData={(i) => ({ "data-testid": "reconciliation-item", "data-kind": i.kind })}
              empty={moving ? "Nothing found yet" : "No findings"}
              testId="reconciliation-items"
              minWidth={900}
            />
          )}
        </DetailCard>
      </Stack>
    </>
  );
}

/** One reconciliation run: its counts and findings, read again every 2 s while a worker does it. */
export function ReconciliationPage() {
  const reconciliationId = Number(useParams().reconciliationId);
  const run = useReconciliation(reconciliationId);
  return (
    <DetailPage
      testId="reconciliation-page"
      breadcrumbs={[{ label: "Reconciliation", to: "/payments/reconciliation" }, { label: `#${reconciliationId}` }]}
      title={`Reconciliation #${reconciliationId}`}
      query={run}
    >
      {(r) => <RunDetails run={r} />}
    </DetailPage>
  );
}
