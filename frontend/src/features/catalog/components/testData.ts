/** Test fixtures for the catalog (used by *.test.tsx only). */
import type { Product } from "../api";

export const product = (overrides: Partial<Product> = {}): Product => ({
  product_id: 3,
  product_name: "Mobile 10GB",
  product_slug: "mobile-10gb",
  category: "standalone",
  description: null,
  provisioning_play: null,
  provisioning_json_vars: {},
  inventory_items_list: ["SIM Card"],
  retail_cost: "19.9900",
  retail_setup_cost: "0.0000",
  wholesale_cost: "8.0000",
  wholesale_setup_cost: "0.0000",
  rate_per_mb: null,
  rate_per_minute: "0.0500",
  rate_per_sms: null,
  data_mb: 10240,
  voice_minutes: null,
  sms: null,
  billing_period: "monthly",
  prepaid_eligible: true,
  postpaid_eligible: true,
  tax_percentage: "20.00",
  contract_term_months: 12,
  currency: "USD",
  enabled: true,
  bundle_children: [],
  addon_compatible_with: [],
  promo_target_product_id: null,
  promo_discount_percent: null,
  promo_discount_amount: null,
  promo_months: null,
  created_at: "2024-01-02T03:04:05Z",
  updated_at: "2024-01-02T03:04:05Z",
  ...overrides,
});

export const page = <T>(rows: T[], total = rows.length) => ({
  headers: { "X-Pagination": JSON.stringify({ total, total_pages: Math.max(1, Math.ceil(total / 25)), page: 1 }) },
});
