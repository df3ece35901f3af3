export { useUsers } from "./api";
export type { ApiKey, Permission, Role, StaffUser } from "./api";
export { ApiKeysPage } from "./components/ApiKeysPage";
export { PermissionPicker } from "./components/PermissionPicker";
export { RolesPage } from "./components/RolesPage";
export { UserSelect, type UserSelectProps } from "./components/UserSelect";
export { UsersPage } from "./components/UsersPage";
