/** A service and the price snapshot it was sold at, as the API sends them (for any feature's tests). */
import type { ServiceDetail } from "@/features/services";

export const snapshot = {
  product_id: 3,
  product_name: "Mobile 10GB",
  currency: "USD",
  billing_period: "monthly",
  retail_cost: "19.99",
  retail_setup_cost: "5.00",
  tax_percentage: "20.00",
  data_mb: 10240,
  voice_minutes: null,
  sms: null,
};

export const service = (overrides: Partial<ServiceDetail> = {}): ServiceDetail => ({
  service_id: 21,
  customer_id: 7,
  product_id: 3,
  site_id: null,
  customer_name: "Acme Pty",
  product_name: "Mobile 10GB",
  site_name: null,
  service_name: "Mobile 10GB",
  service_uuid: "abc123",
  service_status: "active",
  service_billed: false,
  wholesale_cost: "8.00",
  retail_cost: "19.99",
  price_snapshot: snapshot,
  bundled_parent_id: null,
  start_date: "2025-01-01T00:00:00Z",
  end_date: null,
  inventory: [{ inventory_id: 42, item: "SIM Card", serial: "8944100000000000018", item_state: "assigned" }],
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  status_history: [
    { from_status: null, to_status: "pending", reason: "sold", user_id: 1, created_at: "2025-01-01T00:00:00Z" },
    { from_status: "pending", to_status: "active", reason: null, user_id: 1, created_at: "2025-01-01T00:00:01Z" },
  ],
  ...overrides,
});
