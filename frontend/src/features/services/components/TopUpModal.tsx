import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { isApiError } from "@/api";
import { nullIfBlank } from "@/lib/forms";
import { formatMoney } from "@/lib/money";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { newIdempotencyKey, useTopUp, type Movement } from "../api";
import { normalizeAmount, topUpAmountProblem } from "../charging";

const MAX_NOTE = 200;

const schema = z.object({
  amount: z.string().superRefine((value, ctx) => {
    const problem = topUpAmountProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  note: z.string().max(MAX_NOTE, `At most ${MAX_NOTE} characters`),
});
type Values = z.infer<typeof schema>;

interface TopUpFormProps {
  serviceId: number;
  currency: string | null;
  onDone: (movement: Movement) => void;
  onCancel: () => void;
}

function TopUpForm({ serviceId, currency, onDone, onCancel }: TopUpFormProps) {
  const topUp = useTopUp(serviceId);
  // One key per opening of the dialog (this form is mounted only while it is open): a double
  // click or a retry after a lost response replays the first top-up instead of adding again.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { amount: "", note: "" },
    validate: zod4Resolver(schema),
  });

  const submit = form.onSubmit((values) => {
    setFailure(null);
    topUp.mutate(
      { body: { amount: normalizeAmount(values.amount), note: nullIfBlank(values.note) }, idempotencyKey },
      {
        onSuccess: onDone,
        onError: (error) => {
          // 422 field errors go under their input; anything else (409 service_terminated, a
          // reused key, a network failure) above the form.
          const fields = isApiError(error)
            ? Object.entries(error.fieldErrors).filter(([field]) => field === "amount" || field === "note")
            : [];
          if (fields.length) form.setErrors(Object.fromEntries(fields));
          else setFailure(errorMessage(error));
        },
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate data-testid="topup-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="topup-error">
            {failure}
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          Adds money to the service's monetary balance; the ledger keeps one top-up movement.
        </Text>
        <TextInput
          label="Amount"
          required
          inputMode="decimal"
          autoComplete="off"
          placeholder="12.50"
          rightSection={currency ? <Text size="xs">{currency}</Text> : undefined}
          rightSectionWidth={48}
          data-autofocus
          data-testid="topup-amount"
          {...form.getInputProps("amount")}
        />
        <Textarea
          label="Note"
          description="Optional: why, kept on the ledger"
          autosize
          minRows={2}
          maxLength={MAX_NOTE}
          data-testid="topup-note"
          {...form.getInputProps("note")}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={topUp.isPending} data-testid="topup-submit">
            Top up
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface TopUpModalProps {
  opened: boolean;
  onClose: () => void;
  serviceId: number;
  serviceName: string;
  currency: string | null;
}

/** Top up a service's monetary balance: an amount (validated as the API does) and a note. */
export function TopUpModal({ opened, onClose, serviceId, serviceName, currency }: TopUpModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Top up ${serviceName}`}>
      {/* Mounted only while open: each opening starts empty, with a new Idempotency-Key. */}
      {opened && (
        <TopUpForm
          serviceId={serviceId}
          currency={currency}
          onCancel={onClose}
          onDone={(movement) => {
            onClose();
            notifySuccess(
              `Topped up ${formatMoney(movement.amount, currency)}; the balance is now ${formatMoney(
                movement.value_after,
                currency,
              )}.`,
            );
          }}
        />
      )}
    </Modal>
  );
}
