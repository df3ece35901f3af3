import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { isApiError } from "@/api";
import { errorMessage } from "@/lib/notify";
import { useStartRun, type BillingRun, type RunRequest } from "../api";
import { DAY_RE } from "../validation";

const schema = z.object({
  period_end: z.union([z.literal(""), z.string().regex(DAY_RE, "A day, YYYY-MM-DD")]),
  customer_id: z.union([
    z.literal(""),
    z
      .string()
      .trim()
      .regex(/^[1-9]\d{0,9}$/, "A customer id, e.g. 42"),
  ]),
});
type Values = z.infer<typeof schema>;

/** The request the form's values make: blank means the API's default (today, every customer). */
export function runRequest(values: Values): RunRequest {
  return {
    period_end: values.period_end || null,
    customer_id: values.customer_id.trim() ? Number(values.customer_id.trim()) : null,
  };
}

function NewRunForm({ onDone, onCancel }: { onDone: (run: BillingRun) => void; onCancel: () => void }) {
  const start = useStartRun();
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { period_end: "", customer_id: "" },
    validate: zod4Resolver(schema),
  });
  const submit = form.onSubmit((values) => {
    setFailure(null);
    start.mutate(runRequest(values), {
      onSuccess: onDone,
      onError: (error) => {
        const fields = isApiError(error)
          ? Object.entries(error.fieldErrors).filter(([field]) => field === "period_end" || field === "customer_id")
          : [];
        if (fields.length) form.setErrors(Object.fromEntries(fields));
        else setFailure(errorMessage(error));
      },
    });
  });
  return (
    <form onSubmit={submit} noValidate data-testid="run-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="run-error">
            {failure}
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          Bills every period starting on or before the day (in advance) and the usage rated before it. Running the same
          period again bills nothing twice.
        </Text>
        <TextInput
          type="date"
          label="Bill up to"
          description="Blank: today"
          data-testid="run-period-end"
          {...form.getInputProps("period_end")}
        />
        <TextInput
          label="Customer id"
          description="Blank: every customer"
          inputMode="numeric"
          autoComplete="off"
          data-testid="run-customer"
          {...form.getInputProps("customer_id")}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={start.isPending} data-testid="run-submit">
            Start run
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function NewRunModal({
  opened,
  onClose,
  onStarted,
}: {
  opened: boolean;
  onClose: () => void;
  onStarted: (run: BillingRun) => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="New billing run">
      {opened && <NewRunForm onCancel={onClose} onDone={onStarted} />}
    </Modal>
  );
}
