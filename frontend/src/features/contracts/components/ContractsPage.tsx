import { MultiSelect, Text } from "@mantine/core";
import { ListPage, ListTable, RowLink, SearchBox, type Column } from "@/components";
import { ProductSelect } from "@/features/catalog";
import { CustomerSelect } from "@/features/customers";
import { formatDate, formatDateTime, orDash } from "@/lib/format";
import { idOrUndefined, listOf, useListParams } from "@/lib/listParams";
import { useContracts, type ContractListItem, type ContractStatus } from "../api";
import { CONTRACT_STATUS_LABELS, CONTRACT_STATUSES } from "../constants";
import { ContractStatusBadge } from "./ContractStatusBadge";

const FILTERS = ["q", "customer_id", "product_id", "contract_status"] as const;

const COLUMNS: Column<ContractListItem>[] = [
  {
    header: "Contract",
    sort: "contract_number",
    cell: (c) => (
      <RowLink to={`/contracts/${c.contract_id}`} ff="monospace">
        {c.contract_number}
      </RowLink>
    ),
  },
  { header: "Status", sort: "contract_status", cell: (c) => <ContractStatusBadge status={c.contract_status} /> },
  {
    header: "Customer",
    cell: (c) => (
      <RowLink to={`/customers/${c.customer_id}`}>{c.customer_name ?? `Customer #${c.customer_id}`}</RowLink>
    ),
  },
  {
    header: "Product",
    cell: (c) => (
      <RowLink to={`/products/${c.product_id}`}>
        {orDash(c.product_name ?? (c.price_snapshot?.product_name as string | undefined))}
      </RowLink>
    ),
  },
  { header: "MSISDN", cell: (c) => orDash(c.msisdn), td: { ff: "monospace" } },
  {
    header: "Term",
    cell: (c) => (
      <>
        <Text size="sm">{c.term_months} months</Text>
        {c.start_date && (
          <Text size="xs" c="dimmed">
            {formatDate(c.start_date)} – {formatDate(c.end_date)}
          </Text>
        )}
      </>
    ),
  },
  { header: "Created", sort: "created_at", cell: (c) => formatDateTime(c.created_at) },
];

export function ContractsPage() {
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  const contracts = useContracts({
    q: params.q || undefined,
    customer_id: idOrUndefined(params.customer_id),
    product_id: idOrUndefined(params.product_id),
    contract_status: listOf<NonNullable<ContractStatus>>(params.contract_status),
    ...list.paging,
  });

  return (
    <ListPage
      title="Contracts"
      description="What each customer signed: product, SIM, number and term."
      query={contracts}
      list={list}
      noun="contracts"
      filters={
        <>
          <SearchBox
            value={params.q}
            onSearch={(q) => setParams({ q })}
            placeholder="Contract number…"
            testId="contract-search"
          />
          <MultiSelect
            placeholder={params.contract_status ? undefined : "Status"}
            data={CONTRACT_STATUSES.map((value) => ({ value, label: CONTRACT_STATUS_LABELS[value] }))}
            value={listOf(params.contract_status) ?? []}
            onChange={(v) => setParams({ contract_status: v.join(",") })}
            clearable
            miw={160}
            maw={360}
            data-testid="contract-filter-status"
          />
          <CustomerSelect
            value={idOrUndefined(params.customer_id) ?? null}
            onChange={(id) => setParams({ customer_id: id === null ? "" : String(id) })}
            placeholder="Customer…"
            w={220}
            testId="contract-filter-customer"
          />
          <ProductSelect
            value={idOrUndefined(params.product_id) ?? null}
            onChange={(id) => setParams({ product_id: id === null ? "" : String(id) })}
            placeholder="Product…"
            w={220}
            testId="contract-filter-product"
          />
        </>
      }
    >
      {(rows, loading) => (
        <ListTable
          rows={rows}
          columns={COLUMNS}
          rowKey={(c) => c.contract_id}
          href={(c) => `/contracts/${c.contract_id}`}
          rowData={(c) => ({ "data-testid": `contract-row-${c.contract_id}` })}
          empty="No contracts match"
          testId="contracts-table"
          loading={loading}
          sort={list.sort}
          onSort={list.setSort}
        />
      )}
    </ListPage>
  );
}
