import type { ApiKey, Permission, Role, StaffUser } from "./api";

export const staffUser = (overrides: Partial<StaffUser> = {}): StaffUser => ({
  id: 2,
  email: "bob@example.com",
  username: "bob",
  full_name: "Bob Builder",
  is_active: true,
  email_verified: true,
  is_2fa_enabled: true,
  contact_id: null,
  roles: ["support"],
  last_login_at: "2024-03-01T10:00:00Z",
  created_at: "2024-01-01T00:00:00Z",
  ...overrides,
});

export const role = (overrides: Partial<Role> = {}): Role => ({
  id: 10,
  name: "support",
  description: "Customer support and NOC",
  builtin: true,
  permissions: ["customer.read", "ticket.read"],
  ...overrides,
});

export const catalogue: Permission[] = [
  { name: "customer.read", description: "View customers" },
  { name: "customer.write", description: "Edit customers" },
  { name: "ticket.read", description: "View tickets" },
  { name: "user.write", description: "Create, edit and disable users" },
];

export const apiKey = (overrides: Partial<ApiKey> = {}): ApiKey => ({
  id: 5,
  name: "billing sync",
  prefix: "ab12cd34",
  scopes: ["customer.read"],
  user_id: 1,
  created_at: "2024-02-01T00:00:00Z",
  expires_at: null,
  last_used_at: null,
  ...overrides,
});
