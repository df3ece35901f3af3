import { Alert, Button, Card, Group, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconCircleCheck, IconPassword } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { z } from "zod";
import { isApiError } from "@/api";
import { showFormError } from "@/lib/forms";
import { useChangePassword } from "../api";
import { authKeys } from "../api/keys";
import { newPasswordSchema } from "../passwordPolicy";

const schema = z
  .object({
    current_password: z.string().min(1, "Enter your current password"),
    new_password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.new_password === v.confirm, { path: ["confirm"], message: "The passwords do not match" })
  .refine((v) => !v.new_password || v.new_password !== v.current_password, {
    path: ["new_password"],
    message: "Choose a password different from the current one",
  });

type Values = z.infer<typeof schema>;

/** Change one's password; the server then signs out every other session (this one stays). */
export function ChangePasswordCard() {
  const change = useChangePassword();
  const queryClient = useQueryClient();
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { current_password: "", new_password: "", confirm: "" },
    validate: zod4Resolver(schema),
  });

  const submit = form.onSubmit(({ current_password, new_password }) =>
    change.mutate(
      { current_password, new_password },
      {
        onSuccess: () => {
          form.reset();
          void queryClient.invalidateQueries({ queryKey: authKeys.sessions() });
        },
        onError: (error) => {
          if (isApiError(error, "rate_limited")) {
            form.setFieldError("current_password", `Too many attempts, try again in ${error.retryAfter ?? 60} s`);
          } else showFormError(form, error);
        },
      },
    ),
  );

  return (
    <Card withBorder radius="md" padding="lg" id="password">
      <Group gap="xs" mb="md">
        <IconPassword size={20} />
        <Title order={4}>Password</Title>
      </Group>
      <form onSubmit={submit} noValidate>
        <Stack maw={420}>
          {change.isSuccess && (
            <Alert color="teal" icon={<IconCircleCheck size={18} />} data-testid="password-changed">
              Your password is changed. You were signed out on every other device; this one stays signed in.
            </Alert>
          )}
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            required
            data-testid="password-current"
            {...form.getInputProps("current_password")}
          />
          <PasswordInput
            label="New password"
            description="At least 8 characters; not your e-mail address"
            autoComplete="new-password"
            required
            data-testid="password-new"
            {...form.getInputProps("new_password")}
          />
          <PasswordInput
            label="Repeat the new password"
            autoComplete="new-password"
            required
            data-testid="password-confirm"
            {...form.getInputProps("confirm")}
          />
          <Text size="xs" c="dimmed">
            Changing it signs you out on every other device.
          </Text>
          <Group>
            <Button type="submit" loading={change.isPending} data-testid="password-submit">
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
