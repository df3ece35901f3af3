import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useState } from "react";
import { isApiError } from "@/api";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useCreateItem, useTemplates, type InventoryItem, type InventoryTemplate } from "../api";
import { labelledFields, SERIAL_HINTS } from "../templates";

type Values = Record<string, string>;

/** A SIM's itemtext1 mirrors its ICCID, a number's and a router's their serial: not asked for. */
const MIRRORED: Record<string, readonly string[]> = {
  "SIM Card": ["itemtext1"],
  "Phone Number": ["itemtext1"],
  Router: ["itemtext1", "itemtext3"],
};

const fieldsOf = (template: InventoryTemplate) =>
  labelledFields(template).filter(({ field }) => !(MIRRORED[template.item] ?? []).includes(field));

/** The field a 409 names (`duplicate_serial` names `serial` or a SIM's IMSI, `itemtext2`). */
function conflictField(error: unknown): string | null {
  if (!isApiError(error) || error.status !== 409) return null;
  const field = (error.body as { field?: unknown } | undefined)?.field;
  return typeof field === "string" ? field : "serial";
}

function AddItemForm({ onDone, onCancel }: { onDone: (item: InventoryItem) => void; onCancel: () => void }) {
  const templates = useTemplates();
  const create = useCreateItem();
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const template = templates.data?.find((t) => String(t.inventory_template_id) === templateId) ?? null;
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { serial: "" },
    validate: { serial: (value) => (value.trim() ? null : "Required") },
  });

  const submit = form.onSubmit((values) => {
    if (!template) return;
    setFailure(null);
    const extra = Object.fromEntries(
      fieldsOf(template)
        .map(({ field }) => [field, (values[field] ?? "").trim()] as const)
        .filter(([, value]) => value !== ""),
    );
    create.mutate(
      { inventory_template_id: template.inventory_template_id, serial: values.serial.trim(), ...extra },
      {
        onSuccess: (item) => {
          notifySuccess(`${item.item} ${item.serial} added to stock`);
          onDone(item);
        },
        onError: (error) => {
          const onForm = (field: string) => field === "serial" || field.startsWith("itemtext");
          const fields = isApiError(error) ? Object.entries(error.fieldErrors).filter(([f]) => onForm(f)) : [];
          const conflict = conflictField(error);
          if (fields.length) form.setErrors(Object.fromEntries(fields));
          else if (conflict && onForm(conflict)) form.setErrors({ [conflict]: errorMessage(error) });
          else setFailure(errorMessage(error));
        },
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate data-testid="add-item-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="add-item-error">
            {failure}
          </Alert>
        )}
        <Select
          label="Item type"
          required
          placeholder="Pick a template…"
          data={(templates.data ?? []).map((t) => ({ value: String(t.inventory_template_id), label: t.item }))}
          value={templateId}
          onChange={(value) => {
            setTemplateId(value);
            form.clearErrors();
          }}
          allowDeselect={false}
          data-testid="add-item-template"
        />
        {template && (
          <>
            <TextInput
              label={template.itemtext1_label ?? "Serial"}
              description={SERIAL_HINTS[template.serial_kind]}
              required
              autoComplete="off"
              data-autofocus
              data-testid="add-item-serial"
              {...form.getInputProps("serial")}
            />
            {fieldsOf(template).map(({ field, label }) => (
              <TextInput
                key={field}
                label={label}
                required={template.item === "SIM Card" && field === "itemtext2"}
                autoComplete="off"
                data-testid={`add-item-${field}`}
                {...form.getInputProps(field)}
              />
            ))}
          </>
        )}
        {!template && (
          <Text size="sm" c="dimmed">
            Pick the item type: its serial is checked as a CSV import checks it.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" disabled={!template} loading={create.isPending} data-testid="add-item-submit">
            Add to stock
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Register a single SIM, number, router or other item (state new), validated as an import row. */
export function AddItemModal({
  opened,
  onClose,
  onAdded,
}: {
  opened: boolean;
  onClose: () => void;
  onAdded?: (item: InventoryItem) => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Add an item to stock">
      {opened && (
        <AddItemForm
          onDone={(item) => {
            onClose();
            onAdded?.(item);
          }}
          onCancel={onClose}
        />
      )}
    </Modal>
  );
}
