import { Button, Text } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { ListPage, ListTable, RowLink, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useListParams } from "@/lib/listParams";
import { notifySuccess } from "@/lib/notify";
import { useReconciliations, type Reconciliation } from "../api";
import { ReconciliationStatusBadge } from "./Badges";
import { NewReconciliationModal } from "./NewReconciliationModal";

const FILTERS = [] as const;

const count = { ta: "right" } as const;

const COLUMNS: Column<Reconciliation>[] = [
  {
    header: "Run",
    cell: (r) => <RowLink to={`/payments/reconciliation/${r.reconciliation_id}`}>#{r.reconciliation_id}</RowLink>,
  },
  {
    header: "Period",
    cell: (r) => (
      <Text size="sm" data-testid="reconciliation-period">
        {formatDateTime(r.period_start)} – {formatDateTime(r.period_end)}
      </Text>
    ),
    td: { miw: 200 },
  },
  { header: "Status", cell: (r) => <ReconciliationStatusBadge status={r.status} testId="reconciliation-status" /> },
  { header: "Charges read", cell: (r) => r.gateway_records, td: count },
  { header: "Payments checked", cell: (r) => r.payments_checked, td: count },
  { header: "Matched", cell: (r) => r.matched, td: count },
  {
    header: "Mismatches",
    cell: (r) => (
      <Text size="sm" c={r.mismatches > 0 ? "red" : undefined} fw={r.mismatches > 0 ? 600 : undefined}>
        {r.mismatches}
      </Text>
    ),
    td: count,
  },
  { header: "Resolved", cell: (r) => r.resolved, td: count },
  { header: "Requested", cell: (r) => formatDateTime(r.created_at) },
  { header: "Finished", cell: (r) => formatDateTime(r.finished_at) },
];

/** Reconciliation runs, newest first, and a form to start one (payment.reconcile). */
export function ReconciliationsPage() {
  const list = useListParams(FILTERS);
  const runs = useReconciliations({ page: list.paging.page, page_size: list.paging.page_size });
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();

  return (
    <>
      <ListPage
        title="Reconciliation"
        description="Stripe's charges in a period compared with our card payments: open payments settled from Stripe's records, and what does not match."
        actions={
          <Button
            leftSection={<IconPlayerPlay size={16} />}
            onClick={() => setOpen(true)}
            data-testid="reconciliation-new"
          >
            Run reconciliation
          </Button>
        }
        query={runs}
        list={list}
        noun="runs"
      >
        {(rows, loading) => (
          <ListTable
            rows={rows}
            columns={COLUMNS}
            rowKey={(r) => r.reconciliation_id}
            href={(r) => `/payments/reconciliation/${r.reconciliation_id}`}
            rowData={(r) => ({
              "data-testid": "reconciliation-row",
              "data-reconciliation-id": r.reconciliation_id,
              "data-status": r.status,
            })}
            empty="No reconciliation runs yet"
            testId="reconciliations-table"
            minWidth={1000}
            loading={loading}
          />
        )}
      </ListPage>
      <NewReconciliationModal
        opened={open}
        onClose={() => setOpen(false)}
        onStarted={(run) => {
          setOpen(false);
          notifySuccess(`Reconciliation #${run.reconciliation_id} queued.`);
          void navigate(`/payments/reconciliation/${run.reconciliation_id}`);
        }}
      />
    </>
  );
}
