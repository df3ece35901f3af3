import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { isApiError } from "@/api";
import { amountProblem, normalizeAmount } from "@/features/billing";
import { formatMoney } from "@/lib/money";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useRefundPayment, type Payment } from "../api";
import { exceeds, refundable } from "../constants";

const MAX_REASON = 500;

const schema = z.object({
  amount: z.string().superRefine((value, ctx) => {
    const problem = amountProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  reason: z.string().trim().min(1, "A reason is required").max(MAX_REASON, `At most ${MAX_REASON} characters`),
});
type Values = z.infer<typeof schema>;

type Refundable = Pick<
  Payment,
  "payment_id" | "receipt_number" | "amount" | "amount_refunded" | "currency" | "service_id"
>;

interface FormProps {
  payment: Refundable;
  onDone: () => void;
  onCancel: () => void;
}

function RefundForm({ payment, onDone, onCancel }: FormProps) {
  const refund = useRefundPayment();
  // What is left to refund: from the payment as listed, then as the API says on a 409.
  const [left, setLeft] = useState(() => refundable(payment));
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { amount: formatMoney(left), reason: "" },
    validate: zod4Resolver(schema),
  });

  const submit = form.onSubmit((values) => {
    setFailure(null);
    const amount = normalizeAmount(values.amount);
    if (exceeds(amount, left)) {
      form.setFieldError("amount", `At most ${formatMoney(left, payment.currency)} is left to refund`);
      return;
    }
    refund.mutate(
      { paymentId: payment.payment_id, body: { amount, reason: values.reason.trim() } },
      {
        onSuccess: (refunded) => {
          notifySuccess(`Refunded ${formatMoney(amount, refunded.currency)} of receipt ${refunded.receipt_number}.`);
          onDone();
        },
        onError: (error) => {
          // 409 refund_exceeds_payment (refunded meanwhile: the API says what is left) or
          // insufficient_balance (a top-up already spent) read as the API says them.
          if (isApiError(error, "refund_exceeds_payment") && typeof error.body.refundable === "string") {
            setLeft(error.body.refundable);
          }
          const fields = isApiError(error)
            ? Object.entries(error.fieldErrors).filter(([field]) => field === "amount" || field === "reason")
            : [];
          if (fields.length) form.setErrors(Object.fromEntries(fields));
          else setFailure(errorMessage(error));
        },
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate data-testid="refund-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="refund-error">
            {failure}
          </Alert>
        )}
        <Text size="sm" c="dimmed" data-testid="refund-left">
          {formatMoney(left, payment.currency)} of {formatMoney(payment.amount, payment.currency)} is left to refund.{" "}
          {payment.service_id !== null
            ? "It is taken back from the service's balance."
            : "The invoices it settled are due again (newest first), then its account credit is taken back."}
        </Text>
        <TextInput
          label="Amount"
          required
          inputMode="decimal"
          autoComplete="off"
          rightSection={payment.currency ? <Text size="xs">{payment.currency}</Text> : undefined}
          rightSectionWidth={48}
          data-testid="refund-amount"
          {...form.getInputProps("amount")}
        />
        <Textarea
          label="Reason"
          required
          autosize
          minRows={2}
          maxLength={MAX_REASON}
          data-autofocus
          data-testid="refund-reason"
          {...form.getInputProps("reason")}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" color="red" loading={refund.isPending} data-testid="refund-submit">
            Refund
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface RefundModalProps {
  /** The payment to refund; the dialog is open while it is set. */
  payment: Refundable | null;
  onClose: () => void;
}

/** Refund all or part of a payment, with a reason; the amount starts at what is left. */
export function RefundModal({ payment, onClose }: RefundModalProps) {
  return (
    <Modal
      opened={payment !== null}
      onClose={onClose}
      title={payment ? `Refund receipt ${payment.receipt_number ?? `#${payment.payment_id}`}` : ""}
    >
      {payment && <RefundForm payment={payment} onDone={onClose} onCancel={onClose} />}
    </Modal>
  );
}
