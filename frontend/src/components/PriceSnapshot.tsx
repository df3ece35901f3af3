import type { ReactNode } from "react";
import { allowance } from "@/lib/format";
import { formatMoney, formatPercent } from "@/lib/money";
import { Field, FieldGrid } from "./Field";

type Snapshot = Record<string, unknown>;

const str = (v: unknown): string | null => (v === null || v === undefined || v === "" ? null : String(v));

const GB = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** "100 GB" rather than "102400 MB"; the exact megabytes in a tooltip. */
function dataAllowance(value: unknown): ReactNode {
  const mb = Number(value);
  if (str(value) === null || !Number.isFinite(mb) || mb < 1024) return allowance(value, "MB");
  return (
    <span title={`${String(value)} MB`} data-testid="price-snapshot-data">
      {GB.format(mb / 1024)} GB
    </span>
  );
}

/** What was sold: the product's prices, tax and allowances copied at sale time (services, contracts). */
export function PriceSnapshot({ snapshot }: { snapshot: Snapshot }) {
  const currency = str(snapshot.currency);
  const money = (key: string) => formatMoney(str(snapshot[key]), currency);
  return (
    <FieldGrid testId="price-snapshot">
      <Field label="Product">{str(snapshot.product_name) ?? "—"}</Field>
      <Field label="Price">
        {money("retail_cost")}
        {str(snapshot.billing_period) ? ` / ${String(snapshot.billing_period)}` : ""}
      </Field>
      <Field label="Setup fee">{money("retail_setup_cost")}</Field>
      <Field label="Tax">{formatPercent(str(snapshot.tax_percentage))}</Field>
      <Field label="Data">{dataAllowance(snapshot.data_mb)}</Field>
      <Field label="Voice">{allowance(snapshot.voice_minutes, "min")}</Field>
      <Field label="SMS">{allowance(snapshot.sms, "SMS")}</Field>
      <Field label="Rate per MB">{money("rate_per_mb")}</Field>
      <Field label="Rate per minute">{money("rate_per_minute")}</Field>
      <Field label="Rate per SMS">{money("rate_per_sms")}</Field>
    </FieldGrid>
  );
}
