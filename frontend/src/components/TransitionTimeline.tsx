import { Group, Text, Timeline } from "@mantine/core";
import { IconArrowRight } from "@tabler/icons-react";
import type { Key, ReactNode } from "react";
import { formatDateTime } from "@/lib/format";

export interface Transition {
  key: Key;
  /** The state before (a badge), or null when the record was created. */
  from: ReactNode | null;
  to: ReactNode;
  at: string;
  /** Who or what was involved ("user #1", "customer #7"), shown after the time. */
  notes?: (string | false | null | undefined)[];
  reason?: string | null;
}

interface TransitionTimelineProps {
  /** Newest first. */
  items: Transition[];
  empty: string;
  testId: string;
}

/** A status history: "from → to", when, by whom and why. */
export function TransitionTimeline({ items, empty, testId }: TransitionTimelineProps) {
  if (items.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        {empty}
      </Text>
    );
  }
  return (
    <Timeline bulletSize={20} lineWidth={2} data-testid={testId}>
      {items.map((t) => (
        <Timeline.Item
          key={t.key}
          title={
            <Group gap={6}>
              {t.from ?? <Text size="sm">created</Text>}
              <IconArrowRight size={14} />
              {t.to}
            </Group>
          }
        >
          <Text size="xs" c="dimmed">
            {[formatDateTime(t.at), ...(t.notes ?? []).filter(Boolean)].join(" · ")}
          </Text>
          {t.reason && <Text size="sm">{t.reason}</Text>}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
