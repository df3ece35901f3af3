import { Group, Text } from "@mantine/core";
import type { SeriesPoint } from "../api";

const WIDTH = 720;
const HEIGHT = 140;
const GAP = 2;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** "7 Dec 16:00" (local time): a 24 h or longer window spans days, so the hour alone is ambiguous. */
export const hourOf = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${two(d.getHours())}:${two(d.getMinutes())}`;
};

function colorOf(rate: number): string {
  if (rate >= 0.95) return "var(--mantine-color-green-6)";
  if (rate >= 0.8) return "var(--mantine-color-orange-6)";
  return "var(--mantine-color-red-6)";
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

/** Success rate per hour as bars (height = rate); an idle hour is a grey tick. */
export function RateChart({ series }: { series: SeriesPoint[] }) {
  const succeeded = series.reduce((n, p) => n + p.succeeded, 0);
  const failed = series.reduce((n, p) => n + p.failed, 0);
  const overall = succeeded + failed ? succeeded / (succeeded + failed) : null;
  const slot = series.length ? WIDTH / series.length : WIDTH;
  return (
    <div data-testid="provision-rate-chart">
      <Group justify="space-between" mb={4}>
        <Text size="sm" c="dimmed">
          {succeeded} succeeded · {failed} failed
        </Text>
        <Text size="sm" fw={600} data-testid="provision-rate-overall">
          {overall === null ? "No finished jobs" : `${percent(overall)} success`}
        </Text>
      </Group>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        height={HEIGHT}
        preserveAspectRatio="none"
        role="img"
        aria-label="Success rate per hour"
      >
        <line x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} stroke="var(--mantine-color-gray-4)" />
        <line x1={0} x2={WIDTH} y1={0.5} y2={0.5} stroke="var(--mantine-color-gray-3)" strokeDasharray="4 4" />
        {series.map((p, i) => {
          const x = i * slot + GAP / 2;
          const w = Math.max(1, slot - GAP);
          const label = `${hourOf(p.hour)}: ${
            p.success_rate === null ? "idle" : `${percent(p.success_rate)} (${p.succeeded} ok, ${p.failed} failed)`
          }`;
          if (p.success_rate === null) {
            return (
              <rect key={p.hour} x={x} y={HEIGHT - 3} width={w} height={3} fill="var(--mantine-color-gray-3)">
                <title>{label}</title>
              </rect>
            );
          }
          const h = Math.max(3, p.success_rate * HEIGHT);
          return (
            <rect
              key={p.hour}
              x={x}
              y={HEIGHT - h}
              width={w}
              height={h}
              rx={2}
              fill={colorOf(p.success_rate)}
              data-rate={p.success_rate}
            >
              <title>{label}</title>
            </rect>
          );
        })}
      </svg>
      {series.length > 0 && (
        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            {hourOf(series[0].hour)}
          </Text>
          <Text size="xs" c="dimmed">
            {hourOf(series[series.length - 1].hour)}
          </Text>
        </Group>
      )}
    </div>
  );
}
