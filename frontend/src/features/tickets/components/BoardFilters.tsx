import {
  ActionIcon,
  Autocomplete,
  Button,
  Group,
  Popover,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconBookmark, IconTrash } from "@tabler/icons-react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { CustomerSelect } from "@/features/customers";
import { idOrUndefined } from "@/lib/listParams";
import { TICKET_PRIORITIES, TICKET_PRIORITY_LABELS } from "../constants";
import { MAX_VIEW_NAME, sameFilters, useSavedViews, type BoardFilters as Filters } from "../savedViews";

/** Free text (a team, a tag) applied 300 ms after typing stops, with what the board shows as suggestions. */
function TextFilter({
  value,
  onChange,
  placeholder,
  suggestions,
  testId,
}: {
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  suggestions: string[];
  testId: string;
}) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text.trim(), 300);
  // The value last sent or received: a different one came from elsewhere (a saved view).
  const known = useRef(value);
  useEffect(() => {
    if (value !== known.current) {
      known.current = value;
      setText(value);
    }
  }, [value]);
  useEffect(() => {
    if (debounced !== value) {
      known.current = debounced;
      onChange(debounced);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new debounced text filters
  }, [debounced]);
  return (
    <Autocomplete
      placeholder={placeholder}
      aria-label={placeholder}
      data={suggestions}
      value={text}
      onChange={setText}
      w={150}
      data-testid={testId}
    />
  );
}

/** Pick a saved view, save the current filters under a name, delete the view in use. */
function SavedViews({ filters, onApply }: { filters: Filters; onApply: (filters: Partial<Filters>) => void }) {
  const { views, save, remove } = useSavedViews();
  const current = views.find((v) => sameFilters(v.filters, filters)) ?? null;
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setInvalid("Name the view");
    if (trimmed.length > MAX_VIEW_NAME) return setInvalid(`At most ${MAX_VIEW_NAME} characters`);
    save(trimmed, filters);
    setNaming(false);
    setName("");
    setInvalid(null);
  };

  return (
    <Group gap={4} wrap="nowrap">
      <Select
        placeholder={views.length ? "Saved views" : "No saved views"}
        aria-label="Saved views"
        data={views.map((v) => v.name)}
        value={current?.name ?? null}
        onChange={(picked) => {
          const view = views.find((v) => v.name === picked);
          if (view) onApply(view.filters);
        }}
        allowDeselect={false}
        disabled={views.length === 0}
        w={170}
        data-testid="ticket-views"
      />
      <Popover opened={naming} onChange={setNaming} position="bottom-end" withArrow trapFocus>
        <Popover.Target>
          <Tooltip label="Save these filters as a view">
            <ActionIcon
              variant="default"
              size="lg"
              aria-label="Save view"
              onClick={() => setNaming((open) => !open)}
              data-testid="ticket-view-save"
            >
              <IconBookmark size={16} />
            </ActionIcon>
          </Tooltip>
        </Popover.Target>
        <Popover.Dropdown>
          <form onSubmit={submit} noValidate>
            <Stack gap="xs">
              <TextInput
                label="View name"
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                error={invalid}
                maxLength={MAX_VIEW_NAME}
                data-autofocus
                data-testid="ticket-view-name"
              />
              <Button type="submit" size="xs" data-testid="ticket-view-confirm">
                Save view
              </Button>
            </Stack>
          </form>
        </Popover.Dropdown>
      </Popover>
      {current && (
        <Tooltip label={`Delete the view “${current.name}”`}>
          <ActionIcon
            variant="default"
            size="lg"
            color="red"
            aria-label={`Delete view ${current.name}`}
            onClick={() => remove(current.name)}
            data-testid="ticket-view-delete"
          >
            <IconTrash size={16} />
          </ActionIcon>
        </Tooltip>
      )}
    </Group>
  );
}

interface BoardFiltersProps {
  filters: Filters;
  /** Merge into the URL; "" clears a filter. */
  onChange: (patch: Partial<Filters>) => void;
  /** Put a saved view's filters in place of all of them. */
  onApply: (filters: Partial<Filters>) => void;
  /** Teams and tags on the board now, offered as you type. */
  teams: string[];
  tags: string[];
}

/** The filters above the board: assignee, customer, team, priority, tag, breached only; saved views. */
export function BoardFilters({ filters, onChange, onApply, teams, tags }: BoardFiltersProps) {
  const hasFilters = Object.values(filters).some(Boolean);
  return (
    <Group gap="sm" wrap="wrap" data-testid="ticket-filters">
      <SegmentedControl
        aria-label="Assignee"
        data={[
          { value: "any", label: "Anyone" },
          { value: "me", label: "Me" },
          { value: "unassigned", label: "Unassigned" },
        ]}
        value={filters.assignee === "me" || filters.assignee === "unassigned" ? filters.assignee : "any"}
        onChange={(assignee) => onChange({ assignee: assignee === "any" ? "" : assignee })}
        data-testid="ticket-filter-assignee"
      />
      <CustomerSelect
        value={idOrUndefined(filters.customer_id) ?? null}
        onChange={(id) => onChange({ customer_id: id === null ? "" : String(id) })}
        placeholder="Customer"
        w={220}
        testId="ticket-filter-customer"
      />
      <TextFilter
        value={filters.team}
        onChange={(team) => onChange({ team })}
        placeholder="Team"
        suggestions={teams}
        testId="ticket-filter-team"
      />
      <Select
        placeholder="Priority"
        aria-label="Priority"
        data={TICKET_PRIORITIES.map((p) => ({ value: p, label: TICKET_PRIORITY_LABELS[p] }))}
        value={filters.priority || null}
        onChange={(priority) => onChange({ priority: priority ?? "" })}
        clearable
        w={130}
        data-testid="ticket-filter-priority"
      />
      <TextFilter
        value={filters.tag}
        onChange={(tag) => onChange({ tag: tag.toLowerCase() })}
        placeholder="Tag"
        suggestions={tags}
        testId="ticket-filter-tag"
      />
      <Switch
        label="Breached only"
        checked={filters.breached === "true"}
        onChange={(e) => onChange({ breached: e.currentTarget.checked ? "true" : "" })}
        data-testid="ticket-filter-breached"
      />
      {hasFilters && (
        <Button variant="subtle" size="xs" onClick={() => onApply({})} data-testid="ticket-filters-clear">
          Clear filters
        </Button>
      )}
      <Group ml="auto">
        <SavedViews filters={filters} onApply={onApply} />
      </Group>
    </Group>
  );
}
