import { Button, Select, Text } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { usePermission } from "@/api";
import { ListPage, ListTable, RowLink, type Column } from "@/components";
import { formatDate, formatDateTime } from "@/lib/format";
import { useListParams } from "@/lib/listParams";
import { notifySuccess } from "@/lib/notify";
import { useBillingRuns, type BillingRun, type RunStatus } from "../api";
import { RUN_STATUS_LABELS, RUN_STATUSES } from "../constants";
import { RunStatusBadge } from "./Badges";
import { NewRunModal } from "./NewRunModal";
import { runPercent } from "./RunProgress";

const FILTERS = ["status"] as const;

const COLUMNS: Column<BillingRun>[] = [
  {
    header: "Run",
    cell: (r) => <RowLink to={`/billing/runs/${r.billing_run_id}`}>#{r.billing_run_id}</RowLink>,
  },
  { header: "Status", cell: (r) => <RunStatusBadge status={r.status} /> },
  {
    header: "Customers",
    cell: (r) =>
      r.customer_id === null ? (
        <Text size="sm">All</Text>
      ) : (
        <RowLink to={`/customers/${r.customer_id}`}>#{r.customer_id}</RowLink>
      ),
  },
  { header: "Up to", cell: (r) => formatDate(r.period_end) },
  {
    header: "Progress",
    cell: (r) => `${r.processed}/${r.total} (${runPercent(r)}%)`,
    td: { style: { whiteSpace: "nowrap" } },
  },
  { header: "Transactions", cell: (r) => r.transactions_created, td: { ta: "right" } },
  { header: "Invoices", cell: (r) => r.invoices_created, td: { ta: "right" } },
  { header: "Requested", cell: (r) => formatDateTime(r.created_at) },
  { header: "Finished", cell: (r) => formatDateTime(r.finished_at) },
];

/** Billing runs, newest first, and a form to start one. */
export function BillingRunsPage() {
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  const canRun = usePermission("invoice.write");
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const status = (RUN_STATUSES as readonly string[]).includes(params.status) ? (params.status as RunStatus) : undefined;
  const runs = useBillingRuns({ status, page: list.paging.page, page_size: list.paging.page_size });

  return (
    <>
      <ListPage
        title="Billing runs"
        description="Each run bills customers' services and usage up to a day and issues their invoices."
        actions={
          canRun && (
            <Button leftSection={<IconPlayerPlay size={16} />} onClick={() => setOpen(true)} data-testid="run-new">
              New run
            </Button>
          )
        }
        query={runs}
        list={list}
        noun="runs"
        filters={
          <Select
            placeholder="Status"
            aria-label="Status"
            data={RUN_STATUSES.map((value) => ({ value, label: RUN_STATUS_LABELS[value] }))}
            value={params.status || null}
            onChange={(value) => setParams({ status: value })}
            clearable
            w={150}
            data-testid="run-filter-status"
          />
        }
      >
        {(rows, loading) => (
          <ListTable
            rows={rows}
            columns={COLUMNS}
            rowKey={(r) => r.billing_run_id}
            href={(r) => `/billing/runs/${r.billing_run_id}`}
            rowData={(r) => ({ "data-testid": "run-row", "data-run-id": r.billing_run_id, "data-status": r.status })}
            empty={status ? "No runs match" : "No billing runs yet"}
            testId="runs-table"
            loading={loading}
          />
        )}
      </ListPage>
      <NewRunModal
        opened={open}
        onClose={() => setOpen(false)}
        onStarted={(run) => {
          setOpen(false);
          notifySuccess(`Billing run #${run.billing_run_id} queued.`);
          void navigate(`/billing/runs/${run.billing_run_id}`);
        }}
      />
    </>
  );
}
