/** The customer page's Services and Contracts tabs: what the customer bought, with links. */
import { Badge, Text } from "@mantine/core";
import { useState } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import type { Pagination, ResponseOf } from "@/api";
import { DetailCard, ListFooter, ListTable, QueryState, RowLink, type Column } from "@/components";
import { ServiceStatusBadge, useServices, type Service } from "@/features/services";
import { formatDate, formatDateTime, orDash } from "@/lib/format";
import { useCustomerContracts } from "../api";

type CustomerContract = ResponseOf<"/crm/contract/", "get">[number];

const PAGE_SIZE = 10;

// The contracts feature imports this one, so its badge is not imported here.
const CONTRACT_STATUS: Record<string, { label: string; color: string }> = {
  draft: { label: "Draft", color: "gray" },
  accepted: { label: "Accepted", color: "blue" },
  active: { label: "Active", color: "teal" },
  suspended: { label: "Suspended", color: "yellow" },
  closed: { label: "Closed", color: "dark" },
};

function ProductLink({ id, name }: { id: number; name: string | null | undefined }) {
  return <RowLink to={`/products/${id}`}>{name ?? `Product #${id}`}</RowLink>;
}

const SERVICE_COLUMNS: Column<Service>[] = [
  {
    header: "Service",
    cell: (s) => (
      <RowLink to={`/services/${s.service_id}`} fw={500} data-testid="customer-service-link">
        {s.service_name || `Service #${s.service_id}`}
      </RowLink>
    ),
  },
  { header: "Status", cell: (s) => <ServiceStatusBadge status={s.service_status} /> },
  { header: "Product", cell: (s) => <ProductLink id={s.product_id} name={s.product_name} /> },
  { header: "Site", cell: (s) => orDash(s.site_name) },
  { header: "Started", cell: (s) => formatDate(s.start_date) },
  { header: "Created", cell: (s) => formatDateTime(s.created_at) },
];

const CONTRACT_COLUMNS: Column<CustomerContract>[] = [
  {
    header: "Contract",
    cell: (c) => (
      <RowLink to={`/contracts/${c.contract_id}`} ff="monospace" data-testid="customer-contract-link">
        {c.contract_number}
      </RowLink>
    ),
  },
  {
    header: "Status",
    cell: (c) => (
      <Badge color={CONTRACT_STATUS[c.contract_status]?.color ?? "gray"} variant="light">
        {CONTRACT_STATUS[c.contract_status]?.label ?? c.contract_status}
      </Badge>
    ),
  },
  { header: "Product", cell: (c) => <ProductLink id={c.product_id} name={c.product_name} /> },
  { header: "Site", cell: (c) => orDash(c.site_name) },
  { header: "MSISDN", cell: (c) => orDash(c.msisdn), td: { ff: "monospace" } },
  {
    header: "Term",
    cell: (c) => (
      <>
        <Text size="sm">{c.term_months ? `${c.term_months} months` : "No minimum term"}</Text>
        {c.start_date && (
          <Text size="xs" c="dimmed">
            {formatDate(c.start_date)} – {formatDate(c.end_date)}
          </Text>
        )}
      </>
    ),
  },
];

/** One page of a customer's records, with its own paging (the tab is not the URL's list). */
function usePaging() {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(PAGE_SIZE);
  return { page, pageSize, setPage, setPageSize };
}

interface SalesCardProps<T> {
  title: string;
  query: UseQueryResult<{ items: T[]; pagination: Pagination }>;
  paging: ReturnType<typeof usePaging>;
  columns: Column<T>[];
  rowKey: (row: T) => number;
  href: (row: T) => string;
  rowData: (row: T) => Record<string, string | number>;
  /** Singular and plural: "service", "services". */
  nouns: [string, string];
  testId: string;
}

function SalesCard<T>({ title, query, paging, nouns, testId, ...table }: SalesCardProps<T>) {
  return (
    <DetailCard title={title}>
      <QueryState query={query}>
        {({ items, pagination }) => (
          <>
            <ListTable
              rows={items}
              {...table}
              empty={`No ${nouns[1]} yet`}
              testId={testId}
              loading={query.isPlaceholderData}
              minWidth={700}
            />
            <ListFooter
              pagination={pagination}
              pageSize={paging.pageSize}
              noun={pagination.total === 1 ? nouns[0] : nouns[1]}
              onPage={paging.setPage}
              onPageSize={(size) => {
                paging.setPageSize(size);
                paging.setPage(1);
              }}
            />
          </>
        )}
      </QueryState>
    </DetailCard>
  );
}

export function CustomerServicesTab({ customerId }: { customerId: number }) {
  const paging = usePaging();
  const { page, pageSize } = paging;
  const services = useServices({ customer_id: customerId, page, page_size: pageSize, sort: "-created_at" });
  return (
    <SalesCard
      title="Services"
      query={services}
      paging={paging}
      columns={SERVICE_COLUMNS}
      rowKey={(s) => s.service_id}
      href={(s) => `/services/${s.service_id}`}
      rowData={(s) => ({ "data-testid": "customer-service-row", "data-service-id": s.service_id })}
      nouns={["service", "services"]}
      testId="customer-services-table"
    />
  );
}

export function CustomerContractsTab({ customerId }: { customerId: number }) {
  const paging = usePaging();
  const contracts = useCustomerContracts(customerId, paging.page, paging.pageSize);
  return (
    <SalesCard
      title="Contracts"
      query={contracts}
      paging={paging}
      columns={CONTRACT_COLUMNS}
      rowKey={(c) => c.contract_id}
      href={(c) => `/contracts/${c.contract_id}`}
      rowData={(c) => ({ "data-testid": "customer-contract-row", "data-contract-id": c.contract_id })}
      nouns={["contract", "contracts"]}
      testId="customer-contracts-table"
    />
  );
}
