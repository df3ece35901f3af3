import { Badge, Checkbox, Group, ScrollArea, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import type { Permission } from "../api";

interface PermissionPickerProps {
  permissions: Permission[];
  value: string[];
  onChange: (value: string[]) => void;
  /** Only these may be picked (the others show disabled), e.g. what the caller holds. */
  allowed?: readonly string[];
  error?: string | null;
  maxHeight?: number;
}

/** "customer.read" → "customer". */
export const resourceOf = (permission: string) => permission.split(".")[0] ?? permission;

/** The permission catalogue grouped by resource, as checkboxes, with a search over names and descriptions. */
export function PermissionPicker({
  permissions,
  value,
  onChange,
  allowed,
  error,
  maxHeight = 360,
}: PermissionPickerProps) {
  const [search, setSearch] = useState("");
  const chosen = new Set(value);
  const allowedSet = allowed ? new Set(allowed) : null;

  const groups = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const map = new Map<string, Permission[]>();
    for (const p of permissions) {
      if (needle && !p.name.toLowerCase().includes(needle) && !p.description.toLowerCase().includes(needle)) continue;
      const resource = resourceOf(p.name);
      map.set(resource, [...(map.get(resource) ?? []), p]);
    }
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [permissions, search]);

  const toggle = (name: string, on: boolean) =>
    onChange(on ? [...value.filter((v) => v !== name), name].sort() : value.filter((v) => v !== name));

  return (
    <Stack gap="xs" data-testid="permission-picker">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          Permissions
        </Text>
        <Badge variant="light" data-testid="permission-count">
          {value.length} selected
        </Badge>
      </Group>
      <TextInput
        placeholder="Search permissions…"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        data-testid="permission-search"
        aria-label="Search permissions"
      />
      <ScrollArea.Autosize mah={maxHeight} type="auto">
        <Stack gap="sm">
          {groups.length === 0 && (
            <Text size="sm" c="dimmed">
              No permission matches “{search}”.
            </Text>
          )}
          {groups.map(([resource, items]) => (
            <Stack key={resource} gap={4} data-testid="permission-group" data-resource={resource}>
              <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                {resource}
              </Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={4}>
                {items.map((p) => (
                  <Checkbox
                    key={p.name}
                    label={p.name}
                    description={p.description}
                    checked={chosen.has(p.name)}
                    disabled={!!allowedSet && !allowedSet.has(p.name) && !chosen.has(p.name)}
                    onChange={(e) => toggle(p.name, e.currentTarget.checked)}
                    data-testid={`permission-${p.name}`}
                  />
                ))}
              </SimpleGrid>
            </Stack>
          ))}
        </Stack>
      </ScrollArea.Autosize>
      {error && (
        <Text c="red" size="sm" data-testid="permission-error">
          {error}
        </Text>
      )}
    </Stack>
  );
}
