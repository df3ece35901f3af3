import { SimpleGrid, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { formatMoney, formatPercent } from "@/features/catalog/money";

type Snapshot = Record<string, unknown>;

const str = (v: unknown): string | null => (v === null || v === undefined || v === "" ? null : String(v));

export function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: "break-word" }} data-testid={testId}>
        {children}
      </Text>
    </Stack>
  );
}

export function allowance(value: unknown, unit: string, unlimitedIfNull = false): string {
  const s = str(value);
  if (s === null) return unlimitedIfNull ? "Unlimited" : "—";
  return `${s} ${unit}`;
}

/** What was sold: the product's prices, tax and allowances copied at sale time. */
export function PriceSnapshot({ snapshot }: { snapshot: Snapshot }) {
  const currency = str(snapshot.currency);
  const money = (key: string) => formatMoney(str(snapshot[key]), currency);
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="lg" data-testid="price-snapshot">
      <Field label="Product">{str(snapshot.product_name) ?? "—"}</Field>
      <Field label="Price">
        {money("retail_cost")}
        {str(snapshot.billing_period) ? ` / ${String(snapshot.billing_period)}` : ""}
      </Field>
      <Field label="Setup fee">{money("retail_setup_cost")}</Field>
      <Field label="Tax">{formatPercent(str(snapshot.tax_percentage))}</Field>
      <Field label="Data">{allowance(snapshot.data_mb, "MB")}</Field>
      <Field label="Voice">{allowance(snapshot.voice_minutes, "min")}</Field>
      <Field label="SMS">{allowance(snapshot.sms, "SMS")}</Field>
      <Field label="Rate per MB">{money("rate_per_mb")}</Field>
      <Field label="Rate per minute">{money("rate_per_minute")}</Field>
      <Field label="Rate per SMS">{money("rate_per_sms")}</Field>
    </SimpleGrid>
  );
}
