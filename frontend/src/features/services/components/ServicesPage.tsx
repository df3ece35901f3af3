import { MultiSelect, Text } from "@mantine/core";
import { IdFilter, ListPage, ListTable, RowLink, SearchBox, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { idOrUndefined, listOf, useListParams } from "@/lib/listParams";
import { formatMoney } from "@/lib/money";
import { CustomerSelect } from "@/features/customers";
import { useServices, type Service, type ServiceStatus } from "../api";
import { SERVICE_STATUS_LABELS, SERVICE_STATUSES } from "../constants";
import { ServiceStatusBadge } from "./ServiceStatusBadge";

const FILTERS = ["q", "customer_id", "product_id", "service_status"] as const;

const COLUMNS: Column<Service>[] = [
  {
    header: "Service",
    sort: "service_name",
    cell: (s) => (
      <>
        <RowLink to={`/services/${s.service_id}`}>{s.service_name}</RowLink>
        <Text size="xs" c="dimmed" ff="monospace">
          #{s.service_id} · {s.service_uuid}
        </Text>
      </>
    ),
  },
  { header: "Status", sort: "service_status", cell: (s) => <ServiceStatusBadge status={s.service_status} /> },
  {
    header: "Customer",
    cell: (s) => <RowLink to={`/customers/${s.customer_id}`}>{s.customer_name || `#${s.customer_id}`}</RowLink>,
  },
  {
    header: "Product",
    cell: (s) => <RowLink to={`/products/${s.product_id}`}>{s.product_name || `#${s.product_id}`}</RowLink>,
  },
  {
    header: "Price",
    cell: (s) => formatMoney(s.retail_cost, (s.price_snapshot?.currency as string | undefined) ?? null),
  },
  {
    header: "SIM / number",
    cell: (s) =>
      s.inventory.length === 0
        ? "—"
        : s.inventory.map((i) => (
            <Text key={i.inventory_id} size="xs" ff="monospace">
              {i.serial}
            </Text>
          )),
  },
  { header: "Created", sort: "created_at", cell: (s) => formatDateTime(s.created_at) },
];

export function ServicesPage() {
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  const services = useServices({
    q: params.q || undefined,
    customer_id: idOrUndefined(params.customer_id),
    product_id: idOrUndefined(params.product_id),
    service_status: listOf<NonNullable<ServiceStatus>>(params.service_status),
    ...list.paging,
  });

  return (
    <ListPage
      title="Services"
      description="Products sold and running for customers."
      query={services}
      list={list}
      noun="services"
      filters={
        <>
          <SearchBox
            value={params.q}
            onSearch={(q) => setParams({ q })}
            placeholder="Name, charging id, MSISDN, ICCID…"
            testId="service-search"
          />
          <MultiSelect
            placeholder={params.service_status ? undefined : "Status"}
            data={SERVICE_STATUSES.map((value) => ({ value, label: SERVICE_STATUS_LABELS[value] }))}
            value={listOf(params.service_status) ?? []}
            onChange={(v) => setParams({ service_status: v.join(",") })}
            clearable
            miw={160}
            maw={360}
            data-testid="service-filter-status"
          />
          <CustomerSelect
            value={idOrUndefined(params.customer_id) ?? null}
            onChange={(id) => setParams({ customer_id: id === null ? "" : String(id) })}
            placeholder="Customer…"
            w={220}
            testId="service-filter-customer"
          />
          <IdFilter
            value={params.product_id}
            onChange={(product_id) => setParams({ product_id })}
            placeholder="Product id"
            testId="service-filter-product"
          />
        </>
      }
    >
      {(rows, loading) => (
        <ListTable
          rows={rows}
          columns={COLUMNS}
          rowKey={(s) => s.service_id}
          href={(s) => `/services/${s.service_id}`}
          rowData={(s) => ({ "data-testid": `service-row-${s.service_id}` })}
          empty="No services match"
          testId="services-table"
          loading={loading}
          sort={list.sort}
          onSort={list.setSort}
        />
      )}
    </ListPage>
  );
}
