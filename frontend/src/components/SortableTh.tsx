import { Group, Table, Text, UnstyledButton } from "@mantine/core";
import { IconChevronDown, IconChevronUp, IconSelector } from "@tabler/icons-react";
import type { ReactNode } from "react";

interface SortableThProps {
  field: string;
  /** Current sort: "field", "-field" or "". */
  sort: string;
  onSort: (sort: string) => void;
  children: ReactNode;
}

/** Cycles a column through ascending → descending → unsorted (server-side `?sort=`). */
export function SortableTh({ field, sort, onSort, children }: SortableThProps) {
  const direction = sort === field ? "asc" : sort === `-${field}` ? "desc" : null;
  const next = direction === null ? field : direction === "asc" ? `-${field}` : "";
  const Icon = direction === "asc" ? IconChevronUp : direction === "desc" ? IconChevronDown : IconSelector;
  return (
    <Table.Th aria-sort={direction === "asc" ? "ascending" : direction === "desc" ? "descending" : "none"}>
      <UnstyledButton onClick={() => onSort(next)} data-testid={`sort-${field}`}>
        <Group gap={4} wrap="nowrap">
          <Text fw={600} size="sm">
            {children}
          </Text>
          <Icon size={14} stroke={1.5} />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}
