import { Group, Pagination as MantinePagination, Select, Text } from "@mantine/core";
import type { Pagination } from "@/api";

const CONTROL_LABELS = { first: "First page", previous: "Previous page", next: "Next page", last: "Last page" };

export const PAGE_SIZES = ["10", "25", "50", "100"];

interface ListFooterProps {
  pagination: Pagination | undefined;
  pageSize: number;
  noun: string;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}

export function ListFooter({ pagination, pageSize, noun, onPage, onPageSize }: ListFooterProps) {
  return (
    <Group justify="space-between" mt="md" wrap="wrap">
      <Text size="sm" c="dimmed">
        {pagination ? `${pagination.total} ${noun}` : "\u00a0"}
      </Text>
      <Group gap="sm">
        <Select
          aria-label="Rows per page"
          data={PAGE_SIZES}
          value={String(pageSize)}
          onChange={(v) => v && onPageSize(Number(v))}
          w={80}
          size="xs"
          allowDeselect={false}
        />
        <MantinePagination
          total={pagination?.total_pages ?? 0}
          value={pagination?.page ?? 1}
          onChange={onPage}
          size="sm"
          getControlProps={(control) => ({ "aria-label": CONTROL_LABELS[control] })}
          getItemProps={(page) => ({ "aria-label": `Page ${page}` })}
        />
      </Group>
    </Group>
  );
}
