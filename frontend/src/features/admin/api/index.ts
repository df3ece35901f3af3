export { useApiKeys, useCreateApiKey, useRevokeApiKey } from "./apiKeys";
export { adminKeys } from "./keys";
export { useCreateRole, useDeleteRole, usePermissionCatalogue, useRoles, useUpdateRole } from "./roles";
export type * from "./types";
export { asPermissionNames } from "./types";
export { useCreateUser, useResetUserTwoFactor, useUpdateUser, useUsers } from "./users";
