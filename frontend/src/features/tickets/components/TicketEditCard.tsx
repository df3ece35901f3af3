import { Alert, Button, Group, Select, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";
import { isApiError } from "@/api";
import { nullIfBlank } from "@/lib/forms";
import { errorMessage, notifySuccess } from "@/lib/notify";
import { useUpdateTicket, type TicketDetail, type TicketPriority, type TicketUpdate } from "../api";
import { TAG_RE, TICKET_PRIORITIES, TICKET_PRIORITY_LABELS } from "../constants";
import { AssigneeSelect } from "./AssigneeSelect";

interface Draft {
  assignee_user_id: number | null;
  priority: TicketPriority;
  team: string;
  tags: string[];
}

const draftOf = (ticket: TicketDetail): Draft => ({
  assignee_user_id: ticket.assignee_user_id,
  priority: ticket.priority,
  team: ticket.team ?? "",
  tags: ticket.tags,
});

/** Only what changed: a PATCH leaves the rest alone (tags are replaced as a whole). */
export function changesOf(ticket: TicketDetail, draft: Draft): TicketUpdate {
  const team = nullIfBlank(draft.team);
  const sameTags = draft.tags.length === ticket.tags.length && draft.tags.every((t, i) => t === ticket.tags[i]);
  return {
    ...(draft.assignee_user_id !== ticket.assignee_user_id ? { assignee_user_id: draft.assignee_user_id } : {}),
    ...(draft.priority !== ticket.priority ? { priority: draft.priority } : {}),
    ...(team !== ticket.team ? { team } : {}),
    ...(sameTags ? {} : { tags: draft.tags }),
  };
}

/** Who works the ticket, its priority (the due time follows), team and tags. */
export function TicketEditCard({ ticket, canWrite }: { ticket: TicketDetail; canWrite: boolean }) {
  const update = useUpdateTicket(ticket.ticket_id);
  const [draft, setDraft] = useState(() => draftOf(ticket));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const closed = ticket.status === "closed";
  const readOnly = !canWrite || closed;
  const changes = changesOf(ticket, draft);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const bad = draft.tags.find((t) => !TAG_RE.test(t));
    if (bad) return setErrors({ tags: `“${bad}”: lower-case letters, digits and -, at most 32 characters` });
    setErrors({});
    setFailure(null);
    update.mutate(changes, {
      onSuccess: (saved) => {
        setDraft(draftOf(saved));
        notifySuccess(`#${saved.ticket_id} saved.`);
      },
      onError: (error) => {
        const fields = isApiError(error)
          ? Object.fromEntries(Object.entries(error.fieldErrors).map(([path, m]) => [path.split(".")[0], m]))
          : {};
        setErrors(fields);
        if (!Object.keys(fields).length) setFailure(errorMessage(error));
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate data-testid="ticket-edit">
      <Stack gap="sm">
        {failure && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="ticket-edit-error">
            {failure}
          </Alert>
        )}
        {closed && (
          <Text size="sm" c="dimmed">
            A closed ticket is not changed any more.
          </Text>
        )}
        {readOnly ? null : (
          <AssigneeSelect
            value={draft.assignee_user_id}
            onChange={(assignee_user_id) => set({ assignee_user_id })}
            error={errors.assignee_user_id}
            testId="ticket-edit-assignee"
          />
        )}
        <Select
          label="Priority"
          description="The due time follows"
          data={TICKET_PRIORITIES.map((p) => ({ value: p, label: TICKET_PRIORITY_LABELS[p] }))}
          value={draft.priority}
          onChange={(p) => p && set({ priority: p as TicketPriority })}
          allowDeselect={false}
          readOnly={readOnly}
          error={errors.priority}
          data-testid="ticket-edit-priority"
        />
        <TextInput
          label="Team"
          value={draft.team}
          onChange={(e) => set({ team: e.currentTarget.value })}
          maxLength={50}
          readOnly={readOnly}
          error={errors.team}
          data-testid="ticket-edit-team"
        />
        <TagsInput
          label="Tags"
          value={draft.tags}
          onChange={(tags) => set({ tags: [...new Set(tags.map((t) => t.trim().toLowerCase()))] })}
          readOnly={readOnly}
          clearable={!readOnly}
          error={errors.tags}
          data-testid="ticket-edit-tags"
        />
        {!readOnly && (
          <Group justify="flex-end" gap="xs">
            <Button
              variant="default"
              disabled={Object.keys(changes).length === 0}
              onClick={() => {
                setDraft(draftOf(ticket));
                setErrors({});
              }}
            >
              Undo
            </Button>
            <Button
              type="submit"
              disabled={Object.keys(changes).length === 0}
              loading={update.isPending}
              data-testid="ticket-edit-save"
            >
              Save
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
