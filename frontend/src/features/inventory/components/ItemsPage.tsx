import { Anchor, Breadcrumbs, Card, Group, MultiSelect, Select, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { EmptyRow, ListFooter, PageHeader, QueryState, SearchBox, SortableTh } from "@/components";
import { formatDateTime, orDash } from "@/lib/format";
import { useUrlParams } from "@/lib/useUrlParams";
import { useInventoryItems, useTemplates, type InventoryItem, type InventoryListQuery } from "../api";
import { ITEM_STATES, STATE_LABELS } from "../constants";
import { InventoryActions } from "./InventoryNav";
import { StateBadge } from "./StateBadge";

const PARAMS = ["page", "page_size", "q", "template", "state", "customer_id", "sort"] as const;
const DEFAULT_PAGE_SIZE = 25;

function CustomerIdFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (/^\d*$/.test(debounced) && debounced !== value) onChange(debounced);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new debounced text filters
  }, [debounced]);
  return (
    <TextInput
      placeholder="Customer id"
      inputMode="numeric"
      value={text}
      error={/^\d*$/.test(text) ? undefined : true}
      onChange={(e) => setText(e.currentTarget.value.trim())}
      w={130}
      data-testid="inventory-filter-customer"
    />
  );
}

function ItemsTable({
  items,
  sort,
  onSort,
  loading,
}: {
  items: InventoryItem[];
  sort: string;
  onSort: (s: string) => void;
  loading?: boolean;
}) {
  const navigate = useNavigate();
  const sortable = { sort, onSort };
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table highlightOnHover verticalSpacing="sm" data-testid="inventory-items-table" opacity={loading ? 0.6 : 1}>
        <Table.Thead>
          <Table.Tr>
            <SortableTh field="serial" {...sortable}>
              Serial
            </SortableTh>
            <Table.Th>Type</Table.Th>
            <SortableTh field="item_state" {...sortable}>
              State
            </SortableTh>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Service</Table.Th>
            <SortableTh field="updated_at" {...sortable}>
              Updated
            </SortableTh>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.length === 0 && <EmptyRow colSpan={6}>No items match</EmptyRow>}
          {items.map((item) => (
            <Table.Tr
              key={item.inventory_id}
              style={{ cursor: "pointer" }}
              onClick={() => navigate(`/inventory/items/${item.inventory_id}`)}
              data-testid={`inventory-row-${item.inventory_id}`}
            >
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/inventory/items/${item.inventory_id}`}
                  ff="monospace"
                  onClick={(e) => e.stopPropagation()}
                >
                  {item.serial}
                </Anchor>
                <Text size="xs" c="dimmed">
                  #{item.inventory_id}
                </Text>
              </Table.Td>
              <Table.Td>{item.item}</Table.Td>
              <Table.Td>
                <StateBadge state={item.item_state} />
              </Table.Td>
              <Table.Td>
                {item.customer_id === null ? (
                  "—"
                ) : (
                  <Anchor component={Link} to={`/customers/${item.customer_id}`} onClick={(e) => e.stopPropagation()}>
                    #{item.customer_id}
                  </Anchor>
                )}
              </Table.Td>
              <Table.Td>{orDash(item.service_id)}</Table.Td>
              <Table.Td>{formatDateTime(item.updated_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function ItemsPage() {
  const [params, setParams] = useUrlParams(PARAMS);
  const templates = useTemplates();
  const page = Number(params.page) || 1;
  const pageSize = Number(params.page_size) || DEFAULT_PAGE_SIZE;
  const query: InventoryListQuery = {
    q: params.q || undefined,
    template: params.template || undefined,
    state: params.state ? (params.state.split(",") as NonNullable<InventoryListQuery["state"]>) : undefined,
    customer_id: /^\d+$/.test(params.customer_id) ? Number(params.customer_id) : undefined,
    sort: params.sort || undefined,
    page,
    page_size: pageSize,
  };
  const items = useInventoryItems(query);
  const templateNames = [
    ...new Set([...(templates.data ?? []).map((t) => t.item), ...(params.template ? [params.template] : [])]),
  ];

  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/inventory" size="sm">
          Inventory
        </Anchor>
        <Text size="sm">Items</Text>
      </Breadcrumbs>
      <PageHeader
        title="Inventory items"
        description="SIM cards, phone numbers, routers and more."
        actions={<InventoryActions items={false} />}
      />
      <Card withBorder radius="md" padding="md">
        <Group mb="md" gap="sm" wrap="wrap">
          <SearchBox
            value={params.q}
            onSearch={(q) => setParams({ q })}
            placeholder="Serial, ICCID, IMSI, number, MAC…"
            testId="inventory-search"
          />
          <Select
            placeholder="Item type"
            data={templateNames}
            value={params.template || null}
            onChange={(v) => setParams({ template: v })}
            clearable
            w={170}
            data-testid="inventory-filter-template"
          />
          <MultiSelect
            placeholder={params.state ? undefined : "State"}
            data={ITEM_STATES.map((value) => ({ value, label: STATE_LABELS[value] }))}
            value={params.state ? params.state.split(",") : []}
            onChange={(v) => setParams({ state: v.join(",") })}
            clearable
            miw={160}
            maw={360}
            data-testid="inventory-filter-state"
          />
          <CustomerIdFilter value={params.customer_id} onChange={(customer_id) => setParams({ customer_id })} />
        </Group>
        <QueryState query={items}>
          {({ items: rows }) => (
            <ItemsTable
              items={rows}
              sort={params.sort}
              onSort={(sort) => setParams({ sort })}
              loading={items.isPlaceholderData}
            />
          )}
        </QueryState>
        <ListFooter
          pagination={items.data?.pagination}
          pageSize={pageSize}
          noun="items"
          onPage={(p) => setParams({ page: p === 1 ? null : p })}
          onPageSize={(size) => setParams({ page_size: size === DEFAULT_PAGE_SIZE ? null : size })}
        />
      </Card>
    </>
  );
}
