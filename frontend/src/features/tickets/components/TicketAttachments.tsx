import { Alert, Button, FileButton, Group, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconPaperclip } from "@tabler/icons-react";
import { useRef, useState, type ComponentPropsWithoutRef } from "react";
import { isApiError } from "@/api";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useUploadAttachment, type TicketDetail } from "../api";
import { ATTACHMENT_ACCEPT, ATTACHMENT_LIMITS } from "../constants";
import { AttachmentDownload, formatSize } from "./TicketTimeline";

/** Why an upload was refused, in the API's words: too large (413), a type or content refused (422). */
export function uploadProblem(error: unknown): string {
  if (isApiError(error) && error.status === 413) {
    // A proxy in front of the API may answer 413 itself, with no message of ours.
    return `The file is too large: ${error.code === "payload_too_large" ? error.message : "at most 5 MB"}.`;
  }
  if (isApiError(error) && error.status === 422) {
    return `The file was refused: ${error.fieldErrors.file ?? error.message}.`;
  }
  return errorMessage(error);
}

/** The ticket's files: download them, attach another (not once it is closed). */
export function TicketAttachments({ ticket, canWrite }: { ticket: TicketDetail; canWrite: boolean }) {
  const upload = useUploadAttachment(ticket.ticket_id);
  const reset = useRef<() => void>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const open = ticket.status !== "closed";

  const send = (file: File | null) => {
    reset.current?.();
    if (!file) return;
    setFailure(null);
    upload.mutate(file, {
      onSuccess: (attachment) => notifySuccess(`${attachment.filename} attached.`),
      onError: (error) => setFailure(uploadProblem(error)),
    });
  };

  return (
    <Stack gap="sm" data-testid="ticket-attachments">
      {ticket.attachments.length === 0 ? (
        <Text size="sm" c="dimmed">
          No files
        </Text>
      ) : (
        <Stack gap={4}>
          {ticket.attachments.map((a) => (
            <Group key={a.attachment_id} gap="xs" wrap="nowrap" data-testid="ticket-attachment">
              <AttachmentDownload ticketId={ticket.ticket_id} attachment={a} />
              <Text size="sm" style={{ wordBreak: "break-all" }}>
                {a.filename}
              </Text>
              <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                {formatSize(a.size)}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
      {canWrite && open && (
        <>
          {failure && (
            <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="ticket-attachment-error">
              {failure}
            </Alert>
          )}
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <FileButton
              onChange={send}
              accept={ATTACHMENT_ACCEPT}
              resetRef={reset}
              inputProps={{ "data-testid": "ticket-attachment-input" } as ComponentPropsWithoutRef<"input">}
            >
              {(props) => (
                <Button
                  {...props}
                  variant="default"
                  leftSection={<IconPaperclip size={16} />}
                  loading={upload.isPending}
                  data-testid="ticket-attachment-upload"
                >
                  Attach a file
                </Button>
              )}
            </FileButton>
            <Text size="xs" c="dimmed" data-testid="ticket-attachment-limits">
              {ATTACHMENT_LIMITS}
            </Text>
          </Group>
        </>
      )}
    </Stack>
  );
}
