import { Anchor, Stack } from "@mantine/core";
import { Link, useParams } from "react-router";
import { DetailCard, DetailPage, Field, FieldGrid, PageHeader } from "@/components";
import { formatDate, formatDateTime } from "@/lib/format";
import type { BillingRun } from "../api";
import { useLiveBillingRun } from "../socket";
import { RunProgress } from "./RunProgress";

function RunDetails({ run, live }: { run: BillingRun; live: boolean }) {
  return (
    <>
      <PageHeader
        title={`Billing run #${run.billing_run_id}`}
        description={run.customer_id === null ? "Every customer" : `One customer (#${run.customer_id})`}
      />
      <Stack>
        <DetailCard>
          <RunProgress run={run} live={live} />
        </DetailCard>
        <DetailCard>
          <FieldGrid cols={{ base: 2, sm: 4 }}>
            <Field label="Customers">
              {run.customer_id === null ? (
                "All"
              ) : (
                <Anchor component={Link} to={`/customers/${run.customer_id}`}>
                  #{run.customer_id}
                </Anchor>
              )}
            </Field>
            <Field label="Bills up to">{formatDate(run.period_end)}</Field>
            <Field label="Transactions created" testId="run-transactions">
              {run.transactions_created}
            </Field>
            <Field label="Invoices created" testId="run-invoices">
              {run.invoices_created}
            </Field>
            <Field label="Requested">
              {formatDateTime(run.created_at)}
              {run.requested_by_user_id !== null ? ` · user #${run.requested_by_user_id}` : " · scheduler"}
            </Field>
            <Field label="Started">{formatDateTime(run.started_at)}</Field>
            <Field label="Finished">{formatDateTime(run.finished_at)}</Field>
          </FieldGrid>
        </DetailCard>
      </Stack>
    </>
  );
}

/** One run: its live progress bar, then what it wrote and a link to its invoices. */
export function BillingRunPage() {
  const runId = Number(useParams().runId);
  const { query, live } = useLiveBillingRun(runId);
  return (
    <DetailPage
      testId="billing-run-page"
      breadcrumbs={[{ label: "Billing runs", to: "/billing/runs" }, { label: `#${runId}` }]}
      title={`Billing run #${runId}`}
      query={query}
    >
      {(r) => <RunDetails run={r} live={live} />}
    </DetailPage>
  );
}
