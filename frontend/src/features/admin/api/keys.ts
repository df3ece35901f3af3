export const adminKeys = {
  all: ["admin"] as const,
  users: () => [...adminKeys.all, "users"] as const,
  userList: (query: object) => [...adminKeys.users(), "list", query] as const,
  roles: () => [...adminKeys.all, "roles"] as const,
  permissions: () => [...adminKeys.all, "permissions"] as const,
  apiKeys: () => [...adminKeys.all, "api-keys"] as const,
};
