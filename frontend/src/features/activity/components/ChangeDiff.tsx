import { Table, Text } from "@mantine/core";
import type { Activity } from "@/api";
import { formatValue } from "@/lib/format";

type Snapshot = Record<string, unknown> | null | undefined;

/** One changed field as staff read it: a label and the values as text (null: absent). */
export interface LabelledChange {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

/** The fields an audit record changed: created (no before), deleted (no after) or updated. */
export function changedFields(before: Snapshot, after: Snapshot): { field: string; before: unknown; after: unknown }[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys]
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .sort()
    .map((field) => ({ field, before: before?.[field], after: after?.[field] }));
}

/** `address_line_1` → `Address line 1` (for rows the API did not label). */
export function humanize(field: string): string {
  const text = field.replace(/_/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The API's labelled changes, or (older payloads) the raw snapshots with humanised names. */
export function labelledChanges(
  activity: Pick<Activity, "before" | "after"> & { changes?: LabelledChange[] | null },
): LabelledChange[] {
  if (activity.changes) return activity.changes;
  return changedFields(activity.before, activity.after).map((c) => ({
    field: c.field,
    label: humanize(c.field),
    before: c.before === undefined ? null : formatValue(c.before),
    after: c.after === undefined ? null : formatValue(c.after),
  }));
}

export function ChangeDiff({
  activity,
}: {
  activity: Pick<Activity, "before" | "after"> & { changes?: LabelledChange[] | null };
}) {
  const rows = labelledChanges(activity);
  if (rows.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        No field changes recorded
      </Text>
    );
  }
  return (
    <Table withTableBorder withColumnBorders fz="xs" verticalSpacing={4} data-testid="activity-diff">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="25%">Field</Table.Th>
          <Table.Th>Before</Table.Th>
          <Table.Th>After</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.field}>
            <Table.Td fw={500}>{r.label}</Table.Td>
            <Table.Td c={r.before === null ? "dimmed" : "red.8"} style={{ wordBreak: "break-word" }}>
              {r.before ?? "—"}
            </Table.Td>
            <Table.Td c={r.after === null ? "dimmed" : "teal.8"} style={{ wordBreak: "break-word" }}>
              {r.after ?? "—"}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
