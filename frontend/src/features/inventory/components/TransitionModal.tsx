import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useState } from "react";
import { isApiError } from "@/api";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useTransition, type InventoryDetail, type TransitionAction, type TransitionRequest } from "../api";
import { actionLabel, STATE_LABELS } from "../constants";

interface TransitionModalProps {
  item: InventoryDetail;
  action: TransitionAction | null;
  /** Phone numbers go to quarantine on return; the form offers the number of days. */
  isPhoneNumber: boolean;
  onClose: () => void;
}

const digits = (v: string) => /^\d+$/.test(v.trim());

function TransitionForm({ item, action, isPhoneNumber, onClose }: TransitionModalProps & { action: TransitionAction }) {
  const transition = useTransition(item.inventory_id);
  const [reason, setReason] = useState("");
  const [customerId, setCustomerId] = useState(item.customer_id?.toString() ?? "");
  const [serviceId, setServiceId] = useState(item.service_id?.toString() ?? "");
  const [quarantineDays, setQuarantineDays] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (action === "assign" && !digits(customerId)) local.customer_id = "Enter the customer id";
    if (action === "reserve" && customerId.trim() && !digits(customerId)) local.customer_id = "A customer id (digits)";
    if (action === "assign" && serviceId.trim() && !digits(serviceId)) local.service_id = "A service id (digits)";
    if (action === "return" && quarantineDays.trim() && !digits(quarantineDays))
      local.quarantine_days = "Days, 0 or more";
    setErrors(local);
    setFailure(null);
    if (Object.keys(local).length) return;

    const why = reason.trim() || null;
    let request: TransitionRequest;
    switch (action) {
      case "reserve":
        request = { action, body: { reason: why, ...(customerId.trim() ? { customer_id: Number(customerId) } : {}) } };
        break;
      case "assign":
        request = {
          action,
          body: {
            reason: why,
            customer_id: Number(customerId),
            ...(serviceId.trim() ? { service_id: Number(serviceId) } : {}),
          },
        };
        break;
      case "return":
        request = {
          action,
          body: { reason: why, ...(quarantineDays.trim() ? { quarantine_days: Number(quarantineDays) } : {}) },
        };
        break;
      default:
        request = { action, body: { reason: why } };
    }
    transition.mutate(request, {
      onSuccess: (updated) => {
        notifySuccess(`${item.serial}: ${STATE_LABELS[updated.item_state] ?? updated.item_state}.`);
        onClose();
      },
      onError: (error) => {
        // 409 invalid_transition (someone else moved it first) and the rest: the API's words.
        if (isApiError(error) && Object.keys(error.fieldErrors).length) setErrors(error.fieldErrors);
        setFailure(errorMessage(error));
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate data-testid="transition-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="transition-error">
            {failure}
          </Alert>
        )}
        {(action === "reserve" || action === "assign") && (
          <TextInput
            label="Customer id"
            required={action === "assign"}
            description={action === "reserve" ? "Optional: reserve it for a customer" : undefined}
            inputMode="numeric"
            value={customerId}
            onChange={(e) => setCustomerId(e.currentTarget.value)}
            error={errors.customer_id}
            data-testid="transition-customer-id"
          />
        )}
        {action === "assign" && (
          <TextInput
            label="Service id"
            inputMode="numeric"
            value={serviceId}
            onChange={(e) => setServiceId(e.currentTarget.value)}
            error={errors.service_id}
            data-testid="transition-service-id"
          />
        )}
        {action === "return" && isPhoneNumber && (
          <TextInput
            label="Quarantine (days)"
            description="Blank: the default 90 days; 0 returns the number at once"
            inputMode="numeric"
            value={quarantineDays}
            onChange={(e) => setQuarantineDays(e.currentTarget.value)}
            error={errors.quarantine_days}
            data-testid="transition-quarantine-days"
          />
        )}
        <Textarea
          label="Reason"
          autosize
          minRows={2}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={errors.reason}
          data-testid="transition-reason"
        />
        {action === "retire" && (
          <Text size="sm" c="dimmed">
            A retired item never returns to stock.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            type="submit"
            color={action === "retire" ? "red" : undefined}
            loading={transition.isPending}
            data-testid="transition-submit"
          >
            {actionLabel(action, item.item_state)}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function TransitionModal(props: TransitionModalProps) {
  const { item, action, onClose } = props;
  return (
    <Modal
      opened={action !== null}
      onClose={onClose}
      title={action ? `${actionLabel(action, item.item_state)} ${item.serial}` : ""}
    >
      {action && <TransitionForm {...props} action={action} />}
    </Modal>
  );
}
