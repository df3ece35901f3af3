import { Alert, Button, Group, Stack, Switch, Text } from "@mantine/core";
import { IconAlertTriangle, IconDeviceFloppy } from "@tabler/icons-react";
import { useState } from "react";
import { usePermission } from "@/api";
import { DetailCard, QueryState } from "@/components";
import { errorMessage, notifySuccess } from "@/lib/notify";
import {
  useNotificationPreferences,
  useSavePreferences,
  type NotificationPreference,
  type OptionalCategory,
} from "../api";

const ON_TRACK = {
  backgroundColor: "var(--mantine-primary-color-light)",
  borderColor: "var(--mantine-primary-color-light)",
};

function PreferenceRow({
  preference,
  subscribed,
  readOnly,
  onChange,
}: {
  preference: NotificationPreference;
  subscribed: boolean;
  readOnly: boolean;
  onChange: (subscribed: boolean) => void;
}) {
  const { category, label, required } = preference;
  return (
    <Group
      justify="space-between"
      wrap="nowrap"
      data-testid="notification-preference"
      data-category={category}
      data-required={required}
    >
      <Switch
        label={label}
        checked={required || subscribed}
        disabled={required || readOnly}
        onChange={(e) => onChange(e.currentTarget.checked)}
        // Disabled but on: keep the track coloured, so it reads as "sent".
        styles={required || (readOnly && subscribed) ? { track: ON_TRACK } : undefined}
        data-testid={`notification-pref-${category}`}
      />
      {required && (
        <Text size="xs" c="dimmed" data-testid="notification-pref-always">
          always sent
        </Text>
      )}
    </Group>
  );
}

/**
 * Which categories of messages the customer receives. Required ones (account, billing) are
 * always sent; the others are switched with customer.write and saved together.
 */
function PreferencesForm({ customerId, preferences }: { customerId: number; preferences: NotificationPreference[] }) {
  const canWrite = usePermission("customer.write");
  const save = useSavePreferences(customerId);
  const saved = preferences.filter((p) => !p.required && !p.subscribed).map((p) => p.category);
  // null: as saved.
  const [edited, setEdited] = useState<string[] | null>(null);
  const optedOut = edited ?? saved;
  const dirty = edited !== null && [...edited].sort().join() !== [...saved].sort().join();
  const toggle = (category: string, subscribed: boolean) =>
    setEdited(subscribed ? optedOut.filter((c) => c !== category) : [...optedOut, category]);
  const submit = () =>
    save.mutate(optedOut as OptionalCategory[], {
      onSuccess: () => {
        setEdited(null);
        notifySuccess("Message preferences saved.");
      },
    });

  return (
    <Stack gap="sm">
      {save.error && (
        <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="notification-preferences-error">
          {errorMessage(save.error)}
        </Alert>
      )}
      {preferences.map((p) => (
        <PreferenceRow
          key={p.category}
          preference={p}
          subscribed={!optedOut.includes(p.category)}
          readOnly={!canWrite}
          onChange={(subscribed) => toggle(p.category, subscribed)}
        />
      ))}
      {canWrite ? (
        <Group justify="flex-end">
          <Button
            leftSection={<IconDeviceFloppy size={16} />}
            onClick={submit}
            disabled={!dirty}
            loading={save.isPending}
            data-testid="notification-preferences-save"
          >
            Save preferences
          </Button>
        </Group>
      ) : (
        <Text size="xs" c="dimmed">
          Changing them needs the customer.write permission.
        </Text>
      )}
    </Stack>
  );
}

export function PreferencesCard({ customerId }: { customerId: number }) {
  const preferences = useNotificationPreferences(customerId);
  return (
    <DetailCard title="Messages the customer receives" testId="notification-preferences">
      <QueryState query={preferences}>
        {(p) => <PreferencesForm customerId={customerId} preferences={p.preferences} />}
      </QueryState>
    </DetailCard>
  );
}
