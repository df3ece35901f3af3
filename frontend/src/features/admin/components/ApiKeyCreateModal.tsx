import { Alert, Button, Code, CopyButton, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertTriangle, IconCheck, IconCopy } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { z } from "zod";
import { usePermission, useSession } from "@/api";
import { QueryState } from "@/components";
import { showFormError } from "@/lib/forms";
import { asPermissionNames, useCreateApiKey, usePermissionCatalogue, type ApiKeyCreated } from "../api";
import { PermissionPicker } from "./PermissionPicker";

/** Expiry choices: days from now, or never. */
export const EXPIRY_CHOICES = [
  { value: "never", label: "Never" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In a year" },
];

const schema = z.object({
  name: z.string().trim().min(1, "Name the key (what uses it?)").max(100, "At most 100 characters"),
  scopes: z.array(z.string()).min(1, "Pick at least one permission"),
  expiry: z.string(),
});

type Values = z.infer<typeof schema>;

export function expiryFrom(choice: string, now = new Date()): string | null {
  if (choice === "never") return null;
  return new Date(now.getTime() + Number(choice) * 86_400_000).toISOString();
}

/**
 * Name a key, scope it to permissions the caller holds, pick an expiry. The API shows the key
 * once: `onCreated` gets it for the one-time secret dialog.
 */
export function ApiKeyCreateModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (key: ApiKeyCreated) => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="New API key" size="xl">
      {opened && <ApiKeyForm onClose={onClose} onCreated={onCreated} />}
    </Modal>
  );
}

function ApiKeyForm({ onClose, onCreated }: { onClose: () => void; onCreated: (key: ApiKeyCreated) => void }) {
  const held = useSession((s) => s.permissions);
  // The catalogue is behind role.read; without it the picker lists what the caller holds.
  const canReadCatalogue = usePermission("role.read");
  const catalogue = usePermissionCatalogue({ enabled: canReadCatalogue });
  const create = useCreateApiKey();

  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { name: "", scopes: [], expiry: "90" },
    validate: zod4Resolver(schema),
  });

  const submit = form.onSubmit((values) =>
    create.mutate(
      { name: values.name.trim(), scopes: asPermissionNames(values.scopes), expires_at: expiryFrom(values.expiry) },
      {
        onSuccess: (key) => {
          onCreated(key);
          onClose();
        },
        onError: (error) => showFormError(form, error),
      },
    ),
  );

  const picker = (permissions: { name: string; description: string }[]) => (
    <PermissionPicker
      permissions={permissions.filter((p) => held.includes(p.name))}
      value={form.values.scopes}
      onChange={(value) => {
        form.setFieldValue("scopes", value);
        form.clearFieldError("scopes");
      }}
      allowed={held}
      error={typeof form.errors.scopes === "string" ? form.errors.scopes : null}
      maxHeight={300}
    />
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Name" required data-testid="apikey-form-name" {...form.getInputProps("name")} />
        <Select
          label="Expires"
          data={EXPIRY_CHOICES}
          allowDeselect={false}
          data-testid="apikey-form-expiry"
          {...form.getInputProps("expiry")}
        />
        <Text size="xs" c="dimmed">
          A key can do only what you can: pick its scope among your own permissions.
        </Text>
        {canReadCatalogue ? (
          <QueryState query={catalogue}>{(permissions) => picker(permissions)}</QueryState>
        ) : (
          picker(held.map((name) => ({ name, description: "" })))
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} data-testid="apikey-form-submit">
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The new key, shown this once, with a copy button. */
export function ApiKeySecretModal({ created, onClose }: { created: ApiKeyCreated | null; onClose: () => void }) {
  return (
    <Modal
      opened={!!created}
      onClose={onClose}
      title={created ? `API key “${created.name}”` : ""}
      size="lg"
      closeOnClickOutside={false}
    >
      {created && (
        <Stack data-testid="apikey-secret-modal">
          <Alert color="yellow" icon={<IconAlertTriangle size={18} />} title="Copy the key now">
            This is the only time the key is shown. Store it in a secret manager; if it is lost, revoke it and create
            another. Send it as the <Code>X-API-Key</Code> header.
          </Alert>
          <Code block data-testid="apikey-secret" style={{ wordBreak: "break-all" }}>
            {created.key}
          </Code>
          <Group justify="space-between">
            <CopyButton value={created.key}>
              {({ copied, copy }) => (
                <Button
                  variant="light"
                  color={copied ? "teal" : undefined}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  onClick={copy}
                  data-testid="apikey-copy"
                >
                  {copied ? "Copied" : "Copy key"}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose} data-testid="apikey-secret-done">
              I have stored it
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
