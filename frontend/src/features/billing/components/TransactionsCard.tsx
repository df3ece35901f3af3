import { Anchor, Badge, Button, Group, Select, Text } from "@mantine/core";
import { IconBan } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { usePermission } from "@/api";
import { DetailCard, ListFooter, ListTable, QueryState, ReasonModal, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { formatMoney, formatPercent } from "@/lib/money";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useTransactions, useVoidTransaction, type Transaction, type TransactionKind } from "../api";
import { TRANSACTION_KIND_LABELS, TRANSACTION_KINDS } from "../constants";
import { TransactionKindBadge } from "./Badges";
import { formatPeriod } from "./InvoiceBody";

const DEFAULT_PAGE_SIZE = 10;

/** Only a live transaction that no invoice carries yet can be voided (else 409 transaction_locked). */
export const canVoidTransaction = (t: Pick<Transaction, "void" | "invoice_id">) => !t.void && t.invoice_id === null;

function InvoiceCell({ t }: { t: Transaction }) {
  if (t.invoice_id !== null) {
    return (
      <Anchor component={Link} to={`/invoices/${t.invoice_id}`} size="sm" ff="monospace">
        {t.invoice_number ?? `Draft #${t.invoice_id}`}
      </Anchor>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      {t.paid_from_balance ? "Paid from balance" : "Not yet"}
    </Text>
  );
}

function columns(onVoid: ((t: Transaction) => void) | null): Column<Transaction>[] {
  const cols: Column<Transaction>[] = [
    { header: "Date", cell: (t) => formatDateTime(t.created_at), td: { miw: 110 } },
    { header: "Kind", cell: (t) => <TransactionKindBadge kind={t.kind} /> },
    {
      header: "Description",
      td: { miw: 180 },
      cell: (t) => (
        <>
          <Text size="sm" td={t.void ? "line-through" : undefined}>
            {t.description}
          </Text>
          {t.service_id !== null && (
            <Anchor component={Link} to={`/services/${t.service_id}`} size="xs">
              {t.service_name ?? `Service #${t.service_id}`}
            </Anchor>
          )}
          {t.void && (
            <Text size="xs" c="red" data-testid="transaction-void-reason">
              Void: {t.void_reason ?? "no reason"}
            </Text>
          )}
        </>
      ),
    },
    {
      header: "Period",
      cell: (t) => formatPeriod(t.period_start, t.period_end),
      td: { style: { whiteSpace: "nowrap" } },
    },
    {
      header: "Net",
      cell: (t) => formatMoney(t.amount, t.currency),
      td: { style: { whiteSpace: "nowrap" }, ta: "right" },
    },
    {
      header: "Tax",
      cell: (t) => (
        <>
          {formatMoney(t.tax_amount, t.currency)}
          <Text size="xs" c="dimmed">
            {formatPercent(t.tax_percentage)}
          </Text>
        </>
      ),
      td: { style: { whiteSpace: "nowrap" }, ta: "right" },
    },
    {
      header: "Total",
      cell: (t) => (
        <Text size="sm" fw={500} data-testid="transaction-total">
          {formatMoney(t.total, t.currency)}
        </Text>
      ),
      td: { style: { whiteSpace: "nowrap" }, ta: "right" },
    },
    {
      header: "Invoice",
      cell: (t) =>
        t.void ? (
          <Badge color="dark" variant="light">
            Void
          </Badge>
        ) : (
          <InvoiceCell t={t} />
        ),
    },
  ];
  if (onVoid) {
    cols.push({
      header: "",
      cell: (t) =>
        canVoidTransaction(t) ? (
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            leftSection={<IconBan size={14} />}
            onClick={() => onVoid(t)}
            data-testid="transaction-void"
          >
            Void
          </Button>
        ) : null,
    });
  }
  return cols;
}

const INVOICED = [
  { value: "false", label: "Not invoiced" },
  { value: "true", label: "Invoiced" },
];

/** The customer's transactions, newest first, filtered by kind and invoiced or not; void the uninvoiced. */
export function TransactionsCard({ customerId, extra }: { customerId: number; extra?: ReactNode }) {
  const canWrite = usePermission("transaction.write");
  const [kind, setKind] = useState<TransactionKind | null>(null);
  const [invoiced, setInvoiced] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);
  const transactions = useTransactions({
    customer_id: customerId,
    kind: kind ?? undefined,
    invoiced: invoiced === null ? undefined : invoiced === "true",
    page,
    page_size: pageSize,
  });

  const voiding = useVoidTransaction();
  const [target, setTarget] = useState<Transaction | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const openVoid = (t: Transaction) => {
    setFailure(null);
    setTarget(t);
  };
  const submitVoid = (reason: string) => {
    if (!target) return;
    setFailure(null);
    voiding.mutate(
      { transactionId: target.transaction_id, reason },
      {
        onSuccess: (t) => {
          notifySuccess(`Transaction #${t.transaction_id} is void: it will not be invoiced.`);
          setTarget(null);
        },
        // 409 transaction_locked (invoiced or void meanwhile) reads as the API says it.
        onError: (error) => setFailure(errorMessage(error)),
      },
    );
  };

  return (
    <DetailCard
      title="Transactions"
      testId="billing-transactions"
      extra={
        <Group gap="xs">
          <Select
            aria-label="Kind"
            placeholder="Any kind"
            data={TRANSACTION_KINDS.map((value) => ({ value, label: TRANSACTION_KIND_LABELS[value] }))}
            value={kind}
            onChange={(v) => {
              setKind(v as TransactionKind | null);
              setPage(1);
            }}
            clearable
            size="xs"
            w={130}
            data-testid="transactions-filter-kind"
          />
          <Select
            aria-label="Invoiced"
            placeholder="Invoiced or not"
            data={INVOICED}
            value={invoiced}
            onChange={(v) => {
              setInvoiced(v);
              setPage(1);
            }}
            clearable
            size="xs"
            w={150}
            data-testid="transactions-filter-invoiced"
          />
          {extra}
        </Group>
      }
    >
      <QueryState query={transactions}>
        {({ items, pagination }) => (
          <>
            <ListTable
              rows={items}
              columns={columns(canWrite ? openVoid : null)}
              rowKey={(t) => t.transaction_id}
              rowData={(t) => ({
                "data-testid": "transaction-row",
                "data-transaction-id": t.transaction_id,
                "data-void": String(t.void),
              })}
              empty={kind || invoiced ? "No transactions match" : "No transactions yet"}
              testId="transactions-table"
              minWidth={900}
              loading={transactions.isPlaceholderData}
            />
            <ListFooter
              pagination={pagination}
              pageSize={pageSize}
              noun={pagination.total === 1 ? "transaction" : "transactions"}
              onPage={setPage}
              onPageSize={(size) => {
                setPageSize(size);
                setPage(1);
              }}
            />
          </>
        )}
      </QueryState>
      <ReasonModal
        title={target ? `Void transaction #${target.transaction_id}` : null}
        confirmLabel="Void"
        danger
        description="A void transaction stays on record but is never invoiced."
        pending={voiding.isPending}
        error={failure}
        onSubmit={submitVoid}
        onClose={() => setTarget(null)}
      />
    </DetailCard>
  );
}
