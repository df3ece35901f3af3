import type { Customer, LoginResponse } from "@/api";

export const user: LoginResponse["user"] = {
  id: 1,
  email: "ada@example.com",
  username: "ada",
  full_name: "Ada Lovelace",
  is_2fa_enabled: false,
  email_verified: true,
  is_active: true,
  contact_id: null,
  roles: ["admin"],
  created_at: "2024-01-01T00:00:00Z",
  last_login_at: null,
};

export const login = (overrides: Partial<LoginResponse> = {}): LoginResponse => ({
  token: "access-1",
  refresh_token: "refresh-1",
  user,
  roles: ["admin"],
  permissions: ["customer.read", "customer.write", "activity.read"],
  ...overrides,
});

export const customer = (overrides: Partial<Customer> = {}): Customer => ({
  customer_id: 7,
  customer_name: "Acme Telecom",
  customer_account_type: "Business",
  customer_status: "Open",
  customer_payment_type: "postpaid",
  customer_enabled: true,
  tax_identifier: null,
  external_id: null,
  currency: "USD",
  notes: null,
  archived_at: null,
  contract_start_date: null,
  contract_end_date: null,
  email: "ops@acme.test",
  phone: "+441234567890",
  tags: ["vip"],
  created_at: "2024-01-02T03:04:05Z",
  updated_at: "2024-01-02T03:04:05Z",
  ...overrides,
});
