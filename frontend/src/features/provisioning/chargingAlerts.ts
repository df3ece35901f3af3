/** Wording for `charging.threshold` alerts (the toast and the dashboard list say the same). */
import { formatMoney } from "@/lib/money";
import type { ChargingThreshold } from "./api";

/** How many alerts the dashboard keeps. */
export const ALERTS_SIZE = 10;

const LABELS: Record<ChargingThreshold["balance_type"], string> = {
  data: "data",
  voice: "voice",
  sms: "SMS",
  monetary: "money",
};

const UNITS: Record<ChargingThreshold["balance_type"], string> = {
  data: "MB",
  voice: "min",
  sms: "SMS",
  monetary: "",
};

/** "100.0000" → "100", "2.50" → "2.5": a decimal string without trailing zeros. */
function units(value: string): string {
  return value.includes(".") ? value.replace(/\.?0+$/, "") : value;
}

function percent(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The alert in words, without the service ("80% of data used (100 MB left)"). */
export function thresholdText(alert: ChargingThreshold): string {
  const label = LABELS[alert.balance_type] ?? alert.balance_type;
  if (alert.balance_type === "monetary") {
    return alert.below === null
      ? `money ${formatMoney(alert.value)} left`
      : `money ${formatMoney(alert.value)} below ${formatMoney(alert.below)}`;
  }
  const left = `${units(alert.value)} ${UNITS[alert.balance_type] ?? ""}`.trim();
  if (alert.threshold.endsWith(":exhausted")) return `${label} exhausted`;
  if (alert.percent_used !== null) return `${percent(alert.percent_used)}% of ${label} used (${left} left)`;
  return `${label} threshold ${alert.threshold} reached (${left} left)`;
}

/** "Service 42: 80% of data used (100 MB left)". */
export const describeThreshold = (alert: ChargingThreshold) => `Service ${alert.service_id}: ${thresholdText(alert)}`;

/** Exhausted allowances and low money are red; a usage warning is orange. */
export const thresholdColor = (alert: ChargingThreshold) =>
  alert.balance_type === "monetary" || alert.threshold.endsWith(":exhausted") ? "red" : "orange";

export const serviceUrl = (serviceId: number) => `/services/${serviceId}`;
