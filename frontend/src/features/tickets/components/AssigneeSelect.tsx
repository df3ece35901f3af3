import { Select } from "@mantine/core";
import { useSession } from "@/api";
import { displayName, useStaffUsers } from "../api";

interface AssigneeSelectProps {
  /** The assignee's user id; null: unassigned. */
  value: number | null;
  onChange: (userId: number | null) => void;
  label?: string;
  description?: string;
  error?: string;
  testId?: string;
}

/**
 * Who works the ticket: the signed-in user first, then the staff (with `user.read`); clearing
 * it leaves the ticket unassigned. The API refuses (422) someone who cannot work tickets.
 */
export function AssigneeSelect({
  value,
  onChange,
  label = "Assignee",
  description,
  error,
  testId,
}: AssigneeSelectProps) {
  const me = useSession((s) => s.user);
  const staff = useStaffUsers();
  const options = [
    ...(me ? [{ value: String(me.id), label: `${displayName(me)} (me)` }] : []),
    ...(staff.data ?? []).filter((u) => u.id !== me?.id).map((u) => ({ value: String(u.id), label: displayName(u) })),
  ];
  if (value !== null && !options.some((o) => o.value === String(value))) {
    options.push({ value: String(value), label: `User #${value}` });
  }
  return (
    <Select
      label={label}
      description={description}
      placeholder="Unassigned"
      data={options}
      value={value === null ? null : String(value)}
      onChange={(v) => onChange(v ? Number(v) : null)}
      clearable
      searchable
      error={error}
      data-testid={testId}
    />
  );
}
