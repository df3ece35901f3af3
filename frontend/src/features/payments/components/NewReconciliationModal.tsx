import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { isApiError } from "@/api";
import { errorMessage } from "@/lib/notify";
import { useStartReconciliation, type Reconciliation } from "../api";
import { DAY_RE, daysCovered, lastWeek, MAX_PERIOD_DAYS, periodOf } from "../period";

const schema = z
  .object({
    first: z.string().regex(DAY_RE, "A day, YYYY-MM-DD"),
    last: z.string().regex(DAY_RE, "A day, YYYY-MM-DD"),
  })
  .superRefine((values, ctx) => {
    if (!DAY_RE.test(values.first) || !DAY_RE.test(values.last)) return;
    const days = daysCovered(values.first, values.last);
    if (days < 1) ctx.addIssue({ code: "custom", path: ["last"], message: "The last day comes after the first" });
    else if (days > MAX_PERIOD_DAYS) {
      ctx.addIssue({ code: "custom", path: ["last"], message: `At most ${MAX_PERIOD_DAYS} days` });
    }
  });
type Values = z.infer<typeof schema>;

function NewReconciliationForm({ onDone, onCancel }: { onDone: (run: Reconciliation) => void; onCancel: () => void }) {
  const start = useStartReconciliation();
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: lastWeek(),
    validate: zod4Resolver(schema),
  });
  const submit = form.onSubmit((values) => {
    setFailure(null);
    start.mutate(periodOf(values.first, values.last), {
      onSuccess: onDone,
      onError: (error) => {
        // 422 on period_start / period_end (the API's own checks), 409 gateway_not_configured.
        const fields = isApiError(error)
          ? Object.entries(error.fieldErrors).filter(([f]) => f === "period_start" || f === "period_end")
          : [];
        if (fields.length) {
          form.setErrors(Object.fromEntries(fields.map(([f, m]) => [f === "period_start" ? "first" : "last", m])));
        } else setFailure(errorMessage(error));
      },
    });
  });
  return (
    <form onSubmit={submit} noValidate data-testid="reconciliation-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="reconciliation-form-error">
            {failure}
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          Reads Stripe's charges made in these days (your time zone) and compares them with our card payments. Open
          payments are settled from Stripe's records first. At most {MAX_PERIOD_DAYS} days.
        </Text>
        <Group grow>
          <TextInput
            type="date"
            label="From"
            required
            data-testid="reconciliation-first"
            {...form.getInputProps("first")}
          />
          <TextInput
            type="date"
            label="To (included)"
            required
            data-testid="reconciliation-last"
            {...form.getInputProps("last")}
          />
        </Group>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={start.isPending} data-testid="reconciliation-submit">
            Run reconciliation
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function NewReconciliationModal({
  opened,
  onClose,
  onStarted,
}: {
  opened: boolean;
  onClose: () => void;
  onStarted: (run: Reconciliation) => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Run reconciliation">
      {opened && <NewReconciliationForm onCancel={onClose} onDone={onStarted} />}
    </Modal>
  );
}
