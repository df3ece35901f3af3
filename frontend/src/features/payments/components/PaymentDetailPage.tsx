import { Anchor, Button, Group, Stack, Table, Text } from "@mantine/core";
import { IconArrowBackUp } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { usePermission } from "@/api";
import { DetailCard, DetailPage, Field, FieldGrid, PageHeader } from "@/components";
import { formatDateTime, orDash } from "@/lib/format";
import { formatMoney } from "@/lib/money";
import { usePayment, type PaymentDetail } from "../api";
import { canRefund, isPaid, PAYMENT_METHOD_LABELS } from "../constants";
import { PaymentStatusBadge } from "./Badges";
import { PaymentDestination } from "./PaymentDestination";
import { ReceiptButton } from "./ReceiptButton";
import { RefundModal } from "./RefundModal";

function PaymentDetails({ payment }: { payment: PaymentDetail }) {
  const canRefundPayments = usePermission("payment.refund");
  const [refunding, setRefunding] = useState(false);
  const money = (amount: string) => formatMoney(amount, payment.currency);
  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            Payment #{payment.payment_id}
            <PaymentStatusBadge status={payment.status} testId="payment-status" />
          </Group>
        }
        description={`${money(payment.amount)} by ${PAYMENT_METHOD_LABELS[payment.method] ?? payment.method}${
          payment.gateway === "stripe" ? " through Stripe" : ""
        }`}
        actions={
          <>
            {payment.receipt_number && <ReceiptButton payment={payment} testId="payment-page-receipt" />}
            {canRefundPayments && canRefund(payment) && (
              <Button
                variant="default"
                color="red"
                leftSection={<IconArrowBackUp size={16} />}
                onClick={() => setRefunding(true)}
                data-testid="payment-page-refund"
              >
                Refund
              </Button>
            )}
          </>
        }
      />
      <Stack>
        <DetailCard>
          <FieldGrid cols={{ base: 1, sm: 3 }}>
            <Field label="Customer">
              <Anchor
                component={Link}
                to={`/customers/${payment.customer_id}?tab=billing`}
                data-testid="payment-customer"
              >
                {payment.customer_name ?? `Customer #${payment.customer_id}`}
              </Anchor>
            </Field>
            <Field label="Amount" testId="payment-page-amount">
              {money(payment.amount)}
            </Field>
            <Field label="Refunded">{money(payment.amount_refunded)}</Field>
            <Field label="Receipt" testId="payment-page-receipt-number">
              {payment.receipt_number ?? "None: the money is not in"}
            </Field>
            <Field label="Gateway">{payment.gateway === "stripe" ? "Stripe" : "Recorded by hand"}</Field>
            <Field label="Gateway reference">
              <Text span ff="monospace" size="sm">
                {orDash(payment.gateway_reference)}
              </Text>
            </Field>
            {payment.payment_method_id !== null && <Field label="Saved card">#{payment.payment_method_id}</Field>}
            {(payment.failure_code || payment.failure_message) && (
              <Field label="Why" testId="payment-page-failure">
                {payment.failure_message ?? ""}
                {payment.failure_code && (
                  <Text span ff="monospace" size="sm">
                    {" "}
                    ({payment.failure_code})
                  </Text>
                )}
              </Field>
            )}
            <Field label="Recorded">
              {formatDateTime(payment.created_at)}
              {payment.created_by_user_id !== null
                ? ` · by ${payment.created_by_user_name ?? `user #${payment.created_by_user_id}`}`
                : ""}
            </Field>
            {payment.note && <Field label="Note">{payment.note}</Field>}
          </FieldGrid>
        </DetailCard>
        <DetailCard title="Applied to">
          {isPaid(payment.status) ? (
            <PaymentDestination payment={payment} allocations={payment.allocations} />
          ) : (
            <Text size="sm" c="dimmed" data-testid="payment-not-applied">
              Nothing: a payment is applied once its money is in.
            </Text>
          )}
        </DetailCard>
        {payment.refunds.length > 0 && (
          <DetailCard title="Refunds">
            <Table data-testid="payment-refunds">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Date</Table.Th>
                  <Table.Th ta="right">Amount</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th>Gateway reference</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {payment.refunds.map((r) => (
                  <Table.Tr key={r.refund_id} data-testid="payment-refund-row">
                    <Table.Td>{formatDateTime(r.created_at)}</Table.Td>
                    <Table.Td ta="right">{money(r.amount)}</Table.Td>
                    <Table.Td>{r.reason}</Table.Td>
                    <Table.Td ff="monospace">{orDash(r.gateway_reference)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </DetailCard>
        )}
      </Stack>
      <RefundModal payment={refunding ? payment : null} onClose={() => setRefunding(false)} />
    </>
  );
}

/** One payment: its status and why, where its money went, its refunds, the receipt. */
export function PaymentDetailPage() {
  const paymentId = Number(useParams().paymentId);
  const payment = usePayment(paymentId);
  const customerId = payment.data?.customer_id;
  return (
    <DetailPage
      testId="payment-page"
      breadcrumbs={[
        { label: "Customers", to: "/customers" },
        ...(customerId ? [{ label: `Customer #${customerId}`, to: `/customers/${customerId}?tab=billing` }] : []),
        { label: `Payment #${paymentId}` },
      ]}
      title={`Payment #${paymentId}`}
      query={payment}
    >
      {(p) => <PaymentDetails payment={p} />}
    </DetailPage>
  );
}
