import { Badge, Group, Select, Text } from "@mantine/core";
import { useState } from "react";
import { DetailCard, ListFooter, ListTable, QueryState, type Column } from "@/components";
import { formatDateTime } from "@/lib/format";
import { useServiceBalances, useServiceLedger, type BalanceType, type Movement, type MovementCause } from "../api";
import { formatQuantity, formatSigned } from "../charging";
import {
  BALANCE_TYPE_LABELS,
  BALANCE_TYPES,
  MOVEMENT_CAUSE_COLORS,
  MOVEMENT_CAUSE_LABELS,
  MOVEMENT_CAUSES,
} from "../constants";

const DEFAULT_PAGE_SIZE = 10;

function columns(currency: string | null): Column<Movement>[] {
  return [
    { header: "Date", cell: (m) => formatDateTime(m.created_at), td: { miw: 110 } },
    { header: "Kind", cell: (m) => BALANCE_TYPE_LABELS[m.balance_type] },
    {
      header: "Balance",
      cell: (m) => (
        <Text size="xs" ff="monospace" style={{ wordBreak: "break-all" }}>
          {m.balance_id}
        </Text>
      ),
    },
    {
      header: "Cause",
      cell: (m) => (
        <Badge
          color={MOVEMENT_CAUSE_COLORS[m.cause]}
          variant="light"
          style={{ minWidth: "max-content" }}
          data-testid="ledger-cause"
        >
          {MOVEMENT_CAUSE_LABELS[m.cause]}
        </Badge>
      ),
    },
    {
      header: "Amount",
      cell: (m) => (
        <Text
          size="sm"
          fw={500}
          c={m.amount.startsWith("-") ? "red" : "teal"}
          style={{ whiteSpace: "nowrap" }}
          data-testid="ledger-amount"
        >
          {formatSigned(m.balance_type, m.amount, currency)}
        </Text>
      ),
    },
    {
      header: "Value after",
      cell: (m) => formatQuantity(m.balance_type, m.value_after, currency),
      td: { style: { whiteSpace: "nowrap" } },
    },
    {
      header: "Reference",
      td: { miw: 140 },
      cell: (m) => (
        <>
          <Text size="sm" style={{ wordBreak: "break-word" }}>
            {m.reference || "—"}
          </Text>
          {m.user_id !== null && (
            <Text size="xs" c="dimmed">
              user #{m.user_id}
            </Text>
          )}
        </>
      ),
    },
  ];
}

interface LedgerCardProps {
  serviceId: number;
  /** Until the balances arrive with the account's currency (the price snapshot's). */
  fallbackCurrency: string | null;
}

/** Every movement of the service's balances, newest first, filtered by kind and cause. */
export function LedgerCard({ serviceId, fallbackCurrency }: LedgerCardProps) {
  // The same query as the Balances card (one request): money in the account's currency.
  const currency = useServiceBalances(serviceId).data?.currency ?? fallbackCurrency;
  const [balanceType, setBalanceType] = useState<BalanceType | null>(null);
  const [cause, setCause] = useState<MovementCause | null>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);
  const ledger = useServiceLedger(serviceId, {
    balance_type: balanceType ?? undefined,
    cause: cause ?? undefined,
    page,
    page_size: pageSize,
  });

  return (
    <DetailCard
      title="Ledger"
      testId="service-ledger"
      extra={
        <Group gap="xs">
          <Select
            aria-label="Kind"
            placeholder="Any kind"
            data={BALANCE_TYPES.map((value) => ({ value, label: BALANCE_TYPE_LABELS[value] }))}
            value={balanceType}
            onChange={(v) => {
              setBalanceType(v as BalanceType | null);
              setPage(1);
            }}
            clearable
            size="xs"
            w={120}
            data-testid="ledger-filter-kind"
          />
          <Select
            aria-label="Cause"
            placeholder="Any cause"
            data={MOVEMENT_CAUSES.map((value) => ({ value, label: MOVEMENT_CAUSE_LABELS[value] }))}
            value={cause}
            onChange={(v) => {
              setCause(v as MovementCause | null);
              setPage(1);
            }}
            clearable
            size="xs"
            w={130}
            data-testid="ledger-filter-cause"
          />
        </Group>
      }
    >
      <QueryState query={ledger}>
        {({ items, pagination }) => (
          <>
            <ListTable
              rows={items}
              columns={columns(currency)}
              rowKey={(m) => m.movement_id}
              rowData={(m) => ({ "data-testid": "ledger-row", "data-cause": m.cause })}
              empty={balanceType || cause ? "No movements match" : "No movements yet"}
              testId="ledger-table"
              minWidth={680}
              loading={ledger.isPlaceholderData}
            />
            <ListFooter
              pagination={pagination}
              pageSize={pageSize}
              noun={pagination.total === 1 ? "movement" : "movements"}
              onPage={setPage}
              onPageSize={(size) => {
                setPageSize(size);
                setPage(1);
              }}
            />
          </>
        )}
      </QueryState>
    </DetailCard>
  );
}
