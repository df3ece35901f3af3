import { Alert, Anchor, Button, PasswordInput, Stack, Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertCircle, IconKey } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { z } from "zod";
import { isApiError } from "@/api";
import { errorMessage } from "@/lib/notify";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useResetPassword } from "../api";
import { newPasswordSchema } from "../passwordPolicy";
import { PublicCard } from "./PublicCard";

const schema = z
  .object({ password: newPasswordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords do not match" });

/** What the API's 422 on `token` means to the person holding the link. */
export const INVALID_LINK =
  "This link is invalid, was already used or has expired (a reset link works for one hour). Ask for a new one.";

/**
 * Set a new password with the token from the mailed link (`/reset-password?token=…`, the same
 * link a new user's invitation carries), then sign in with it.
 */
export function ResetPasswordPage() {
  useDocumentTitle("Set a new password");
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const navigate = useNavigate();
  const reset = useResetPassword();
  const [linkError, setLinkError] = useState<string | null>(token.length >= 10 ? null : INVALID_LINK);

  const form = useForm({
    mode: "controlled",
    initialValues: { password: "", confirm: "" },
    validate: zod4Resolver(schema),
  });

  const submit = form.onSubmit(({ password }) =>
    reset.mutate(
      { token, password },
      {
        onSuccess: () =>
          navigate("/login", {
            replace: true,
            state: { notice: "Your password is set. Sign in with it." },
          }),
        onError: (error) => {
          if (isApiError(error) && error.fieldErrors.token) setLinkError(INVALID_LINK);
          else if (isApiError(error) && error.fieldErrors.password)
            form.setFieldError("password", `Password ${error.fieldErrors.password}`);
          else form.setFieldError("password", errorMessage(error));
        },
      },
    ),
  );

  return (
    <PublicCard
      icon={<IconKey size={32} />}
      title="Set a new password"
      subtitle="Choose the password you will sign in with."
    >
      {linkError ? (
        <Stack>
          <Alert color="red" icon={<IconAlertCircle size={18} />} data-testid="reset-invalid">
            {linkError}
          </Alert>
          <Button component={Link} to="/forgot-password" variant="light" data-testid="reset-request-new">
            Send me a new link
          </Button>
          <Anchor component={Link} to="/login" ta="center" size="sm">
            Back to sign in
          </Anchor>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <PasswordInput
              label="New password"
              description="At least 8 characters; not your e-mail address"
              autoComplete="new-password"
              autoFocus
              required
              data-testid="reset-password"
              {...form.getInputProps("password")}
            />
            <PasswordInput
              label="Repeat it"
              autoComplete="new-password"
              required
              data-testid="reset-confirm"
              {...form.getInputProps("confirm")}
            />
            <Text size="xs" c="dimmed">
              Setting it signs you out everywhere else.
            </Text>
            <Button type="submit" fullWidth loading={reset.isPending} data-testid="reset-submit">
              Set password
            </Button>
          </Stack>
        </form>
      )}
    </PublicCard>
  );
}
