import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Image,
  PasswordInput,
  PinInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconAlertTriangle, IconShieldCheck } from "@tabler/icons-react";
import { useState } from "react";
import { isApiError, useSession, type TwoFactorSetup } from "@/api";
import { notifyError } from "@/lib/notify";
import { useDisableTwoFactor, useEnableTwoFactor, useRegenerateBackupCodes, useTwoFactorSetup } from "../api";

/** The QR code as an <img>, so the SVG is shown as a picture and never runs as markup. */
function QrCode({ svg }: { svg: string }) {
  return (
    <Image
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
      alt="QR code for your authenticator app"
      w={200}
      h={200}
      fit="contain"
      data-testid="twofa-qr"
    />
  );
}

function codeError(error: unknown): string {
  if (isApiError(error)) return error.fieldErrors.code ?? error.message;
  return "Could not verify the code";
}

function BackupCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <Stack>
      <Alert color="yellow" icon={<IconAlertTriangle size={18} />} title="Save your backup codes">
        Each code signs you in once if you lose your authenticator. They are shown only now.
      </Alert>
      <SimpleGrid cols={{ base: 2, sm: 4 }} data-testid="twofa-backup-codes">
        {codes.map((code) => (
          <Code key={code} block ta="center">
            {code}
          </Code>
        ))}
      </SimpleGrid>
      <Group>
        <CopyButton value={codes.join("\n")}>
          {({ copied, copy }) => (
            <Button variant="light" onClick={copy}>
              {copied ? "Copied" : "Copy codes"}
            </Button>
          )}
        </CopyButton>
        <Button onClick={onDone}>I have saved them</Button>
      </Group>
    </Stack>
  );
}

interface EnableFlowProps {
  setup: TwoFactorSetup;
  /** Owned by the card, which outlives this flow: the backup codes must survive its unmount. */
  enable: ReturnType<typeof useEnableTwoFactor>;
  onCancel: () => void;
}

function EnableFlow({ setup, enable, onCancel }: EnableFlowProps) {
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | null>(null);

  return (
    <Stack>
      <Text size="sm">
        Scan the QR code with an authenticator app (or type the secret), then enter the 6-digit code it shows and your
        password. Turning it on signs you out on every other device.
      </Text>
      <Group align="flex-start" gap="xl">
        <QrCode svg={setup.qr_svg} />
        <Stack gap="xs">
          <Text size="sm" fw={500}>
            Secret
          </Text>
          <Code data-testid="twofa-secret">{setup.secret}</Code>
          <Text size="sm" fw={500} mt="md">
            Code
          </Text>
          <PinInput
            length={6}
            type="number"
            oneTimeCode
            value={code}
            onChange={setCode}
            error={!!error}
            aria-label="Authenticator code"
            data-testid="twofa-code"
          />
          {error && (
            <Text c="red" size="sm">
              {error}
            </Text>
          )}
          <PasswordInput
            label="Your password"
            description="Asked again to turn two-factor authentication on"
            autoComplete="current-password"
            value={password}
            onChange={(e) => {
              setPassword(e.currentTarget.value);
              setPasswordError(null);
            }}
            error={passwordError}
            w={260}
            mt="md"
            data-testid="twofa-password"
          />
          <Group mt="sm">
            <Button
              disabled={code.length !== 6 || !password}
              loading={enable.isPending}
              data-testid="twofa-enable"
              onClick={() =>
                enable.mutate(
                  { code, password },
                  {
                    onError: (e) => {
                      const wrongPassword = isApiError(e) ? e.fieldErrors.password : undefined;
                      if (wrongPassword) {
                        setPasswordError(`Password ${wrongPassword}`);
                        setPassword("");
                      } else {
                        setError(codeError(e));
                        setCode("");
                      }
                    },
                  },
                )
              }
            >
              Enable two-factor authentication
            </Button>
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </Group>
    </Stack>
  );
}

/** With 2FA on, a current code either turns it off or replaces the backup codes. */
function ManageForm({ regenerate }: { regenerate: ReturnType<typeof useRegenerateBackupCodes> }) {
  const disable = useDisableTwoFactor();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const onError = (e: unknown) => setError(codeError(e));
  return (
    <Group align="flex-end">
      <TextInput
        label="Code from your authenticator (or a backup code)"
        value={code}
        onChange={(e) => {
          setCode(e.currentTarget.value);
          setError(null);
        }}
        error={error}
        autoComplete="one-time-code"
        w={320}
        data-testid="twofa-disable-code"
      />
      <Button
        variant="default"
        disabled={!code.trim()}
        loading={regenerate.isPending}
        data-testid="twofa-regenerate"
        onClick={() => regenerate.mutate(code.trim(), { onError })}
      >
        New backup codes
      </Button>
      <Button
        color="red"
        variant="light"
        disabled={!code.trim()}
        loading={disable.isPending}
        data-testid="twofa-disable"
        onClick={() => disable.mutate(code.trim(), { onError })}
      >
        Disable
      </Button>
    </Group>
  );
}

export function TwoFactorCard() {
  const enabled = useSession((s) => s.user?.is_2fa_enabled ?? false);
  const setup = useTwoFactorSetup();
  const enable = useEnableTwoFactor();
  const regenerate = useRegenerateBackupCodes();
  const backupCodes = enable.data?.backup_codes ?? regenerate.data?.backup_codes ?? null;

  return (
    <Card withBorder radius="md" padding="lg">
      <Group justify="space-between" mb="md">
        <Group gap="xs">
          <IconShieldCheck size={20} />
          <Title order={4}>Two-factor authentication</Title>
        </Group>
        <Badge color={enabled ? "teal" : "gray"} data-testid="twofa-status">
          {enabled ? "On" : "Off"}
        </Badge>
      </Group>

      {backupCodes ? (
        <BackupCodes
          codes={backupCodes}
          onDone={() => {
            enable.reset();
            regenerate.reset();
            setup.reset();
          }}
        />
      ) : enabled ? (
        <ManageForm regenerate={regenerate} />
      ) : setup.data ? (
        <EnableFlow setup={setup.data} enable={enable} onCancel={() => setup.reset()} />
      ) : (
        <Stack align="flex-start">
          <Text size="sm" c="dimmed">
            Protect your account with a code from an authenticator app on every sign-in.
          </Text>
          <Button
            loading={setup.isPending}
            data-testid="twofa-setup"
            onClick={() => setup.mutate(undefined, { onError: (e) => notifyError(e) })}
          >
            Set up two-factor authentication
          </Button>
        </Stack>
      )}
    </Card>
  );
}
