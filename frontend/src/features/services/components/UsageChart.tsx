/**
 * The usage chart on its own, so recharts (the bulk of @mantine/charts) is loaded lazily by the
 * service page that shows it, not by every page that imports this feature.
 */
import { BarChart } from "@mantine/charts";
import type { UsageType } from "../api";
import { formatQuantity } from "../charging";
import { BALANCE_TYPE_LABELS } from "../constants";
import { formatDay, type UsagePoint } from "../usage";

const USAGE_COLORS: Record<UsageType, string> = {
  data: "blue.6",
  voice: "teal.6",
  sms: "grape.6",
};

interface UsageChartProps {
  points: UsagePoint[];
  type: UsageType;
  height: number;
}

/** A bar a day for one kind of usage, in its unit. */
export function UsageChart({ points, type, height }: UsageChartProps) {
  return (
    <BarChart
      h={height}
      data={points.map((point) => ({ ...point, label: formatDay(point.day) }))}
      dataKey="label"
      series={[{ name: type, label: BALANCE_TYPE_LABELS[type], color: USAGE_COLORS[type] }]}
      valueFormatter={(value) => formatQuantity(type, String(value), null)}
      tickLine="y"
      maxBarWidth={24}
      // Messages come whole; data and minutes may be fractions.
      yAxisProps={{ width: 72, allowDecimals: type !== "sms" }}
      data-testid="usage-chart"
      data-usage-type={type}
    />
  );
}
