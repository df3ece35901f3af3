/**
 * The product form's model: validation (zod), the values type and the values a new or an
 * existing product starts from. Money and percentages stay strings, exactly as typed.
 */
import type { UseFormReturnType } from "@mantine/form";
import { z } from "zod";
import { MONEY_RE, PERCENT_RE } from "@/lib/money";
import type { Product } from "../../api";
import { BILLING_PERIODS, CATEGORIES } from "../../constants";

export const MONEY_MSG = "A non-negative amount with up to 4 decimals, e.g. 9.99";
const PERCENT_MSG = "0–100 with up to 2 decimals";

const money = z.string().trim().regex(MONEY_RE, MONEY_MSG);
const optionalMoney = z.union([z.literal(""), money]);
/** A play's name, as the server's PLAY_PATTERN. */
const PLAY_RE = /^[a-z0-9_-]+$/;
const PLAY_MSG = "Letters a-z, digits, _ and -";
const ALERTS_MSG = "Whole percentages 1–100";
const ALERTS_UNIQUE_MSG = "Each percentage at most once";
export const ALERTS_MAX = 5;

/** Usage alert percentages as typed tags: 1–100 integers, each once, at most 5 (like the server). */
const allowanceAlerts = z
  .array(
    z
      .string()
      .trim()
      .regex(/^\d{1,3}$/, ALERTS_MSG)
      .refine((v) => Number(v) >= 1 && Number(v) <= 100, ALERTS_MSG),
  )
  .max(ALERTS_MAX, `At most ${ALERTS_MAX} percentages`)
  .refine((tags) => new Set(tags.map(Number)).size === tags.length, ALERTS_UNIQUE_MSG);

const count = z.union([
  z.literal(""),
  z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, "A whole number ≥ 0"),
]);

/** The JSON textarea must hold an object (blank = {}). */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const productSchema = z
  .object({
    product_name: z.string().trim().min(1, "Enter the product's name").max(200),
    product_slug: z.union([
      z.literal(""),
      z
        .string()
        .trim()
        .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Lower-case letters, digits and single hyphens"),
    ]),
    category: z.enum(CATEGORIES),
    description: z.string().max(10000),
    provisioning_play: z.union([z.literal(""), z.string().trim().regex(PLAY_RE, PLAY_MSG)]),
    provisioning_json_vars: z
      .string()
      .refine((t) => parseJsonObject(t) !== null, 'Must be a JSON object, e.g. {"apn": "internet"}'),
    inventory_items_list: z.array(z.string()),
    retail_cost: money,
    retail_setup_cost: money,
    wholesale_cost: money,
    wholesale_setup_cost: money,
    rate_per_mb: optionalMoney,
    rate_per_minute: optionalMoney,
    rate_per_sms: optionalMoney,
    allowance_rollover: z.boolean(),
    allowance_alerts: allowanceAlerts,
    low_balance_alert: optionalMoney,
    exhausted_play: z.union([
      z.literal(""),
      z.string().trim().max(100, "At most 100 characters").regex(PLAY_RE, PLAY_MSG),
    ]),
    data_mb: count,
    voice_minutes: count,
    sms: count,
    billing_period: z.enum(BILLING_PERIODS),
    prepaid_eligible: z.boolean(),
    postpaid_eligible: z.boolean(),
    tax_percentage: z.string().trim().regex(PERCENT_RE, PERCENT_MSG),
    contract_term_months: z
      .string()
      .trim()
      .regex(/^\d{1,2}$/, "0–60 months")
      .refine((v) => Number(v) <= 60, "0–60 months"),
    currency: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{3}$/, "A 3-letter ISO code, e.g. USD"),
    enabled: z.boolean(),
    bundle_children: z.array(z.string()),
    addon_compatible_with: z.array(z.string()),
    promo_target_product_id: z.string(),
    promo_discount_kind: z.enum(["percent", "amount"]),
    promo_discount_percent: z.string().trim(),
    promo_discount_amount: z.string().trim(),
    promo_months: z.string().trim(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (!v.prepaid_eligible && !v.postpaid_eligible) {
      issue("postpaid_eligible", "Sell it to prepaid or postpaid customers (or both)");
    }
    if (v.category === "bundle" && v.bundle_children.length === 0) issue("bundle_children", "Add at least one product");
    if (v.category === "addon" && v.addon_compatible_with.length === 0) {
      issue("addon_compatible_with", "Pick at least one product it can be added to");
    }
    if (v.category === "promo") {
      if (!v.promo_target_product_id) issue("promo_target_product_id", "Pick the product the promotion discounts");
      if (v.promo_discount_kind === "percent" && !PERCENT_RE.test(v.promo_discount_percent)) {
        issue("promo_discount_percent", PERCENT_MSG);
      }
      if (v.promo_discount_kind === "amount" && !MONEY_RE.test(v.promo_discount_amount)) {
        issue("promo_discount_amount", MONEY_MSG);
      }
      const months = Number(v.promo_months);
      if (!/^\d+$/.test(v.promo_months) || months < 1 || months > 36) issue("promo_months", "1–36 months");
    }
  });

export type ProductFormValues = z.infer<typeof productSchema>;

/** The form as the sections receive it. */
export type ProductFormState = UseFormReturnType<ProductFormValues>;

/** A new product's defaults, or an existing product's values as form strings. */
export function initialValues(p?: Product): ProductFormValues {
  const vars = p?.provisioning_json_vars;
  return {
    product_name: p?.product_name ?? "",
    product_slug: p?.product_slug ?? "",
    category: p?.category ?? "standalone",
    description: p?.description ?? "",
    provisioning_play: p?.provisioning_play ?? "",
    provisioning_json_vars: vars && Object.keys(vars).length ? JSON.stringify(vars, null, 2) : "",
    inventory_items_list: p?.inventory_items_list ?? [],
    retail_cost: p?.retail_cost ?? "",
    retail_setup_cost: p?.retail_setup_cost ?? "0",
    wholesale_cost: p?.wholesale_cost ?? "0",
    wholesale_setup_cost: p?.wholesale_setup_cost ?? "0",
    rate_per_mb: p?.rate_per_mb ?? "",
    rate_per_minute: p?.rate_per_minute ?? "",
    rate_per_sms: p?.rate_per_sms ?? "",
    allowance_rollover: p?.allowance_rollover ?? false,
    allowance_alerts: (p?.allowance_alerts ?? []).map(String),
    low_balance_alert: p?.low_balance_alert ?? "",
    exhausted_play: p?.exhausted_play ?? "",
    data_mb: p?.data_mb?.toString() ?? "",
    voice_minutes: p?.voice_minutes?.toString() ?? "",
    sms: p?.sms?.toString() ?? "",
    billing_period: p?.billing_period ?? "monthly",
    prepaid_eligible: p?.prepaid_eligible ?? true,
    postpaid_eligible: p?.postpaid_eligible ?? true,
    tax_percentage: p?.tax_percentage ?? "0",
    contract_term_months: p?.contract_term_months?.toString() ?? "0",
    currency: p?.currency ?? "USD",
    enabled: p?.enabled ?? true,
    bundle_children: (p?.bundle_children ?? []).map(String),
    addon_compatible_with: (p?.addon_compatible_with ?? []).map(String),
    promo_target_product_id: p?.promo_target_product_id?.toString() ?? "",
    promo_discount_kind: p?.promo_discount_amount ? "amount" : "percent",
    promo_discount_percent: p?.promo_discount_percent ?? "",
    promo_discount_amount: p?.promo_discount_amount ?? "",
    promo_months: p?.promo_months?.toString() ?? "",
  };
}
