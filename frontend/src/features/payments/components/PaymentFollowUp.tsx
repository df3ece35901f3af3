import { Alert, Button, Group, Loader, Progress, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconClockPause, IconHelpCircle, IconShieldLock } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { formatMoney } from "@/lib/money";
import { POLL_FOR_MS, usePaymentPoll, type PaymentDetail } from "../api";
import { isPaid } from "../constants";
import { PaymentResult } from "./PaymentResult";

/**
 * Where 3-D Secure stands for a payment the customer is authenticating here: Stripe.js's
 * challenge is open, or it closed and the payment is being read again (`since`) until Stripe
 * has settled it. `stripeError` is what Stripe.js said when the authentication did not pass.
 */
export type Authentication =
  { state: "authenticating" } | { state: "polling"; since: number; stripeError: string | null };

/** The payment's reference for the staff: its id until it has a receipt. */
const ref = (payment: PaymentDetail) => `payment #${payment.payment_id}`;

function Outcome({ children, onClose }: { children: ReactNode; onClose: () => void }) {
  return (
    <Stack data-testid="payment-outcome">
      {children}
      <Group justify="flex-end">
        <Button onClick={onClose} data-testid="payment-done">
          Done
        </Button>
      </Group>
    </Stack>
  );
}

/** Declined: nothing was taken; the attempt is kept as a failed payment. */
export function DeclinedNotice({
  message,
  code,
  paymentId,
  testId = "payment-declined",
}: {
  message: string | null;
  code: string | null;
  paymentId: number | null;
  testId?: string;
}) {
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} title="The card was declined" data-testid={testId}>
      <Text size="sm">{message || "The bank refused the charge."}</Text>
      {code && (
        <Text size="sm" mt={4}>
          Decline code:{" "}
          <Text span ff="monospace" size="sm" data-testid="payment-decline-code">
            {code}
          </Text>
        </Text>
      )}
      <Text size="sm" mt={4} c="dimmed">
        Nothing was taken{paymentId !== null ? ` (the attempt is kept as failed payment #${paymentId})` : ""}.
      </Text>
    </Alert>
  );
}

interface PaymentFollowUpProps {
  /** The payment as the API answered it (202), then as it is read again. */
  payment: PaymentDetail;
  /** Null when the customer is not authenticating here (no client secret, no Stripe.js). */
  authentication: Authentication | null;
  onClose: () => void;
}

/**
 * A card payment that was not finished when the API answered: the customer authenticating it
 * (3-D Secure) then the payment read every 2 s until Stripe settles it, or why it waits.
 */
export function PaymentFollowUp({ payment: answered, authentication, onClose }: PaymentFollowUpProps) {
  const since = authentication?.state === "polling" ? authentication.since : null;
  const poll = usePaymentPoll(answered.payment_id, since);
  const payment = poll.data ?? answered;
  const money = formatMoney(payment.amount, payment.currency);
  const stripeError = authentication?.state === "polling" ? authentication.stripeError : null;
  const authError = stripeError && (
    <Alert color="orange" icon={<IconAlertTriangle size={18} />} data-testid="payment-auth-error">
      {stripeError}
    </Alert>
  );

  if (isPaid(payment.status)) return <PaymentResult payment={payment} onClose={onClose} />;

  if (payment.status === "failed") {
    return (
      <Outcome onClose={onClose}>
        {authError}
        <DeclinedNotice message={payment.failure_message} code={payment.failure_code} paymentId={payment.payment_id} />
      </Outcome>
    );
  }

  if (payment.status === "unknown") {
    return (
      <Outcome onClose={onClose}>
        <Alert
          color="yellow"
          icon={<IconHelpCircle size={18} />}
          title="Stripe did not answer"
          data-testid="payment-unknown"
        >
          <Text size="sm">
            It is not known whether the card was charged {money} ({ref(payment)}). Reconciliation will settle it from
            Stripe's records — do not charge the card again.
          </Text>
        </Alert>
      </Outcome>
    );
  }

  // requires_action or pending: the customer is authenticating, the payment is being read
  // again, or it waits.
  if (authentication?.state === "authenticating") {
    return (
      <Stack data-testid="payment-authenticating">
        <Group gap="sm" wrap="nowrap">
          <Loader size="sm" />
          <Text size="sm">
            The customer's bank asks them to confirm this payment of {money} (3-D Secure). Let them complete the check
            in the window Stripe opened.
          </Text>
        </Group>
      </Stack>
    );
  }

  if (since !== null) {
    // dataUpdatedAt (errorUpdatedAt when a read failed) is when the payment was last read.
    const followed = Math.max(0, Math.max(poll.dataUpdatedAt, poll.errorUpdatedAt) - since);
    if (followed < POLL_FOR_MS) {
      return (
        <Stack data-testid="payment-polling">
          {authError}
          <Group gap="sm" wrap="nowrap">
            <Loader size="sm" />
            <Text size="sm">Waiting for Stripe to confirm the payment of {money}…</Text>
          </Group>
          <Progress
            value={Math.min(100, (followed / POLL_FOR_MS) * 100)}
            striped
            animated
            aria-label="Waiting for Stripe"
            data-testid="payment-poll-progress"
          />
          <Text size="xs" c="dimmed">
            Checked for {Math.round(followed / 1000)} s of {POLL_FOR_MS / 1000} s at most.
          </Text>
        </Stack>
      );
    }
    return (
      <Outcome onClose={onClose}>
        {authError}
        <Alert
          color="yellow"
          icon={<IconClockPause size={18} />}
          title="Not confirmed yet"
          data-testid="payment-still-waiting"
        >
          <Text size="sm">
            Stripe has not confirmed the payment of {money} ({ref(payment)}) yet. It is applied as soon as Stripe does;
            see the customer's payments — do not charge the card again.
          </Text>
        </Alert>
      </Outcome>
    );
  }

  return (
    <Outcome onClose={onClose}>
      {payment.status === "requires_action" ? (
        <Alert
          color="yellow"
          icon={<IconShieldLock size={18} />}
          title="The bank asks the customer to authenticate"
          data-testid="payment-requires-action"
        >
          <Text size="sm">
            The customer's bank wants them to confirm this payment of {money} (3-D Secure). Nothing has been taken: the
            payment ({ref(payment)}) waits until they authenticate.
          </Text>
        </Alert>
      ) : (
        <Alert color="yellow" icon={<IconClockPause size={18} />} title="Pending" data-testid="payment-pending">
          <Text size="sm">
            Stripe has not finished the payment of {money} ({ref(payment)}). It is applied as soon as Stripe confirms it
            — do not charge the card again.
          </Text>
        </Alert>
      )}
    </Outcome>
  );
}
