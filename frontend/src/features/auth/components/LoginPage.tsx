import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { IconAlertCircle, IconCircleCheck, IconClockX, IconLock, IconShieldLock } from "@tabler/icons-react";
import { zod4Resolver } from "mantine-form-zod-resolver";
import { useEffect, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { z } from "zod";
import { isApiError, useSession } from "@/api";
import { errorMessage } from "@/lib/notify";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { useLogin } from "../api";
import { returnPath } from "../returnPath";

const schema = z.object({
  email: z.string().trim().min(1, "Enter your email").pipe(z.email("Enter a valid email")),
  password: z.string().min(1, "Enter your password"),
  totp: z.string(),
});

type Values = z.infer<typeof schema>;
type Step = "credentials" | "totp";

/** A 6-digit authenticator code, or a backup code (letters, digits, dashes). */
const TOTP_PATTERN = /^(\d{6}|[A-Za-z0-9-]{8,20})$/;

/** Seconds left of a lockout (429 Retry-After), ticking down once a second. */
function useCountdown() {
  const [until, setUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return undefined;
    const id = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= until) setUntil(null);
    }, 1000);
    return () => clearInterval(id);
  }, [until]);
  const remaining = until ? Math.max(0, Math.ceil((until - now) / 1000)) : 0;
  return {
    remaining,
    start: (seconds: number) => {
      // One clock reading for both, or a millisecond tick between them shows "31 s" for a 30 s wait.
      const started = Date.now();
      setNow(started);
      setUntil(started + seconds * 1000);
    },
  };
}

export function LoginPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const login = useLogin();
  const [step, setStep] = useState<Step>("credentials");
  const [alert, setAlert] = useState<string | null>(null);
  const lockout = useCountdown();
  const expired = useSession((s) => s.expired);
  useDocumentTitle("Sign in");

  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { email: "", password: "", totp: "" },
    validate: zod4Resolver(schema),
  });

  const destination = returnPath(location.state, location.search);
  // A message handed over by the page that sent the user here (a password just set).
  const notice = (location.state as { notice?: unknown } | null)?.notice;

  const submit = form.onSubmit((values) => {
    setAlert(null);
    const totp = values.totp.trim().replace(/\s+/g, "");
    if (step === "totp" && !TOTP_PATTERN.test(totp)) {
      form.setFieldError("totp", "Enter the 6-digit code or a backup code");
      return;
    }
    login.mutate(
      { email: values.email.trim(), password: values.password, ...(step === "totp" ? { totp } : {}) },
      {
        onSuccess: () => navigate(destination, { replace: true }),
        onError: (error) => {
          if (isApiError(error, "totp_required")) {
            if (step === "totp") form.setFieldError("totp", "That code is not valid. Try again.");
            else setStep("totp");
            form.setFieldValue("totp", "");
          } else if (isApiError(error, "invalid_credentials")) {
            setStep("credentials");
            setAlert("Invalid email or password.");
          } else if (isApiError(error, "rate_limited")) {
            lockout.start(error.retryAfter ?? 60);
          } else if (isApiError(error) && Object.keys(error.fieldErrors).length) {
            form.setErrors(error.fieldErrors);
          } else {
            setAlert(errorMessage(error));
          }
        },
      },
    );
  });

  const locked = lockout.remaining > 0;

  return (
    <Center mih="100vh" bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-8))" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w={400} maw="100%">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Stack gap={4} align="center">
              {step === "credentials" ? <IconLock size={32} /> : <IconShieldLock size={32} />}
              <Title order={2}>OmniCRM</Title>
              <Text c="dimmed" size="sm" ta="center">
                {step === "credentials"
                  ? "Sign in to your account"
                  : "Enter the code from your authenticator app, or one of your backup codes."}
              </Text>
            </Stack>

            {typeof notice === "string" && !alert && !locked && (
              <Alert color="teal" icon={<IconCircleCheck size={18} />} data-testid="login-notice">
                {notice}
              </Alert>
            )}
            {expired && !alert && !locked && typeof notice !== "string" && (
              <Alert color="yellow" icon={<IconClockX size={18} />} data-testid="login-session-expired">
                Your session has ended. Sign in again to continue.
              </Alert>
            )}
            {locked && (
              <Alert color="orange" icon={<IconAlertCircle size={18} />} data-testid="login-rate-limited">
                Too many attempts, try again in {lockout.remaining} s
              </Alert>
            )}
            {alert && !locked && (
              <Alert color="red" icon={<IconAlertCircle size={18} />} data-testid="login-error">
                {alert}
              </Alert>
            )}

            {step === "credentials" ? (
              <>
                <TextInput
                  label="Email"
                  type="email"
                  autoComplete="username"
                  required
                  autoFocus
                  data-testid="login-email"
                  {...form.getInputProps("email")}
                />
                <PasswordInput
                  label="Password"
                  autoComplete="current-password"
                  required
                  data-testid="login-password"
                  {...form.getInputProps("password")}
                />
              </>
            ) : (
              <TextInput
                label="Authentication code"
                placeholder="123456"
                autoComplete="one-time-code"
                inputMode="text"
                autoFocus
                maxLength={20}
                data-testid="login-totp"
                {...form.getInputProps("totp")}
              />
            )}

            <Button type="submit" fullWidth loading={login.isPending} disabled={locked} data-testid="login-submit">
              {step === "credentials" ? "Sign in" : "Verify"}
            </Button>

            {step === "credentials" && (
              <Anchor component={Link} to="/forgot-password" size="sm" ta="center" data-testid="login-forgot">
                Forgot your password?
              </Anchor>
            )}

            {step === "totp" && (
              <Anchor
                component="button"
                type="button"
                size="sm"
                ta="center"
                onClick={() => {
                  setStep("credentials");
                  form.setFieldValue("totp", "");
                  form.clearFieldError("totp");
                }}
              >
                Back to sign in
              </Anchor>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
