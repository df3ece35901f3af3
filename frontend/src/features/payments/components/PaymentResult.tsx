import { Alert, Button, Group, Stack, Table, Text } from "@mantine/core";
import { IconCircleCheck } from "@tabler/icons-react";
import { formatMoney } from "@/lib/money";
import type { PaymentDetail } from "../api";
import { PAYMENT_METHOD_LABELS } from "../constants";
import { ReceiptButton } from "./ReceiptButton";

/** What the recorded payment did: the invoices it settled, the credit left, or the service topped up. */
export function PaymentResult({ payment, onClose }: { payment: PaymentDetail; onClose: () => void }) {
  const money = (amount: string) => formatMoney(amount, payment.currency);
  const hasCredit = /[1-9]/.test(payment.credit);
  return (
    <Stack data-testid="payment-result">
      <Alert
        color="teal"
        icon={<IconCircleCheck size={18} />}
        title={payment.gateway === "stripe" ? "Card charged" : "Payment recorded"}
      >
        {money(payment.amount)} by {PAYMENT_METHOD_LABELS[payment.method] ?? payment.method}, receipt{" "}
        <Text span ff="monospace" size="sm" data-testid="payment-result-receipt">
          {payment.receipt_number}
        </Text>
        .
      </Alert>
      {payment.service_id !== null ? (
        <Text size="sm" data-testid="payment-result-topup">
          Added to the balance of service #{payment.service_id}.
        </Text>
      ) : (
        <>
          {payment.allocations.length > 0 ? (
            <Table data-testid="payment-result-allocations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Invoice</Table.Th>
                  <Table.Th ta="right">Paid</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {payment.allocations.map((a) => (
                  <Table.Tr key={a.invoice_id} data-testid="payment-result-allocation">
                    <Table.Td ff="monospace">{a.invoice_number ?? `#${a.invoice_id}`}</Table.Td>
                    <Table.Td ta="right">{money(a.amount)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm">No open invoice to settle.</Text>
          )}
          <Text size="sm" data-testid="payment-result-credit">
            {hasCredit
              ? `${money(payment.credit)} is kept as account credit for the next invoice.`
              : "Nothing is left as account credit."}
          </Text>
        </>
      )}
      <Group justify="flex-end">
        {payment.receipt_number && <ReceiptButton payment={payment} testId="payment-result-download" />}
        <Button onClick={onClose} data-testid="payment-done">
          Done
        </Button>
      </Group>
    </Stack>
  );
}
