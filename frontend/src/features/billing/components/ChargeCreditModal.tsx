import { Alert, Button, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { isApiError, usePermission } from "@/api";
import { formatMoney } from "@/lib/money";
import { errorMessage, notifySuccess } from "@/lib/notify";
import {
  newIdempotencyKey,
  useCreateTransaction,
  useCustomerServices,
  type Transaction,
  type TransactionCreate,
} from "../api";
import { amountProblem, normalizeAmount, taxProblem } from "../validation";

const MAX_DESCRIPTION = 300;

const refine = (check: (value: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const schema = z.object({
  kind: z.enum(["charge", "credit"]),
  description: z
    .string()
    .trim()
    .min(1, "Say what it is for")
    .max(MAX_DESCRIPTION, `At most ${MAX_DESCRIPTION} characters`),
  amount: refine(amountProblem),
  service_id: z.string().nullable(),
  tax_percentage: refine(taxProblem),
});
type Values = z.infer<typeof schema>;

/** The body the form's values make: optional members left out when blank (the API's defaults apply). */
export function transactionBody(customerId: number, values: Values): TransactionCreate {
  const body: TransactionCreate = {
    customer_id: customerId,
    kind: values.kind,
    description: values.description.trim(),
    amount: normalizeAmount(values.amount),
  };
  if (values.service_id) body.service_id = Number(values.service_id);
  if (values.tax_percentage.trim()) body.tax_percentage = values.tax_percentage.trim();
  return body;
}

interface FormProps {
  customerId: number;
  currency: string | null;
  onDone: (transaction: Transaction) => void;
  onCancel: () => void;
}

function ChargeCreditForm({ customerId, currency, onDone, onCancel }: FormProps) {
  const create = useCreateTransaction();
  // One key per opening of the dialog (this form is mounted only while it is open), sent with
  // every attempt: a double click or a retry after a lost response replays the first
  // transaction instead of charging the customer twice.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const canSeeServices = usePermission("service.read");
  const services = useCustomerServices(customerId, canSeeServices);
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { kind: "charge", description: "", amount: "", service_id: null, tax_percentage: "" },
    validate: zod4Resolver(schema),
  });

  const submit = form.onSubmit((values) => {
    setFailure(null);
    create.mutate(
      { body: transactionBody(customerId, values), idempotencyKey },
      {
        onSuccess: onDone,
        onError: (error) => {
          if (isApiError(error, "idempotency_key_reused")) {
            // An earlier attempt from this opening did add a transaction (its answer was lost) and
            // the form has changed since: adding this one too is a new opening's decision.
            setFailure(
              `This dialog already added a transaction${
                typeof error.body.transaction_id === "number" ? ` (#${error.body.transaction_id})` : ""
              } with other details. Close it and check the transactions before adding another.`,
            );
            return;
          }
          // 422 field errors under their input; anything else (404 customer, a network failure) above the form.
          const known = Object.keys(form.values);
          const fields = isApiError(error)
            ? Object.entries(error.fieldErrors).filter(([field]) => known.includes(field))
            : [];
          if (fields.length) form.setErrors(Object.fromEntries(fields));
          else setFailure(errorMessage(error));
        },
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate data-testid="charge-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="charge-error">
            {failure}
          </Alert>
        )}
        <SegmentedControl
          fullWidth
          data={[
            { value: "charge", label: "Charge (customer owes)" },
            { value: "credit", label: "Credit (we owe)" },
          ]}
          data-testid="charge-kind"
          {...form.getInputProps("kind")}
        />
        <TextInput
          label="Description"
          required
          maxLength={MAX_DESCRIPTION}
          data-autofocus
          data-testid="charge-description"
          {...form.getInputProps("description")}
        />
        <TextInput
          label="Amount (net, before tax)"
          description={form.values.kind === "credit" ? "Positive: it is stored as a credit" : undefined}
          required
          inputMode="decimal"
          autoComplete="off"
          placeholder="12.50"
          rightSection={currency ? <Text size="xs">{currency}</Text> : undefined}
          rightSectionWidth={48}
          data-testid="charge-amount"
          {...form.getInputProps("amount")}
        />
        {canSeeServices && (
          <Select
            label="Service"
            description="Optional: its tax rate is the default"
            placeholder="None"
            clearable
            data={(services.data ?? []).map((s) => ({
              value: String(s.service_id),
              label: `${s.service_name} (#${s.service_id})`,
            }))}
            data-testid="charge-service"
            {...form.getInputProps("service_id")}
          />
        )}
        <TextInput
          label="Tax rate %"
          description="Optional: the service's rate, else 0"
          inputMode="decimal"
          autoComplete="off"
          placeholder="20"
          data-testid="charge-tax"
          {...form.getInputProps("tax_percentage")}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} data-testid="charge-submit">
            {form.values.kind === "credit" ? "Add credit" : "Add charge"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface ChargeCreditModalProps {
  opened: boolean;
  onClose: () => void;
  customerId: number;
  currency: string | null;
}

/** A manual charge or credit for the customer's next invoice. */
export function ChargeCreditModal({ opened, onClose, customerId, currency }: ChargeCreditModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add charge / credit">
      {/* Mounted only while open: each opening starts empty, with a new Idempotency-Key. */}
      {opened && (
        <ChargeCreditForm
          customerId={customerId}
          currency={currency}
          onCancel={onClose}
          onDone={(t) => {
            onClose();
            notifySuccess(
              `${t.kind === "credit" ? "Credit" : "Charge"} of ${formatMoney(t.amount.replace(/^-/, ""), t.currency)} added; the next invoice carries it.`,
            );
          }}
        />
      )}
    </Modal>
  );
}
