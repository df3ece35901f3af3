import { Anchor, Group, Loader, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import { formatMoney } from "@/lib/money";
import type { Allocation, Payment } from "../api";

const isZero = (amount: string) => !/[1-9]/.test(amount);

interface PaymentDestinationProps {
  payment: Pick<Payment, "service_id" | "credit" | "currency">;
  /** The invoices it settled (from the payment's detail); undefined while they load. */
  allocations: Allocation[] | undefined;
}

/**
 * Where a payment went: a service's balance (a top-up), or the invoices it settled and what
 * was left as account credit.
 */
export function PaymentDestination({ payment, allocations }: PaymentDestinationProps) {
  if (payment.service_id !== null) {
    return (
      <Text size="sm" data-testid="payment-topup">
        Top-up of{" "}
        <Anchor component={Link} to={`/services/${payment.service_id}`} size="sm">
          service #{payment.service_id}
        </Anchor>
      </Text>
    );
  }
  if (allocations === undefined) return <Loader size="xs" />;
  const paid = allocations.filter((a) => !isZero(a.amount));
  const hasCredit = !isZero(payment.credit);
  if (!paid.length && !hasCredit) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      {paid.map((a) => (
        <Group key={a.invoice_id} gap={6} wrap="nowrap" data-testid="payment-allocation">
          <Anchor component={Link} to={`/invoices/${a.invoice_id}`} size="sm" ff="monospace">
            {a.invoice_number ?? `#${a.invoice_id}`}
          </Anchor>
          <Text size="sm">{formatMoney(a.amount, payment.currency)}</Text>
        </Group>
      ))}
      {hasCredit && (
        <Text size="sm" data-testid="payment-credit">
          Credit {formatMoney(payment.credit, payment.currency)}
        </Text>
      )}
    </Stack>
  );
}
