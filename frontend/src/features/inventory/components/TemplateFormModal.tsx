import { Alert, Button, Group, Modal, ScrollArea, Select, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useState } from "react";
import { isApiError } from "@/api";
import { nullIfBlank } from "@/lib/forms";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useCreateTemplate, useUpdateTemplate, type InventoryTemplate, type SerialKind } from "../api";
import { ITEMTEXT_FIELDS, SERIAL_KIND_LABELS, SERIAL_KINDS, labelKey } from "../templates";

type Values = { item: string; serial_kind: SerialKind } & Record<string, string>;

const initialValues = (template: InventoryTemplate | null): Values => {
  const values: Values = { item: template?.item ?? "", serial_kind: template?.serial_kind ?? "free" };
  for (const field of ITEMTEXT_FIELDS) values[labelKey(field)] = template?.[labelKey(field)] ?? "";
  return values;
};

interface TemplateFormProps {
  template: InventoryTemplate | null;
  onDone: (template: InventoryTemplate) => void;
  onCancel: () => void;
}

function TemplateForm({ template, onDone, onCancel }: TemplateFormProps) {
  const create = useCreateTemplate();
  const update = useUpdateTemplate(template?.inventory_template_id ?? 0);
  const mutation = template ? update : create;
  const builtin = !!template?.builtin;
  const [failure, setFailure] = useState<string | null>(null);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: initialValues(template),
    validate: {
      item: (value) => (value.trim() ? value.trim().length > 100 && "At most 100 characters" : "Give it a name"),
      ...Object.fromEntries(
        ITEMTEXT_FIELDS.map((field) => [
          labelKey(field),
          (value: string) => value.length > 100 && "At most 100 characters",
        ]),
      ),
    },
  });

  const submit = form.onSubmit((values) => {
    setFailure(null);
    const labels = Object.fromEntries(ITEMTEXT_FIELDS.map((f) => [labelKey(f), nullIfBlank(values[labelKey(f)])]));
    // Built-in templates keep their name and serial kind: send only the labels.
    const body = builtin ? labels : { item: values.item.trim(), serial_kind: values.serial_kind, ...labels };
    const onSuccess = (saved: InventoryTemplate) => {
      notifySuccess(template ? `Template ${saved.item} saved` : `Template ${saved.item} created`);
      onDone(saved);
    };
    const onError = (error: unknown) => {
      // 422 field errors under their input; 409 (name taken, built-in, in use) above the form.
      const known = Object.keys(values);
      const fields = isApiError(error)
        ? Object.entries(error.fieldErrors).filter(([field]) => known.includes(field))
        : [];
      if (fields.length) form.setErrors(Object.fromEntries(fields));
      else setFailure(errorMessage(error));
    };
    if (template) update.mutate(body, { onSuccess, onError });
    else create.mutate({ ...body, item: values.item.trim() }, { onSuccess, onError });
  });

  return (
    <form onSubmit={submit} noValidate data-testid="template-form">
      <Stack>
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="template-form-error">
            {failure}
          </Alert>
        )}
        {builtin && (
          <Text size="sm" c="dimmed">
            A built-in template keeps its name and serial rules; its labels can change.
          </Text>
        )}
        <Group grow align="flex-start">
          <TextInput
            label="Name"
            required
            disabled={builtin}
            maxLength={100}
            data-autofocus
            data-testid="template-name"
            {...form.getInputProps("item")}
          />
          <Select
            label="Serial"
            description="How an item's serial is checked"
            data={SERIAL_KINDS.map((value) => ({ value, label: SERIAL_KIND_LABELS[value] }))}
            allowDeselect={false}
            disabled={builtin}
            data-testid="template-serial-kind"
            {...form.getInputProps("serial_kind")}
          />
        </Group>
        <Text size="sm" fw={500}>
          Field labels
        </Text>
        <ScrollArea.Autosize mah={320} type="auto">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" pr="sm">
            {ITEMTEXT_FIELDS.map((field) => (
              <TextInput
                key={field}
                label={field}
                placeholder="unused"
                size="xs"
                maxLength={100}
                data-testid={`template-label-${field}`}
                {...form.getInputProps(labelKey(field))}
              />
            ))}
          </SimpleGrid>
        </ScrollArea.Autosize>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={mutation.isPending} data-testid="template-submit">
            {template ? "Save" : "Create template"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface TemplateFormModalProps {
  opened: boolean;
  /** The template to edit; null creates one. */
  template: InventoryTemplate | null;
  onClose: () => void;
}

/** Create a template (item type) or edit one: its name, how serials are checked, field labels. */
export function TemplateFormModal({ opened, template, onClose }: TemplateFormModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} size="lg" title={template ? `Edit ${template.item}` : "New template"}>
      {/* Mounted only while open: each opening starts from the template as stored. */}
      {opened && <TemplateForm template={template} onDone={onClose} onCancel={onClose} />}
    </Modal>
  );
}
