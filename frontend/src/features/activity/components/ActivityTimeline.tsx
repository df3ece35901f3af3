import { Card, Group, Pagination, Text, Timeline } from "@mantine/core";
import { IconCirclePlus, IconEdit, IconTrash, IconPoint } from "@tabler/icons-react";
import { useState } from "react";
import { QueryState } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useCustomerActivity } from "../api";
import { actorOf } from "./actor";
import { ChangeDiff, humanize } from "./ChangeDiff";

function iconFor(action: string) {
  const a = action.toLowerCase();
  if (a.includes("create") || a.includes("add")) return <IconCirclePlus size={14} />;
  if (a.includes("delete") || a.includes("archive") || a.includes("remove")) return <IconTrash size={14} />;
  if (a.includes("update") || a.includes("edit") || a.includes("patch")) return <IconEdit size={14} />;
  return <IconPoint size={14} />;
}

/** One customer's history, newest first, each entry with what it changed. */
export function ActivityTimeline({ customerId }: { customerId: number }) {
  const [page, setPage] = useState(1);
  const activity = useCustomerActivity(customerId, page);
  return (
    <Card withBorder radius="md" padding="lg">
      <QueryState query={activity}>
        {({ items, pagination }) =>
          items.length === 0 ? (
            <Text c="dimmed" ta="center" py="lg">
              No activity recorded yet
            </Text>
          ) : (
            <>
              <Timeline bulletSize={24} lineWidth={2} data-testid="activity-timeline">
                {items.map((a) => (
                  <Timeline.Item
                    key={a.activity_id}
                    bullet={iconFor(a.action)}
                    title={
                      <Group gap="xs">
                        <Text fw={600} size="sm" data-testid="activity-summary">
                          {a.summary}
                        </Text>
                        <Text size="sm" c="dimmed">
                          {humanize(a.object_type)}
                          {a.object_id ? ` #${a.object_id}` : ""}
                        </Text>
                      </Group>
                    }
                  >
                    <Text size="xs" c="dimmed" mb={6} data-testid="activity-actor">
                      {formatDateTime(a.created_at)} · {actorOf(a)}
                    </Text>
                    {/* An update already reads as its summary; a create or delete lists its fields. */}
                    {a.action !== "update" && <ChangeDiff activity={a} />}
                  </Timeline.Item>
                ))}
              </Timeline>
              {pagination.total_pages > 1 && (
                <Group justify="center" mt="lg">
                  <Pagination total={pagination.total_pages} value={page} onChange={setPage} size="sm" />
                </Group>
              )}
            </>
          )
        }
      </QueryState>
    </Card>
  );
}
