import { Card, Group, Select, Stack, Text } from "@mantine/core";
import { IconMailCheck } from "@tabler/icons-react";
import { ListTable, PageHeader, QueryState, RowLink, type Column } from "@/components";
import { formatDate, formatDateTime } from "@/lib/format";
import { useUrlParams } from "@/lib/useUrlParams";
import { useExpiringCards, useGateway, type SavedCard } from "../api";
import { cardExpiry, cardLabel } from "../constants";
import { CardBadges } from "./Badges";
import { useDocumentTitle } from "@/lib/useDocumentTitle";

const WINDOWS = [30, 60, 90, 180, 365];

const COLUMNS: Column<SavedCard>[] = [
  {
    header: "Customer",
    cell: (c) => (
      <RowLink to={`/customers/${c.customer_id}?tab=billing`}>{c.customer_name || `#${c.customer_id}`}</RowLink>
    ),
  },
  {
    header: "Card",
    cell: (c) => (
      <Text size="sm" fw={500} data-testid="expiring-card">
        {cardLabel(c)}
      </Text>
    ),
  },
  {
    header: "Expires",
    cell: (c) => (
      <Stack gap={0}>
        <Text size="sm" c={c.expired ? "red" : undefined} data-testid="expiring-expiry">
          {cardExpiry(c)}
        </Text>
        <Text size="xs" c="dimmed">
          Last good day {formatDate(c.expires_on)}
        </Text>
      </Stack>
    ),
  },
  { header: "", cell: (c) => <CardBadges card={c} /> },
  {
    header: "Reminder e-mail",
    cell: (c) =>
      c.expiry_reminded_at ? (
        <Group gap={4} wrap="nowrap" data-testid="expiring-reminder" data-sent="true">
          <IconMailCheck size={16} color="var(--mantine-color-teal-6)" />
          <Text size="sm">Sent {formatDateTime(c.expiry_reminded_at)}</Text>
        </Group>
      ) : (
        <Text size="sm" c="dimmed" data-testid="expiring-reminder" data-sent="false">
          Not sent yet
        </Text>
      ),
  },
];

/** Saved cards that expire soon (or have), soonest first: who to ask for a new card, and whether they were reminded. */
export function ExpiringCardsPage() {
  useDocumentTitle("Expiring cards");
  const [params, setParams] = useUrlParams(["days"] as const);
  const days = WINDOWS.includes(Number(params.days)) ? Number(params.days) : null;
  const cards = useExpiringCards(days);
  const gateway = useGateway();
  const defaultDays = gateway.data?.card_expiry_warning_days;

  return (
    <>
      <PageHeader
        title="Expiring cards"
        description="Customers' saved cards that expire soon or have expired, soonest first. Customers are e-mailed a reminder before their card expires."
      />
      <Card withBorder radius="md" padding="md">
        <Group mb="md">
          <Select
            aria-label="Expiring within"
            placeholder={defaultDays ? `Within ${defaultDays} days` : "Within the usual window"}
            data={WINDOWS.map((n) => ({ value: String(n), label: `Within ${n} days` }))}
            value={days === null ? null : String(days)}
            onChange={(value) => setParams({ days: value })}
            clearable
            w={200}
            data-testid="expiring-days"
          />
        </Group>
        <QueryState query={cards}>
          {(rows) => (
            <ListTable
              rows={rows}
              columns={COLUMNS}
              rowKey={(c) => c.payment_method_id}
              rowData={(c) => ({
                "data-testid": "expiring-row",
                "data-card-id": c.payment_method_id,
                "data-customer-id": c.customer_id,
              })}
              empty="No cards expire soon"
              testId="expiring-table"
            />
          )}
        </QueryState>
      </Card>
    </>
  );
}
