import { Button, Card, Group, Stack, Text } from "@mantine/core";
import { IconCash } from "@tabler/icons-react";
import { useState } from "react";
import { usePermission } from "@/api";
import { ListTable, PageHeader, QueryState, RowLink, type Column } from "@/components";
import { formatDate, formatDateTime } from "@/lib/format";
import { formatMoney } from "@/lib/money";
import { useDunning, type DunningEntry } from "../api";
import { daysOverdue } from "../constants";
import { DunningActionBadge } from "./Badges";
import { RecordPaymentModal } from "./RecordPaymentModal";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

const COLUMNS: Column<DunningEntry>[] = [
  {
    header: "Customer",
    cell: (r) => <RowLink to={`/customers/${r.customer_id}`}>{r.customer_name || `#${r.customer_id}`}</RowLink>,
  },
  { header: "Overdue", cell: (r) => formatMoney(r.overdue), td: { ta: "right", style: { whiteSpace: "nowrap" } } },
  {
    header: "Oldest due",
    cell: (r) =>
      r.oldest_due_date ? (
        <Stack gap={0}>
          <Text size="sm">{formatDate(r.oldest_due_date)}</Text>
          <Text size="xs" c="red" data-testid="dunning-days">
            {plural(daysOverdue(r.oldest_due_date), "day")} overdue
          </Text>
        </Stack>
      ) : (
        "—"
      ),
  },
  { header: "Invoices", cell: (r) => r.invoices ?? 0, td: { ta: "right" } },
  {
    header: "Last step",
    cell: (r) =>
      r.last_action ? (
        <Stack gap={2} align="flex-start">
          <DunningActionBadge action={r.last_action} />
          <Text size="xs" c="dimmed">
            {formatDateTime(r.last_action_at)}
          </Text>
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          None yet
        </Text>
      ),
  },
  {
    header: "Suspended services",
    cell: (r) =>
      r.suspended_service_ids?.length ? (
        <Group gap={6}>
          {r.suspended_service_ids.map((id) => (
            <RowLink key={id} to={`/services/${id}`} size="sm">
              #{id}
            </RowLink>
          ))}
        </Group>
      ) : (
        "—"
      ),
  },
];

/** The dunning queue: who owes overdue money, oldest first, what was done about it, and taking a payment. */
export function DunningPage() {
  useDocumentTitle("Dunning");
  const dunning = useDunning();
  const canPay = usePermission("payment.write");
  const [payFor, setPayFor] = useState<DunningEntry | null>(null);

  const columns: Column<DunningEntry>[] = canPay
    ? [
        ...COLUMNS,
        {
          header: "",
          cell: (r) => (
            <Button
              size="xs"
              variant="light"
              leftSection={<IconCash size={14} />}
              onClick={() => setPayFor(r)}
              data-testid="dunning-pay"
            >
              Record payment
            </Button>
          ),
          td: { ta: "right" },
        },
      ]
    : COLUMNS;

  return (
    <>
      <PageHeader
        title="Dunning"
        description="Customers with overdue invoices, oldest first: the last reminder or suspension sent and the services it holds."
      />
      <Card withBorder radius="md" padding="md">
        <QueryState query={dunning}>
          {(rows) => (
            <ListTable
              rows={rows}
              columns={columns}
              rowKey={(r) => r.customer_id ?? 0}
              rowData={(r) => ({ "data-testid": "dunning-row", "data-customer-id": r.customer_id ?? 0 })}
              empty="Nobody is overdue"
              testId="dunning-table"
            />
          )}
        </QueryState>
      </Card>
      {/* The queue does not carry the customer's currency: the dialog then shows none beside the amount. */}
      <RecordPaymentModal
        opened={payFor !== null}
        onClose={() => setPayFor(null)}
        customerId={payFor?.customer_id ?? 0}
        currency={null}
      />
    </>
  );
}
