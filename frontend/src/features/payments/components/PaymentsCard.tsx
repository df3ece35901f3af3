import { Button, Group, Select, Text } from "@mantine/core";
import { IconArrowBackUp } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { usePermission } from "@/api";
import { DetailCard, ListFooter, ListTable, QueryState, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { formatMoney } from "@/lib/money";
import { usePaymentDetails, usePayments, type Allocation, type Payment, type PaymentStatus } from "../api";
import { canRefund, isPaid, PAYMENT_METHOD_LABELS, PAYMENT_STATUS_LABELS } from "../constants";
import { PaymentStatusCell } from "./Badges";
import { PaymentDestination } from "./PaymentDestination";
import { ReceiptButton } from "./ReceiptButton";
import { RefundModal } from "./RefundModal";

const DEFAULT_PAGE_SIZE = 10;

const STATUSES = Object.entries(PAYMENT_STATUS_LABELS).map(([value, label]) => ({ value, label }));

function columns(
  allocationsOf: (p: Payment) => Allocation[] | undefined,
  onRefund: ((p: Payment) => void) | null,
): Column<Payment>[] {
  const money = { style: { whiteSpace: "nowrap" }, ta: "right" } as const;
  return [
    { header: "Date", cell: (p) => formatDateTime(p.created_at), td: { miw: 110 } },
    {
      header: "Receipt",
      // Only a payment whose money is in has a receipt.
      cell: (p) =>
        p.receipt_number ? (
          <Text size="sm" ff="monospace" data-testid="payment-receipt-number">
            {p.receipt_number}
          </Text>
        ) : (
          <Text size="sm" c="dimmed" data-testid="payment-receipt-number">
            —
          </Text>
        ),
    },
    {
      header: "Method",
      cell: (p) => (
        <Text size="sm" data-testid="payment-row-method">
          {PAYMENT_METHOD_LABELS[p.method] ?? p.method}
          {p.gateway === "stripe" && (
            <Text span size="xs" c="dimmed">
              {" "}
              · Stripe
            </Text>
          )}
        </Text>
      ),
    },
    {
      header: "Amount",
      cell: (p) => (
        <Text size="sm" fw={500} data-testid="payment-amount">
          {formatMoney(p.amount, p.currency)}
        </Text>
      ),
      td: money,
    },
    {
      header: "Refunded",
      cell: (p) => (
        <Text size="sm" c={/[1-9]/.test(p.amount_refunded) ? undefined : "dimmed"} data-testid="payment-refunded">
          {formatMoney(p.amount_refunded, p.currency)}
        </Text>
      ),
      td: money,
    },
    { header: "Status", cell: (p) => <PaymentStatusCell payment={p} /> },
    {
      header: "Applied to",
      cell: (p) =>
        isPaid(p.status) ? (
          <PaymentDestination payment={p} allocations={allocationsOf(p)} />
        ) : (
          <Text size="sm" c="dimmed" data-testid="payment-not-applied">
            {p.status === "failed" ? "Nothing: declined" : "Nothing yet"}
          </Text>
        ),
      td: { miw: 180 },
    },
    {
      header: "",
      cell: (p) => (
        <Group gap={4} wrap="nowrap" justify="flex-end">
          {p.receipt_number && <ReceiptButton payment={p} compact testId="payment-row-receipt" />}
          {onRefund && canRefund(p) && (
            <Button
              size="compact-xs"
              variant="subtle"
              color="red"
              leftSection={<IconArrowBackUp size={14} />}
              onClick={() => onRefund(p)}
              data-testid="payment-refund"
            >
              Refund
            </Button>
          )}
        </Group>
      ),
    },
  ];
}

/**
 * The customer's payments, newest first: where each went, its receipt (once the money is in),
 * why a card payment failed or waits, and refunds (payment.refund) of the ones whose money is in.
 */
export function PaymentsCard({ customerId, extra }: { customerId: number; extra?: ReactNode }) {
  const canRefundPayments = usePermission("payment.refund");
  const [status, setStatus] = useState<PaymentStatus | null>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);
  const payments = usePayments({ customer_id: customerId, status: status ?? undefined, page, page_size: pageSize });
  const [refunding, setRefunding] = useState<Payment | null>(null);

  // A list row does not say which invoices it settled: read the details of this page's
  // payments that went to invoices (a top-up went to a service; a failed or unfinished card
  // payment went nowhere).
  const rows = payments.data?.items ?? [];
  const toInvoices = rows.filter((p) => p.service_id === null && isPaid(p.status)).map((p) => p.payment_id);
  const details = usePaymentDetails(toInvoices);
  const allocationsOf = (p: Payment) => details[toInvoices.indexOf(p.payment_id)]?.data?.allocations;

  return (
    <DetailCard
      title="Payments"
      testId="billing-payments"
      extra={
        <Group gap="xs">
          <Select
            aria-label="Status"
            placeholder="Any status"
            data={STATUSES}
            value={status}
            onChange={(v) => {
              setStatus(v as PaymentStatus | null);
              setPage(1);
            }}
            clearable
            size="xs"
            w={170}
            data-testid="payments-filter-status"
          />
          {extra}
        </Group>
      }
    >
      <QueryState query={payments}>
        {({ items, pagination }) => (
          <>
            <ListTable
              rows={items}
              columns={columns(allocationsOf, canRefundPayments ? setRefunding : null)}
              rowKey={(p) => p.payment_id}
              rowData={(p) => ({ "data-testid": "payment-row", "data-payment-id": p.payment_id })}
              empty={status ? "No payments match" : "No payments yet"}
              testId="payments-table"
              minWidth={900}
              loading={payments.isPlaceholderData}
            />
            <ListFooter
              pagination={pagination}
              pageSize={pageSize}
              noun={pagination.total === 1 ? "payment" : "payments"}
              onPage={setPage}
              onPageSize={(size) => {
                setPageSize(size);
                setPage(1);
              }}
            />
          </>
        )}
      </QueryState>
      <RefundModal payment={refunding} onClose={() => setRefunding(null)} />
    </DetailCard>
  );
}
