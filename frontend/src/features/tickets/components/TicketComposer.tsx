import { Alert, Button, Group, SegmentedControl, Stack, Text, Textarea } from "@mantine/core";
import { IconAlertTriangle, IconLock, IconSend } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useAddComment } from "../api";

const MAX_BODY = 20_000;

/**
 * Write on the ticket: an internal note (staff only, the default) or a reply the customer is
 * e-mailed. An internal ticket (not `customer_visible`) takes notes only.
 */
export function TicketComposer({ ticketId, customerVisible }: { ticketId: number; customerVisible: boolean }) {
  const add = useAddComment(ticketId);
  const [internal, setInternal] = useState(true);
  const [body, setBody] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return setInvalid(internal ? "Write the note" : "Write the reply");
    if (body.length > MAX_BODY) return setInvalid(`At most ${MAX_BODY.toLocaleString()} characters`);
    setInvalid(null);
    setFailure(null);
    add.mutate(
      { body, internal },
      {
        onSuccess: () => {
          notifySuccess(internal ? "Note added." : "Reply sent to the customer.");
          setBody("");
        },
        onError: (error) => setFailure(errorMessage(error)),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate data-testid="ticket-composer">
      <Stack gap="sm">
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="ticket-comment-error">
            {failure}
          </Alert>
        )}
        <Group justify="space-between" wrap="wrap">
          <SegmentedControl
            aria-label="Comment kind"
            data={[
              { value: "note", label: "Internal note" },
              { value: "reply", label: "Reply to customer", disabled: !customerVisible },
            ]}
            value={internal ? "note" : "reply"}
            onChange={(kind) => setInternal(kind === "note")}
            color={internal ? "yellow" : "blue"}
            data-testid="ticket-comment-internal"
            data-internal={internal}
          />
          <Text size="xs" c="dimmed">
            {!customerVisible
              ? "An internal ticket: the customer sees nothing of it."
              : internal
                ? "Staff only: the customer never sees it."
                : "The customer sees it and is e-mailed."}
          </Text>
        </Group>
        <Textarea
          aria-label={internal ? "Internal note" : "Reply to customer"}
          placeholder={internal ? "A note for the team…" : "Your reply to the customer…"}
          autosize
          minRows={3}
          maxRows={12}
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          error={invalid}
          data-testid="ticket-comment-body"
        />
        <Group justify="flex-end">
          <Button
            type="submit"
            color={internal ? "yellow" : "blue"}
            leftSection={internal ? <IconLock size={16} /> : <IconSend size={16} />}
            loading={add.isPending}
            data-testid="ticket-comment-submit"
          >
            {internal ? "Add note" : "Send reply"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
