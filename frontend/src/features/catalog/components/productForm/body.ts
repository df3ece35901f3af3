/** Form values → the API's create (POST) and update (PATCH) bodies. */
import { nullIfBlank, withoutNulls } from "@/lib/forms";
import type { ProductCreate, ProductUpdate } from "../../api";
import { parseJsonObject, type ProductFormValues } from "./schema";

const intOrNull = (v: string) => (v.trim() === "" ? null : Number.parseInt(v, 10));

/** Every field but the category; blanks as null so a cleared input clears the field. */
function commonBody(v: ProductFormValues) {
  return {
    product_name: v.product_name.trim(),
    description: nullIfBlank(v.description),
    provisioning_play: nullIfBlank(v.provisioning_play),
    provisioning_json_vars: parseJsonObject(v.provisioning_json_vars) ?? {},
    inventory_items_list: v.inventory_items_list,
    // Money stays a string: exactly what was typed, trimmed.
    retail_cost: v.retail_cost.trim(),
    retail_setup_cost: v.retail_setup_cost.trim(),
    wholesale_cost: v.wholesale_cost.trim(),
    wholesale_setup_cost: v.wholesale_setup_cost.trim(),
    rate_per_mb: nullIfBlank(v.rate_per_mb),
    rate_per_minute: nullIfBlank(v.rate_per_minute),
    rate_per_sms: nullIfBlank(v.rate_per_sms),
    allowance_rollover: v.allowance_rollover,
    allowance_alerts: v.allowance_alerts.map((pct) => Number.parseInt(pct, 10)),
    low_balance_alert: nullIfBlank(v.low_balance_alert),
    exhausted_play: nullIfBlank(v.exhausted_play),
    data_mb: intOrNull(v.data_mb),
    voice_minutes: intOrNull(v.voice_minutes),
    sms: intOrNull(v.sms),
    billing_period: v.billing_period,
    prepaid_eligible: v.prepaid_eligible,
    postpaid_eligible: v.postpaid_eligible,
    tax_percentage: v.tax_percentage.trim(),
    contract_term_months: Number.parseInt(v.contract_term_months, 10),
    currency: v.currency.trim().toUpperCase(),
    enabled: v.enabled,
  };
}

/** The fields of the product's own category only: others are a 422 on the server. */
function categoryBody(v: ProductFormValues) {
  switch (v.category) {
    case "bundle":
      return { bundle_children: v.bundle_children.map(Number) };
    case "addon":
      return { addon_compatible_with: v.addon_compatible_with.map(Number) };
    case "promo":
      // Exactly one kind of discount; the other is sent as null so a PATCH can switch kinds.
      return {
        promo_target_product_id: Number(v.promo_target_product_id),
        promo_discount_percent: v.promo_discount_kind === "percent" ? v.promo_discount_percent : null,
        promo_discount_amount: v.promo_discount_kind === "amount" ? v.promo_discount_amount : null,
        promo_months: Number.parseInt(v.promo_months, 10),
      };
    default:
      return {};
  }
}

export function toCreate(v: ProductFormValues): ProductCreate {
  return withoutNulls({
    ...commonBody(v),
    product_slug: nullIfBlank(v.product_slug),
    category: v.category,
    ...categoryBody(v),
  }) as ProductCreate;
}

export function toUpdate(v: ProductFormValues): ProductUpdate {
  const slug = nullIfBlank(v.product_slug);
  return { ...commonBody(v), ...(slug ? { product_slug: slug } : {}), ...categoryBody(v) };
}
