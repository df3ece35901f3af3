import { Alert, Button, Group, Modal, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertCircle } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { z } from "zod";
import { isApiError } from "@/api";
import { QueryState } from "@/components";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { asPermissionNames, useCreateRole, usePermissionCatalogue, useUpdateRole, type Role } from "../api";
import { PermissionPicker } from "./PermissionPicker";

const schema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_-]{1,63}$/, "2–64 lowercase letters, digits, - or _, starting with a letter"),
  description: z.string().max(255, "At most 255 characters"),
  permissions: z.array(z.string()).min(1, "Pick at least one permission"),
});

type Values = z.infer<typeof schema>;

interface RoleFormModalProps {
  opened: boolean;
  onClose: () => void;
  role?: Role | null;
}

/**
 * Create a custom role or change one's description and permissions. The API refuses what would
 * escalate (a permission the caller lacks, a role they hold): its reason shows in the dialog.
 */
export function RoleFormModal({ opened, onClose, role }: RoleFormModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={role ? `Edit role ${role.name}` : "New role"} size="xl">
      {opened && <RoleForm key={role?.id ?? "new"} role={role ?? null} onClose={onClose} />}
    </Modal>
  );
}

function RoleForm({ role, onClose }: { role: Role | null; onClose: () => void }) {
  const editing = !!role;
  const catalogue = usePermissionCatalogue();
  const create = useCreateRole();
  const update = useUpdateRole();
  const [refusal, setRefusal] = useState<string | null>(null);

  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      name: role?.name ?? "",
      description: role?.description ?? "",
      permissions: role?.permissions ?? [],
    },
    validate: zod4Resolver(schema),
  });

  const onError = (error: unknown) => {
    if (isApiError(error) && Object.keys(error.fieldErrors).length) {
      form.setErrors(error.fieldErrors);
      setRefusal(error.message);
    } else setRefusal(errorMessage(error));
  };

  const submit = form.onSubmit((values) => {
    setRefusal(null);
    const done = (saved: Role) => {
      notifySuccess(`Role ${saved.name} saved`);
      onClose();
    };
    if (role) {
      update.mutate(
        {
          roleId: role.id,
          body: { description: values.description, permissions: asPermissionNames(values.permissions) },
        },
        { onSuccess: done, onError },
      );
    } else {
      create.mutate(
        {
          name: values.name.trim(),
          description: values.description,
          permissions: asPermissionNames(values.permissions),
        },
        { onSuccess: done, onError },
      );
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {refusal && (
          <Alert color="red" icon={<IconAlertCircle size={18} />} data-testid="role-form-error">
            {refusal}
          </Alert>
        )}
        <TextInput
          label="Name"
          required
          disabled={editing}
          description={editing ? undefined : "Lowercase, e.g. billing-clerk"}
          data-testid="role-form-name"
          {...form.getInputProps("name")}
        />
        <TextInput label="Description" data-testid="role-form-description" {...form.getInputProps("description")} />
        <QueryState query={catalogue}>
          {(permissions) => (
            <PermissionPicker
              permissions={permissions}
              value={form.values.permissions}
              onChange={(value) => {
                form.setFieldValue("permissions", value);
                form.clearFieldError("permissions");
              }}
              error={typeof form.errors.permissions === "string" ? form.errors.permissions : null}
            />
          )}
        </QueryState>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending} data-testid="role-form-submit">
            {editing ? "Save" : "Create role"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
