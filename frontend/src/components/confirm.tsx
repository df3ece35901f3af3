import { Text } from "@mantine/core";
import { modals } from "@mantine/modals";

interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
}

/** A yes/no dialog for destructive actions (archive, delete, revoke). */
export function confirmAction({ title, message, confirmLabel, danger = true, onConfirm }: ConfirmOptions) {
  modals.openConfirmModal({
    title,
    children: <Text size="sm">{message}</Text>,
    labels: { confirm: confirmLabel, cancel: "Cancel" },
    confirmProps: { color: danger ? "red" : undefined, "data-testid": "confirm-action" } as Record<string, unknown>,
    onConfirm,
  });
}
