import { Table, Text } from "@mantine/core";
import type { Activity } from "@/api";
import { formatValue } from "@/lib/format";

type Snapshot = Record<string, unknown> | null | undefined;

/** The fields an audit record changed: created (no before), deleted (no after) or updated. */
export function changedFields(before: Snapshot, after: Snapshot): { field: string; before: unknown; after: unknown }[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys]
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .sort()
    .map((field) => ({ field, before: before?.[field], after: after?.[field] }));
}

export function ChangeDiff({ activity }: { activity: Pick<Activity, "before" | "after"> }) {
  const rows = changedFields(activity.before, activity.after);
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
            <Table.Td ff="monospace">{r.field}</Table.Td>
            <Table.Td c={r.before === undefined ? "dimmed" : "red.8"} style={{ wordBreak: "break-word" }}>
              {r.before === undefined ? "—" : formatValue(r.before)}
            </Table.Td>
            <Table.Td c={r.after === undefined ? "dimmed" : "teal.8"} style={{ wordBreak: "break-word" }}>
              {r.after === undefined ? "—" : formatValue(r.after)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
