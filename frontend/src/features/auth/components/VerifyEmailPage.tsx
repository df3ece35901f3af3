import { Alert, Button, Center, Loader, Stack } from "@mantine/core";
import { IconAlertCircle, IconCircleCheck, IconMailCheck } from "@tabler/icons-react";
import { useEffect, useRef } from "react";
import { Link, useSearchParams } from "react-router";
import { isApiError } from "@/api";
import { errorMessage } from "@/lib/notify";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useConfirmEmail } from "../api";
import { PublicCard } from "./PublicCard";

/** Confirm the e-mail address from the mailed link (`/verify-email?token=…`), once, on arrival. */
export function VerifyEmailPage() {
  useDocumentTitle("Verify e-mail");
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const confirm = useConfirmEmail();
  const sent = useRef(false);

  useEffect(() => {
    // The token is single use: confirm it once, even when React runs effects twice.
    if (sent.current || token.length < 10) return;
    sent.current = true;
    confirm.mutate(token);
  }, [token, confirm]);

  const invalid = token.length < 10 || (confirm.isError && isApiError(confirm.error) && confirm.error.status === 422);

  return (
    <PublicCard icon={<IconMailCheck size={32} />} title="Verify your e-mail">
      <Stack>
        {invalid ? (
          <Alert color="red" icon={<IconAlertCircle size={18} />} data-testid="verify-invalid">
            This link is invalid, was already used or has expired (a verification link works for 48 hours). Sign in and
            ask for a new one.
          </Alert>
        ) : confirm.isError ? (
          <Alert color="red" icon={<IconAlertCircle size={18} />} data-testid="verify-error">
            {errorMessage(confirm.error)}
          </Alert>
        ) : confirm.isSuccess ? (
          <Alert color="teal" icon={<IconCircleCheck size={18} />} data-testid="verify-done">
            Your e-mail address is verified. Thank you!
          </Alert>
        ) : (
          <Center py="md">
            <Loader data-testid="verify-pending" />
          </Center>
        )}
        <Button component={Link} to="/login" variant="light" data-testid="verify-login">
          Go to sign in
        </Button>
      </Stack>
    </PublicCard>
  );
}
