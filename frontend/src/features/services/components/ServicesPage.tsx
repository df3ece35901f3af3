import { Anchor, Card, Group, MultiSelect, Table, Text } from "@mantine/core";
import { Link, useNavigate } from "react-router";
import { EmptyRow, ListFooter, PageHeader, QueryState, SearchBox, SortableTh } from "@/components";
import { formatMoney } from "@/features/catalog/money";
import { formatDateTime } from "@/lib/format";
import { useUrlParams } from "@/lib/useUrlParams";
import { useServices, type Service, type ServiceListQuery } from "../api";
import { SERVICE_STATUS_LABELS, SERVICE_STATUSES } from "../constants";
import { IdFilter, idOrUndefined } from "./IdFilter";
import { ServiceStatusBadge } from "./ServiceStatusBadge";

const PARAMS = ["page", "page_size", "q", "customer_id", "product_id", "service_status", "sort"] as const;
const DEFAULT_PAGE_SIZE = 25;

function ServicesTable({
  services,
  sort,
  onSort,
  loading,
}: {
  services: Service[];
  sort: string;
  onSort: (s: string) => void;
  loading?: boolean;
}) {
  const navigate = useNavigate();
  const sortable = { sort, onSort };
  const stop = (e: React.MouseEvent) => e.stopPropagation();
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table highlightOnHover verticalSpacing="sm" data-testid="services-table" opacity={loading ? 0.6 : 1}>
        <Table.Thead>
          <Table.Tr>
            <SortableTh field="service_name" {...sortable}>
              Service
            </SortableTh>
            <SortableTh field="service_status" {...sortable}>
              Status
            </SortableTh>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Product</Table.Th>
            <Table.Th>Price</Table.Th>
            <Table.Th>SIM / number</Table.Th>
            <SortableTh field="created_at" {...sortable}>
              Created
            </SortableTh>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {services.length === 0 && <EmptyRow colSpan={7}>No services match</EmptyRow>}
          {services.map((s) => (
            <Table.Tr
              key={s.service_id}
              style={{ cursor: "pointer" }}
              onClick={() => navigate(`/services/${s.service_id}`)}
              data-testid={`service-row-${s.service_id}`}
            >
              <Table.Td>
                <Anchor component={Link} to={`/services/${s.service_id}`} onClick={stop}>
                  {s.service_name}
                </Anchor>
                <Text size="xs" c="dimmed" ff="monospace">
                  #{s.service_id} · {s.service_uuid}
                </Text>
              </Table.Td>
              <Table.Td>
                <ServiceStatusBadge status={s.service_status} />
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/customers/${s.customer_id}`} onClick={stop}>
                  #{s.customer_id}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/products/${s.product_id}`} onClick={stop}>
                  #{s.product_id}
                </Anchor>
              </Table.Td>
              <Table.Td>
                {formatMoney(s.retail_cost, (s.price_snapshot?.currency as string | undefined) ?? null)}
              </Table.Td>
              <Table.Td>
                {s.inventory.length === 0
                  ? "—"
                  : s.inventory.map((i) => (
                      <Text key={i.inventory_id} size="xs" ff="monospace">
                        {i.serial}
                      </Text>
                    ))}
              </Table.Td>
              <Table.Td>{formatDateTime(s.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function ServicesPage() {
  const [params, setParams] = useUrlParams(PARAMS);
  const page = Number(params.page) || 1;
  const pageSize = Number(params.page_size) || DEFAULT_PAGE_SIZE;
  const query: ServiceListQuery = {
    q: params.q || undefined,
    customer_id: idOrUndefined(params.customer_id),
    product_id: idOrUndefined(params.product_id),
    service_status: params.service_status
      ? (params.service_status.split(",") as NonNullable<ServiceListQuery["service_status"]>)
      : undefined,
    sort: params.sort || undefined,
    page,
    page_size: pageSize,
  };
  const services = useServices(query);

  return (
    <>
      <PageHeader title="Services" description="Products sold and running for customers." />
      <Card withBorder radius="md" padding="md">
        <Group mb="md" gap="sm" wrap="wrap">
          <SearchBox
            value={params.q}
            onSearch={(q) => setParams({ q })}
            placeholder="Name, charging id, MSISDN, ICCID…"
            testId="service-search"
          />
          <MultiSelect
            placeholder={params.service_status ? undefined : "Status"}
            data={SERVICE_STATUSES.map((value) => ({ value, label: SERVICE_STATUS_LABELS[value] }))}
            value={params.service_status ? params.service_status.split(",") : []}
            onChange={(v) => setParams({ service_status: v.join(",") })}
            clearable
            miw={160}
            maw={360}
            data-testid="service-filter-status"
          />
          <IdFilter
            value={params.customer_id}
            onChange={(customer_id) => setParams({ customer_id })}
            placeholder="Customer id"
            testId="service-filter-customer"
          />
          <IdFilter
            value={params.product_id}
            onChange={(product_id) => setParams({ product_id })}
            placeholder="Product id"
            testId="service-filter-product"
          />
        </Group>
        <QueryState query={services}>
          {({ items }) => (
            <ServicesTable
              services={items}
              sort={params.sort}
              onSort={(sort) => setParams({ sort })}
              loading={services.isPlaceholderData}
            />
          )}
        </QueryState>
        <ListFooter
          pagination={services.data?.pagination}
          pageSize={pageSize}
          noun="services"
          onPage={(p) => setParams({ page: p === 1 ? null : p })}
          onPageSize={(size) => setParams({ page_size: size === DEFAULT_PAGE_SIZE ? null : size })}
        />
      </Card>
    </>
  );
}
