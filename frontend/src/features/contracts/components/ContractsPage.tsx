import { Anchor, Card, Group, MultiSelect, Table, Text } from "@mantine/core";
import { Link, useNavigate } from "react-router";
import { EmptyRow, ListFooter, PageHeader, QueryState, SearchBox, SortableTh } from "@/components";
import { IdFilter, idOrUndefined } from "@/features/services";
import { formatDate, formatDateTime, orDash } from "@/lib/format";
import { useUrlParams } from "@/lib/useUrlParams";
import { useContracts, type ContractListItem, type ContractListQuery } from "../api";
import { CONTRACT_STATUS_LABELS, CONTRACT_STATUSES } from "../constants";
import { ContractStatusBadge } from "./ContractStatusBadge";

const PARAMS = ["page", "page_size", "q", "customer_id", "contract_status", "sort"] as const;
const DEFAULT_PAGE_SIZE = 25;

function ContractsTable({
  contracts,
  sort,
  onSort,
  loading,
}: {
  contracts: ContractListItem[];
  sort: string;
  onSort: (s: string) => void;
  loading?: boolean;
}) {
  const navigate = useNavigate();
  const sortable = { sort, onSort };
  const stop = (e: React.MouseEvent) => e.stopPropagation();
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table highlightOnHover verticalSpacing="sm" data-testid="contracts-table" opacity={loading ? 0.6 : 1}>
        <Table.Thead>
          <Table.Tr>
            <SortableTh field="contract_number" {...sortable}>
              Contract
            </SortableTh>
            <SortableTh field="contract_status" {...sortable}>
              Status
            </SortableTh>
            <Table.Th>Customer</Table.Th>
            <Table.Th>Product</Table.Th>
            <Table.Th>MSISDN</Table.Th>
            <Table.Th>Term</Table.Th>
            <SortableTh field="created_at" {...sortable}>
              Created
            </SortableTh>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {contracts.length === 0 && <EmptyRow colSpan={7}>No contracts match</EmptyRow>}
          {contracts.map((c) => (
            <Table.Tr
              key={c.contract_id}
              style={{ cursor: "pointer" }}
              onClick={() => navigate(`/contracts/${c.contract_id}`)}
              data-testid={`contract-row-${c.contract_id}`}
            >
              <Table.Td>
                <Anchor component={Link} to={`/contracts/${c.contract_id}`} ff="monospace" onClick={stop}>
                  {c.contract_number}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <ContractStatusBadge status={c.contract_status} />
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/customers/${c.customer_id}`} onClick={stop}>
                  #{c.customer_id}
                </Anchor>
              </Table.Td>
              <Table.Td>{orDash(c.price_snapshot?.product_name as string | undefined)}</Table.Td>
              <Table.Td ff="monospace">{orDash(c.msisdn)}</Table.Td>
              <Table.Td>
                <Text size="sm">{c.term_months} months</Text>
                {c.start_date && (
                  <Text size="xs" c="dimmed">
                    {formatDate(c.start_date)} – {formatDate(c.end_date)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{formatDateTime(c.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function ContractsPage() {
  const [params, setParams] = useUrlParams(PARAMS);
  const page = Number(params.page) || 1;
  const pageSize = Number(params.page_size) || DEFAULT_PAGE_SIZE;
  const query: ContractListQuery = {
    q: params.q || undefined,
    customer_id: idOrUndefined(params.customer_id),
    contract_status: params.contract_status
      ? (params.contract_status.split(",") as NonNullable<ContractListQuery["contract_status"]>)
      : undefined,
    sort: params.sort || undefined,
    page,
    page_size: pageSize,
  };
  const contracts = useContracts(query);

  return (
    <>
      <PageHeader title="Contracts" description="What each customer signed: product, SIM, number and term." />
      <Card withBorder radius="md" padding="md">
        <Group mb="md" gap="sm" wrap="wrap">
          <SearchBox
            value={params.q}
            onSearch={(q) => setParams({ q })}
            placeholder="Contract number…"
            testId="contract-search"
          />
          <MultiSelect
            placeholder={params.contract_status ? undefined : "Status"}
            data={CONTRACT_STATUSES.map((value) => ({ value, label: CONTRACT_STATUS_LABELS[value] }))}
            value={params.contract_status ? params.contract_status.split(",") : []}
            onChange={(v) => setParams({ contract_status: v.join(",") })}
            clearable
            miw={160}
            maw={360}
            data-testid="contract-filter-status"
          />
          <IdFilter
            value={params.customer_id}
            onChange={(customer_id) => setParams({ customer_id })}
            placeholder="Customer id"
            testId="contract-filter-customer"
          />
        </Group>
        <QueryState query={contracts}>
          {({ items }) => (
            <ContractsTable
              contracts={items}
              sort={params.sort}
              onSort={(sort) => setParams({ sort })}
              loading={contracts.isPlaceholderData}
            />
          )}
        </QueryState>
        <ListFooter
          pagination={contracts.data?.pagination}
          pageSize={pageSize}
          noun="contracts"
          onPage={(p) => setParams({ page: p === 1 ? null : p })}
          onPageSize={(size) => setParams({ page_size: size === DEFAULT_PAGE_SIZE ? null : size })}
        />
      </Card>
    </>
  );
}
