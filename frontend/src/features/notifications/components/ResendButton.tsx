import { Alert, Button } from "@mantine/core";
import { IconAlertTriangle, IconSend } from "@tabler/icons-react";
import { usePermission } from "@/api";
import { confirmAction } from "@/components";
import { errorMessage, notifySuccess } from "@/lib/notify";
import type { useResendNotification, NotificationDetail } from "../api";
import { canResend } from "../constants";

function why(note: NotificationDetail): string | undefined {
  if (note.body_hidden) return "A one-time link is never sent again: the recipient asks for a new one";
  if (!canResend(note)) return "Only failed or bounced messages are sent again";
  return undefined;
}

/** "Send again" (notification.send): a failed or bounced message, after confirming. */
export function ResendButton({
  note,
  resend,
}: {
  note: NotificationDetail;
  resend: ReturnType<typeof useResendNotification>;
}) {
  const allowed = usePermission("notification.send");
  if (!allowed) return null;
  const start = () =>
    confirmAction({
      title: "Send this message again?",
      message: `It is queued again for ${note.recipient}, as it was written.`,
      confirmLabel: "Send again",
      danger: false,
      onConfirm: () =>
        resend.mutate(undefined, {
          onSuccess: () => notifySuccess(`Message #${note.notification_id} queued again.`),
        }),
    });
  return (
    <Button
      leftSection={<IconSend size={16} />}
      onClick={start}
      disabled={!canResend(note)}
      title={why(note)}
      loading={resend.isPending}
      data-testid="notification-resend"
    >
      Send again
    </Button>
  );
}

/** Why a resend was refused (409 `notification_not_resendable`, ...), under the header. */
export function ResendError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert
      color="red"
      icon={<IconAlertTriangle size={18} />}
      title="Not sent again"
      data-testid="notification-resend-error"
    >
      {errorMessage(error)}
    </Alert>
  );
}
