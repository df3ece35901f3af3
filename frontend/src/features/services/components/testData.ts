/** Charging fixtures for the services feature's tests (used by *.test.tsx only). */
import type { Product } from "@/features/catalog";
import { product } from "@/test/catalog";
import { json } from "@/test/http";
import { service, snapshot } from "@/test/services";
import type { Balance, Movement, ServiceBalances, ServiceDetail, UsageTotal } from "../api";

/** A service sold with a 10 GB, 200-minute monthly plan whose allowances are named after its slug. */
export const plannedService = (overrides: Partial<ServiceDetail> = {}): ServiceDetail =>
  service({
    price_snapshot: { ...snapshot, product_slug: "mobile-10gb", voice_minutes: 200 },
    ...overrides,
  });

export const balance = (overrides: Partial<Balance> = {}): Balance => ({
  balance_type: "monetary",
  balance_id: "*default",
  value: "12.50",
  expiry: null,
  weight: 10,
  blocker: false,
  ...overrides,
});

export const balances = (items: Balance[], overrides: Partial<ServiceBalances> = {}): ServiceBalances => ({
  service_id: 21,
  account: "abc123",
  backend: "internal",
  currency: "USD",
  balances: items,
  ...overrides,
});

export const movement = (overrides: Partial<Movement> = {}): Movement => ({
  movement_id: 1,
  balance_type: "monetary",
  balance_id: "*default",
  amount: "12.50",
  value_after: "12.50",
  cause: "topup",
  reference: "staff top-up",
  user_id: 1,
  created_at: "2026-02-01T10:00:00Z",
  ...overrides,
});

/** A ledger page as the API sends it: the movements plus the X-Pagination header. */
export const ledgerPage = (items: Movement[], pagination = { total: items.length, total_pages: 1, page: 1 }) =>
  json(items, { headers: { "X-Pagination": JSON.stringify(pagination) } });

/** A day's rated usage of one kind, as GET /crm/service/{id}/usage?group_by=day sends it. */
export const usageRow = (overrides: Partial<UsageTotal> = {}): UsageTotal => ({
  day: "2026-03-01",
  usage_type: "data",
  records: 1,
  units: "100.0000",
  from_allowance: "0.00",
  charged: "0.00",
  arrears: "0.00",
  ...overrides,
});

/** An add-on product compatible with plannedService's product (3), as GET /crm/product/ sends it. */
export const addonProduct = (overrides: Partial<Product> = {}): Product =>
  product({
    product_id: 40,
    product_name: "Data boost 5GB",
    product_slug: "data-boost-5gb",
    category: "addon",
    retail_cost: "4.9900",
    data_mb: 5120,
    voice_minutes: null,
    sms: null,
    billing_period: "one_off",
    inventory_items_list: [],
    addon_compatible_with: [3],
    ...overrides,
  });

/** A product list page as the API sends it: the products plus the X-Pagination header. */
export const productPage = (items: Product[]) =>
  json(items, { headers: { "X-Pagination": JSON.stringify({ total: items.length, total_pages: 1, page: 1 }) } });
