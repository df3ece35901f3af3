import { Alert, Button, Group, Modal, Stack, Textarea } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import type { UseMutationResult } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, notifySuccess } from "@/lib/notify";

interface ReasonModalProps {
  /** The modal is open while this is set. */
  title: string | null;
  confirmLabel: string;
  danger?: boolean;
  description?: string;
  /** The reason may be left blank (the submit gets ""). */
  optional?: boolean;
  pending: boolean;
  /** The API's message (a 409 `invalid_transition`, say), shown above the form. */
  error: string | null;
  onSubmit: (reason: string) => void;
  onClose: () => void;
}

const MAX_REASON = 500;

function ReasonForm({
  confirmLabel,
  danger,
  description,
  optional,
  pending,
  error,
  onSubmit,
  onClose,
}: ReasonModalProps) {
  const [reason, setReason] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const text = reason.trim();
    if (!text && !optional) return setInvalid("A reason is required");
    if (text.length > MAX_REASON) return setInvalid(`At most ${MAX_REASON} characters`);
    setInvalid(null);
    onSubmit(text);
  };
  return (
    <form onSubmit={submit} noValidate data-testid="reason-form">
      <Stack>
        {error && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="reason-error">
            {error}
          </Alert>
        )}
        <Textarea
          label={optional ? "Reason (optional)" : "Reason"}
          description={description}
          required={!optional}
          autosize
          minRows={2}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={invalid}
          data-testid="reason-input"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" color={danger ? "red" : undefined} loading={pending} data-testid="reason-submit">
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A lifecycle action with a reason (1–500 characters, or blank when `optional`), the API's refusal shown inline. */
export function ReasonModal(props: ReasonModalProps) {
  return (
    <Modal opened={props.title !== null} onClose={props.onClose} title={props.title ?? ""}>
      {props.title !== null && <ReasonForm {...props} />}
    </Modal>
  );
}

/**
 * The state behind a `ReasonModal`: which action is open, the API's refusal, and a submit that
 * runs `mutation` with `{action, reason}`, toasts `done(result)` and closes on success.
 */
export function useReasonAction<A extends string, R>(
  mutation: UseMutationResult<R, Error, { action: A; reason: string }>,
  done: (result: R) => string,
) {
  const [action, setAction] = useState<A | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const open = (next: A) => {
    setFailure(null);
    setAction(next);
  };
  const submit = (reason: string) => {
    if (!action) return;
    setFailure(null);
    mutation.mutate(
      { action, reason },
      {
        onSuccess: (result) => {
          notifySuccess(done(result));
          setAction(null);
        },
        onError: (error) => setFailure(errorMessage(error)),
      },
    );
  };
  return { action, failure, open, close: () => setAction(null), submit, pending: mutation.isPending };
}
