import { Button, MultiSelect, Select, Text } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { usePermission } from "@/api";
import { ListPage, ListTable, RowLink, SearchBox, type Column } from "@/components";
import { CustomerSelect } from "@/features/customers";
import { formatDateTime, orDash } from "@/lib/format";
import { idOrUndefined, listOf, useListParams } from "@/lib/listParams";
import { useInventoryItems, useTemplates, type InventoryItem, type ItemState } from "../api";
import { ITEM_STATES, STATE_LABELS } from "../constants";
import { AddItemModal } from "./AddItemModal";
import { InventoryActions } from "./InventoryNav";
import { StateBadge } from "./StateBadge";

const FILTERS = ["q", "template", "state", "customer_id"] as const;

const itemUrl = (item: InventoryItem) => `/inventory/items/${item.inventory_id}`;

const COLUMNS: Column<InventoryItem>[] = [
  {
    header: "Serial",
    sort: "serial",
    cell: (item) => (
      <>
        <RowLink to={itemUrl(item)} ff="monospace">
          {item.serial}
        </RowLink>
        <Text size="xs" c="dimmed">
          #{item.inventory_id}
        </Text>
      </>
    ),
  },
  { header: "Type", cell: (item) => item.item },
  { header: "State", sort: "item_state", cell: (item) => <StateBadge state={item.item_state} /> },
  {
    header: "Customer",
    cell: (item) =>
      item.customer_id === null ? (
        "—"
      ) : (
        <RowLink to={`/customers/${item.customer_id}`} data-testid="inventory-row-customer">
          {item.customer_name ?? `#${item.customer_id}`}
        </RowLink>
      ),
  },
  {
    header: "Service",
    cell: (item) =>
      item.service_id === null ? (
        orDash(null)
      ) : (
        <RowLink to={`/services/${item.service_id}`} data-testid="inventory-row-service">
          {item.service_name ?? `#${item.service_id}`}
        </RowLink>
      ),
  },
  { header: "Updated", sort: "updated_at", cell: (item) => formatDateTime(item.updated_at) },
];

export function ItemsPage() {
  const navigate = useNavigate();
  const canWrite = usePermission("inventory.write");
  const [adding, setAdding] = useState(false);
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  const templates = useTemplates();
  const items = useInventoryItems({
    q: params.q || undefined,
    template: params.template || undefined,
    state: listOf<ItemState>(params.state),
    customer_id: idOrUndefined(params.customer_id),
    ...list.paging,
  });
  const templateNames = [
    ...new Set([...(templates.data ?? []).map((t) => t.item), ...(params.template ? [params.template] : [])]),
  ];

  return (
    <ListPage
      breadcrumbs={[{ label: "Inventory", to: "/inventory" }, { label: "Items" }]}
      title="Inventory items"
      description="SIM cards, phone numbers, routers and more."
      actions={
        <>
          <InventoryActions items={false} />
          {canWrite && (
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => setAdding(true)}
              data-testid="inventory-add-item"
            >
              Add item
            </Button>
          )}
          <AddItemModal
            opened={adding}
            onClose={() => setAdding(false)}
            onAdded={(item) => void navigate(itemUrl(item))}
          />
        </>
      }
      query={items}
      list={list}
      noun="items"
      filters={
        <>
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
            value={listOf(params.state) ?? []}
            onChange={(v) => setParams({ state: v.join(",") })}
            clearable
            miw={160}
            maw={360}
            data-testid="inventory-filter-state"
          />
          <CustomerSelect
            value={idOrUndefined(params.customer_id) ?? null}
            onChange={(customerId) => setParams({ customer_id: customerId })}
            placeholder="Customer"
            w={220}
            testId="inventory-filter-customer"
          />
        </>
      }
    >
      {(rows, loading) => (
        <ListTable
          rows={rows}
          columns={COLUMNS}
          rowKey={(item) => item.inventory_id}
          href={itemUrl}
          rowData={(item) => ({ "data-testid": `inventory-row-${item.inventory_id}` })}
          empty="No items match"
          testId="inventory-items-table"
          loading={loading}
          sort={list.sort}
          onSort={list.setSort}
        />
      )}
    </ListPage>
  );
}
