import { Group, SegmentedControl, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import { useNotificationSummary, type NotificationStatus } from "../api";
import { NOTIFICATION_STATUS_LABELS, NOTIFICATION_STATUSES } from "../constants";

function Choice({ label, count, testId }: { label: string; count: number | undefined; testId: string }) {
  return (
    <Group gap={6} wrap="nowrap" justify="center" data-testid={testId} data-count={count ?? ""}>
      {label}
      <Text span size="xs" fw={700} c={count ? undefined : "dimmed"}>
        {count ?? "…"}
      </Text>
    </Group>
  );
}

/** All, or one status, each with how many messages are in it (from the summary). */
export function StatusFilter({
  value,
  onChange,
  listUpdatedAt,
}: {
  /** "" for all. */
  value: NotificationStatus | "";
  onChange: (status: NotificationStatus | "") => void;
  /** When the list's rows were last read: the counts are read again with them (polling too). */
  listUpdatedAt: number;
}) {
  const summary = useNotificationSummary();
  const { refetch } = summary;
  const seen = useRef(listUpdatedAt);
  useEffect(() => {
    // The first rows come with the first counts; every later reading of them brings new counts.
    if (seen.current && listUpdatedAt !== seen.current) void refetch();
    seen.current = listUpdatedAt;
  }, [listUpdatedAt, refetch]);
  const counts = summary.data;
  const total = counts && Object.values(counts).reduce((sum, n) => sum + n, 0);
  return (
    <SegmentedControl
      aria-label="Status"
      value={value || "all"}
      onChange={(status) => onChange(status === "all" ? "" : (status as NotificationStatus))}
      data={[
        { value: "all", label: <Choice label="All" count={total} testId="outbox-status-all" /> },
        ...NOTIFICATION_STATUSES.map((status) => ({
          value: status,
          label: (
            <Choice
              label={NOTIFICATION_STATUS_LABELS[status]}
              count={counts?.[status]}
              testId={`outbox-status-${status}`}
            />
          ),
        })),
      ]}
      data-testid="outbox-status-filter"
    />
  );
}
