import { ActionIcon, Code, Collapse, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconChevronDown, IconChevronRight } from "@tabler/icons-react";
import { Fragment, useEffect, useState } from "react";
import { usePermission, type Activity, type ActivityListQuery } from "@/api";
import { EmptyRow, ListPage } from "@/components";
import { UserSelect } from "@/features/admin";
import { formatDateTime } from "@/lib/format";
import { idOrUndefined, useListParams } from "@/lib/listParams";
import { useActivity } from "../api";
import { actorOf } from "./actor";
import { ChangeDiff, humanize } from "./ChangeDiff";

const FILTERS = ["object_type", "action", "user", "from", "to"] as const;

/** A text filter that writes to the URL once typing pauses. */
function FilterInput({
  value,
  placeholder,
  onChange,
  testId,
}: {
  value: string;
  placeholder: string;
  onChange: (v: string) => void;
  testId: string;
}) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (debounced.trim() !== value) onChange(debounced.trim());
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new debounced text filters
  }, [debounced]);
  return (
    <TextInput
      placeholder={placeholder}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      w={200}
      data-testid={testId}
    />
  );
}

/** The API takes ISO date-times, `from` inclusive and `to` exclusive; the UI picks whole days. */
export function dayRange(from: string, to: string): Pick<ActivityListQuery, "from" | "to"> {
  const range: Pick<ActivityListQuery, "from" | "to"> = {};
  if (from) range.from = `${from}T00:00:00`;
  if (to) {
    const next = new Date(`${to}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    range.to = `${next.toISOString().slice(0, 10)}T00:00:00`;
  }
  return range;
}

function ActivityRow({ activity }: { activity: Activity }) {
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <Table.Tr>
        <Table.Td w={40}>
          <ActionIcon
            variant="subtle"
            size="sm"
            aria-label={open ? "Hide changes" : "Show changes"}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>{formatDateTime(activity.created_at)}</Table.Td>
        <Table.Td>{actorOf(activity)}</Table.Td>
        <Table.Td fw={500}>{activity.action}</Table.Td>
        <Table.Td>
          {humanize(activity.object_type)}
          {activity.object_id ? (
            <Text span c="dimmed">
              {" "}
              #{activity.object_id}
            </Text>
          ) : null}
          <Text size="xs" c="dimmed" data-testid="activity-row-summary">
            {activity.summary}
          </Text>
        </Table.Td>
        <Table.Td>{activity.ip ?? "—"}</Table.Td>
        <Table.Td>{activity.request_id ? <Code>{activity.request_id.slice(0, 12)}</Code> : "—"}</Table.Td>
      </Table.Tr>
      <Table.Tr style={{ display: open ? undefined : "none" }}>
        <Table.Td />
        <Table.Td colSpan={6}>
          <Collapse in={open}>
            <ChangeDiff activity={activity} />
          </Collapse>
        </Table.Td>
      </Table.Tr>
    </Fragment>
  );
}

export function ActivityPage() {
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  // Picking who needs the user list (user.read); the entries name the actor either way.
  const canPickUser = usePermission("user.read");
  const userId = idOrUndefined(params.user);
  const activity = useActivity({
    page: list.paging.page,
    page_size: list.paging.page_size,
    object_type: params.object_type || undefined,
    action: params.action || undefined,
    user_id: userId,
    ...dayRange(params.from, params.to),
  });

  return (
    <ListPage
      title="Activity"
      description="Who changed what, and when, newest first. Read-only."
      query={activity}
      list={list}
      noun="entries"
      filters={
        <>
          <FilterInput
            value={params.object_type}
            placeholder="Object type (e.g. customer)"
            onChange={(object_type) => setParams({ object_type })}
            testId="activity-filter-object-type"
          />
          <FilterInput
            value={params.action}
            placeholder="Action (e.g. update)"
            onChange={(action) => setParams({ action })}
            testId="activity-filter-action"
          />
          {canPickUser && (
            <UserSelect
              aria-label="Changed by"
              placeholder="Changed by…"
              value={userId ?? null}
              onChange={(id) => setParams({ user: id === null ? "" : String(id) })}
              activeOnly={false}
              w={240}
              data-testid="activity-filter-user"
            />
          )}
          <TextInput
            type="date"
            aria-label="From"
            value={params.from}
            onChange={(e) => setParams({ from: e.currentTarget.value })}
            data-testid="activity-filter-from"
          />
          <Text c="dimmed" size="sm">
            to
          </Text>
          <TextInput
            type="date"
            aria-label="To"
            value={params.to}
            onChange={(e) => setParams({ to: e.currentTarget.value })}
            data-testid="activity-filter-to"
          />
        </>
      }
    >
      {(rows, loading) => (
        <Table.ScrollContainer minWidth={880}>
          <Table verticalSpacing="sm" data-testid="activity-table" opacity={loading ? 0.6 : 1}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Object</Table.Th>
                <Table.Th>IP</Table.Th>
                <Table.Th>Request</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.length === 0 && <EmptyRow colSpan={7}>No activity matches</EmptyRow>}
              {rows.map((a) => (
                <ActivityRow key={a.activity_id} activity={a} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </ListPage>
  );
}
