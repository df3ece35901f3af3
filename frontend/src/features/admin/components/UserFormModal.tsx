import { Alert, Button, Group, Modal, MultiSelect, PasswordInput, Stack, TagsInput, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconMail } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { z } from "zod";
import { usePermission } from "@/api";
import { MIN_PASSWORD_LENGTH } from "@/features/auth";
import { showFormError } from "@/lib/forms";
import { notifySuccess } from "@/lib/notify";
import { useCreateUser, useRoles, useUpdateUser, type StaffUser } from "../api";

const schema = z.object({
  full_name: z.string().max(200, "At most 200 characters"),
  email: z.string().trim().min(1, "Enter an e-mail address").pipe(z.email("Enter a valid e-mail address")),
  roles: z.array(z.string()).min(1, "Give the user at least one role"),
  password: z
    .string()
    .refine(
      (v) => v === "" || v.length >= MIN_PASSWORD_LENGTH,
      `At least ${MIN_PASSWORD_LENGTH} characters, or leave it blank`,
    ),
});

type Values = z.infer<typeof schema>;

interface UserFormModalProps {
  opened: boolean;
  onClose: () => void;
  /** Edit this user; without one, create a user. */
  user?: StaffUser | null;
}

/** Create a user (a blank password mails an invitation) or change one's name and roles. */
export function UserFormModal({ opened, onClose, user }: UserFormModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={user ? `Edit ${user.email}` : "New user"} size="lg">
      {opened && <UserForm key={user?.id ?? "new"} user={user ?? null} onClose={onClose} />}
    </Modal>
  );
}

function UserForm({ user, onClose }: { user: StaffUser | null; onClose: () => void }) {
  const editing = !!user;
  const canReadRoles = usePermission("role.read");
  const roles = useRoles({ enabled: canReadRoles });
  const create = useCreateUser();
  const update = useUpdateUser();

  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      full_name: user?.full_name ?? "",
      email: user?.email ?? "",
      roles: user?.roles ?? [],
      password: "",
    },
    validate: zod4Resolver(schema),
  });

  const submit = form.onSubmit((values) => {
    const onError = (error: unknown) => showFormError(form, error);
    if (user) {
      update.mutate(
        { userId: user.id, body: { full_name: values.full_name.trim(), roles: values.roles } },
        {
          onSuccess: (saved) => {
            notifySuccess(`Saved ${saved.email}`);
            onClose();
          },
          onError,
        },
      );
      return;
    }
    create.mutate(
      {
        email: values.email.trim(),
        full_name: values.full_name.trim(),
        roles: values.roles,
        ...(values.password ? { password: values.password } : {}),
      },
      {
        onSuccess: (created) => {
          notifySuccess(
            values.password
              ? `Created ${created.email}`
              : `Created ${created.email}; an invitation e-mail with a link to set a password is on its way`,
          );
          onClose();
        },
        onError,
      },
    );
  });

  const roleNames = (roles.data ?? []).map((r) => ({
    value: r.name,
    label: r.description ? `${r.name} — ${r.description}` : r.name,
  }));
  const noPassword = !editing && form.values.password === "";

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput label="Name" data-testid="user-form-name" {...form.getInputProps("full_name")} />
        <TextInput
          label="E-mail"
          type="email"
          required
          disabled={editing}
          data-testid="user-form-email"
          {...form.getInputProps("email")}
        />
        {canReadRoles ? (
          <MultiSelect
            label="Roles"
            required
            searchable
            data={roleNames}
            comboboxProps={{ withinPortal: true }}
            data-testid="user-form-roles"
            {...form.getInputProps("roles")}
          />
        ) : (
          <TagsInput
            label="Roles"
            description="Role names, e.g. support"
            required
            data-testid="user-form-roles"
            {...form.getInputProps("roles")}
          />
        )}
        {!editing && (
          <PasswordInput
            label="Password"
            description="Optional"
            autoComplete="new-password"
            data-testid="user-form-password"
            {...form.getInputProps("password")}
          />
        )}
        {noPassword && (
          <Alert color="blue" icon={<IconMail size={18} />} data-testid="user-invite-note">
            Without a password, the user is sent an invitation e-mail with a link to set one.
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || update.isPending} data-testid="user-form-submit">
            {editing ? "Save" : noPassword ? "Create and invite" : "Create user"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
