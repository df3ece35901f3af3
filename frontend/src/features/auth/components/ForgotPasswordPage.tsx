import { Alert, Anchor, Button, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertCircle, IconMailForward, IconMailQuestion } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { Link } from "react-router";
import { z } from "zod";
import { isApiError } from "@/api";
import { errorMessage } from "@/lib/notify";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useForgotPassword } from "../api";
import { PublicCard } from "./PublicCard";

const schema = z.object({
  email: z.string().trim().min(1, "Enter your e-mail address").pipe(z.email("Enter a valid e-mail address")),
});

/** Ask for a reset link. The answer never says whether the account exists. */
export function ForgotPasswordPage() {
  useDocumentTitle("Forgot password");
  const forgot = useForgotPassword();
  const form = useForm({ mode: "controlled", initialValues: { email: "" }, validate: zod4Resolver(schema) });

  const submit = form.onSubmit(({ email }) => forgot.mutate(email.trim()));

  return (
    <PublicCard
      icon={<IconMailQuestion size={32} />}
      title="Forgot your password?"
      subtitle="Enter your e-mail address and we will send you a link to set a new one."
    >
      {forgot.isSuccess ? (
        <Stack>
          <Alert color="teal" icon={<IconMailForward size={18} />} data-testid="forgot-sent">
            If an account exists for {form.values.email.trim()}, an e-mail with a reset link is on its way. The link
            works for one hour.
          </Alert>
          <Anchor component={Link} to="/login" ta="center" size="sm" data-testid="back-to-login">
            Back to sign in
          </Anchor>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            {forgot.isError && (
              <Alert color="red" icon={<IconAlertCircle size={18} />} data-testid="forgot-error">
                {isApiError(forgot.error, "rate_limited")
                  ? `Too many requests, try again in ${forgot.error.retryAfter ?? 60} s`
                  : errorMessage(forgot.error)}
              </Alert>
            )}
            <TextInput
              label="E-mail"
              type="email"
              autoComplete="username"
              autoFocus
              required
              data-testid="forgot-email"
              {...form.getInputProps("email")}
            />
            <Button type="submit" fullWidth loading={forgot.isPending} data-testid="forgot-submit">
              Send reset link
            </Button>
            <Text size="sm" ta="center">
              <Anchor component={Link} to="/login" data-testid="back-to-login">
                Back to sign in
              </Anchor>
            </Text>
          </Stack>
        </form>
      )}
    </PublicCard>
  );
}
