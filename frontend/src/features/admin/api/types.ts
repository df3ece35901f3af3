/** The shapes of the admin API, derived from the generated contract. */
import type { BodyOf, QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

export type StaffUser = ResponseOf<"/crm/user/{user_id}", "get">;
export type UserCreate = BodyOf<"/crm/user/", "post">;
export type UserUpdate = BodyOf<"/crm/user/{user_id}", "patch">;
export type UserListQuery = QueryOf<"/crm/user/", "get">;
export type Role = ResponseOf<"/crm/role/{role_id}", "get">;
export type RoleCreate = BodyOf<"/crm/role/", "post">;
export type RoleUpdate = BodyOf<"/crm/role/{role_id}", "patch">;
export type Permission = Item<ResponseOf<"/crm/permission/", "get">>;
export type ApiKey = Item<ResponseOf<"/crm/auth/api-key/", "get">>;
export type ApiKeyCreate = BodyOf<"/crm/auth/api-key/", "post">;
export type ApiKeyCreated = ResponseOf<"/crm/auth/api-key/", "post">;
/** A name of the permission catalogue ("customer.read"), as the API's enum lists them. */
export type PermissionName = RoleCreate["permissions"][number];
/** Form values are plain strings; the API refuses any that is not in the catalogue (422). */
export const asPermissionNames = (names: string[]) => names as PermissionName[];
