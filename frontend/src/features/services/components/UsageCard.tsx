import { Center, Group, Loader, SegmentedControl, SimpleGrid, Stack, Text } from "@mantine/core";
import { lazy, Suspense, useState } from "react";
import { DetailCard, QueryState } from "@/components";
import { formatMoney } from "@/lib/money";
import { useServiceBalances, useServiceUsage, type UsageTotal, type UsageType } from "../api";
import { formatQuantity } from "../charging";
import { BALANCE_TYPE_LABELS } from "../constants";
import { dailySeries, isZero, USAGE_DAYS, usagePeriod, usageTotals, type UsageSum } from "../usage";

// recharts is large: only the service page that shows the chart loads it.
const UsageChart = lazy(() => import("./UsageChart").then((m) => ({ default: m.UsageChart })));
/** The chart's height, kept while it loads so the card does not jump. */
const CHART_HEIGHT = 220;

function UsageTotalBlock({ sum, currency }: { sum: UsageSum; currency: string | null }) {
  const type = sum.usageType;
  return (
    <Stack gap={2} data-testid="usage-total" data-usage-type={type}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {BALANCE_TYPE_LABELS[type]}
      </Text>
      <Text fw={600} size="lg" data-testid="usage-units">
        {formatQuantity(type, sum.units, null)}
      </Text>
      <Text size="sm" data-testid="usage-charged">
        {formatMoney(sum.charged, currency)} charged
        {!isZero(sum.arrears) && ` · ${formatMoney(sum.arrears, currency)} in arrears`}
      </Text>
      <Text size="xs" c="dimmed">
        {sum.records === 1 ? "1 record" : `${sum.records} records`}
        {!isZero(sum.fromAllowance) && ` · ${formatQuantity(type, sum.fromAllowance, null)} from allowances`}
      </Text>
    </Stack>
  );
}

interface UsageBodyProps {
  rows: UsageTotal[];
  from: Date;
  currency: string | null;
}

/** The period's totals of each kind, and a bar a day for the kind picked. */
function UsageBody({ rows, from, currency }: UsageBodyProps) {
  const totals = usageTotals(rows);
  const [picked, setPicked] = useState<UsageType | null>(null);
  const type = totals.find((t) => t.usageType === picked)?.usageType ?? totals[0].usageType;

  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="md">
        {totals.map((sum) => (
          <UsageTotalBlock key={sum.usageType} sum={sum} currency={currency} />
        ))}
      </SimpleGrid>
      <Group justify="flex-end">
        <SegmentedControl
          size="xs"
          aria-label="Usage kind"
          data={totals.map((t) => ({ value: t.usageType, label: BALANCE_TYPE_LABELS[t.usageType] }))}
          value={type}
          onChange={(value) => setPicked(value as UsageType)}
          data-testid="usage-kind"
        />
      </Group>
      <Suspense
        fallback={
          <Center h={CHART_HEIGHT}>
            <Loader size="sm" />
          </Center>
        }
      >
        <UsageChart points={dailySeries(rows, from, USAGE_DAYS)} type={type} height={CHART_HEIGHT} />
      </Suspense>
    </Stack>
  );
}

interface UsageCardProps {
  serviceId: number;
  /** Until the balances arrive with the account's currency (the price snapshot's). */
  fallbackCurrency: string | null;
}

/** The service's rated usage over the last 30 days: totals per kind and a chart of each day. */
export function UsageCard({ serviceId, fallbackCurrency }: UsageCardProps) {
  // The same query as the Balances card (one request): money in the account's currency.
  const currency = useServiceBalances(serviceId).data?.currency ?? fallbackCurrency;
  // Fixed when the card mounts, so the query (and its cache key) does not move on each render.
  const [period] = useState(() => usagePeriod(new Date()));
  const usage = useServiceUsage(serviceId, {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    group_by: "day",
  });

  return (
    <DetailCard
      title="Usage"
      testId="service-usage"
      extra={
        <Text size="xs" c="dimmed">
          Last {USAGE_DAYS} days
        </Text>
      }
    >
      <QueryState query={usage}>
        {(rows) =>
          rows.length === 0 ? (
            <Text c="dimmed" size="sm">
              No usage in the last {USAGE_DAYS} days
            </Text>
          ) : (
            <UsageBody rows={rows} from={period.from} currency={currency} />
          )
        }
      </QueryState>
    </DetailCard>
  );
}
