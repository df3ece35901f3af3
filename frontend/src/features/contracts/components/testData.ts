/** Test fixtures for contracts (used by *.test.tsx only). */
import { snapshot } from "@/test/services";
import type { Contract } from "../api";

export const contract = (overrides: Partial<Contract> = {}): Contract => ({
  contract_id: 11,
  contract_number: "C-2025-000011",
  customer_id: 7,
  customer_name: "Harbour Cafe",
  product_id: 3,
  product_name: "Mobile 20",
  service_id: 21,
  site_id: null,
  site_name: null,
  sim_inventory_id: 42,
  sim_iccid: "8944100000000000018",
  number_inventory_id: 43,
  msisdn: "61412345678",
  contract_status: "active",
  term_months: 12,
  start_date: "2025-01-01",
  end_date: "2026-01-01",
  price_snapshot: snapshot,
  charges: [
    {
      contract_charge_id: 1,
      kind: "setup",
      amount: "5.00",
      currency: "USD",
      tax_percentage: "20.00",
      tax_amount: "1.00",
      created_at: "2025-01-01T00:00:00Z",
    },
  ],
  service: { service_id: 21, service_uuid: "abc123", service_status: "active" },
  provision: null,
  accepted_by_user_id: 1,
  accepted_by_name: "Dana Seller",
  accepted_at: "2025-01-01T00:00:00Z",
  closed_at: null,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  ...overrides,
});
