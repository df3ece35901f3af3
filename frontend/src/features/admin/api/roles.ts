/** Roles and the permission catalogue. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/api";
import { adminKeys } from "./keys";
import type { RoleCreate, RoleUpdate } from "./types";

export function useRoles({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: adminKeys.roles(),
    queryFn: ({ signal }) => unwrap(api.GET("/crm/role/", { signal })),
    enabled,
  });
}

export function usePermissionCatalogue({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: adminKeys.permissions(),
    queryFn: ({ signal }) => unwrap(api.GET("/crm/permission/", { signal })),
    staleTime: 10 * 60_000,
    enabled,
  });
}

function useInvalidateRoles() {
  const queryClient = useQueryClient();
  // A role's permissions show on users' screens too.
  return () => queryClient.invalidateQueries({ queryKey: adminKeys.all });
}

export function useCreateRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: (body: RoleCreate) => unwrap(api.POST("/crm/role/", { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: ({ roleId, body }: { roleId: number; body: RoleUpdate }) =>
      unwrap(api.PATCH("/crm/role/{role_id}", { params: { path: { role_id: roleId } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: (roleId: number) =>
      unwrap(api.DELETE("/crm/role/{role_id}", { params: { path: { role_id: roleId } } })),
    onSuccess: invalidate,
  });
}
