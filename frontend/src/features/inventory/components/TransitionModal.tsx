import { Alert, Button, Group, Modal, Select, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useState } from "react";
import { isApiError } from "@/api";
import { CustomerSelect } from "@/features/customers";
import { useServices } from "@/features/services";
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
  const [customerId, setCustomerId] = useState<number | null>(item.customer_id ?? null);
  const [serviceId, setServiceId] = useState<number | null>(item.service_id ?? null);
  // Assigning binds the item to one of the chosen customer's services (or none).
  const services = useServices(
    { customer_id: customerId ?? 0, page_size: 100, sort: "-created_at" },
    action === "assign" && customerId !== null,
  );
  const [quarantineDays, setQuarantineDays] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (action === "assign" && customerId === null) local.customer_id = "Choose the customer";
    if (action === "return" && quarantineDays.trim() && !digits(quarantineDays))
      local.quarantine_days = "Days, 0 or more";
    setErrors(local);
    setFailure(null);
    if (Object.keys(local).length) return;

    const why = reason.trim() || null;
    let request: TransitionRequest;
    switch (action) {
      case "reserve":
        request = { action, body: { reason: why, ...(customerId !== null ? { customer_id: customerId } : {}) } };
        break;
      case "assign":
        request = {
          action,
          body: {
            reason: why,
            customer_id: customerId ?? 0,
            ...(serviceId !== null ? { service_id: serviceId } : {}),
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
          <CustomerSelect
            label="Customer"
            required={action === "assign"}
            description={action === "reserve" ? "Optional: reserve it for a customer" : undefined}
            value={customerId}
            onChange={(id) => {
              setCustomerId(id);
              setServiceId(null);
            }}
            error={errors.customer_id}
            testId="transition-customer-id"
          />
        )}
        {action === "assign" && (
          <Select
            label="Service"
            description="Optional: the customer's service it is bound to"
            placeholder={customerId === null ? "Choose the customer first" : "None"}
            disabled={customerId === null}
            clearable
            data={(services.data?.items ?? []).map((s) => ({
              value: String(s.service_id),
              label: `${s.service_name} (#${s.service_id})`,
            }))}
            value={serviceId === null ? null : String(serviceId)}
            onChange={(v) => setServiceId(v ? Number(v) : null)}
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
