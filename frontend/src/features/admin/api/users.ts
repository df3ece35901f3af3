/** Staff users: list and search, create, change, disable, reset 2FA. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { adminKeys } from "./keys";
import type { UserCreate, UserListQuery, UserUpdate } from "./types";

export function useUsers(query: UserListQuery, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: adminKeys.userList(query),
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/user/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

function useInvalidateUsers() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: adminKeys.users() });
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (body: UserCreate) => unwrap(api.POST("/crm/user/", { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ userId, body }: { userId: number; body: UserUpdate }) =>
      unwrap(api.PATCH("/crm/user/{user_id}", { params: { path: { user_id: userId } }, body })),
    onSuccess: invalidate,
  });
}

export function useResetUserTwoFactor() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (userId: number) =>
      unwrap(api.POST("/crm/user/{user_id}/2fa/reset", { params: { path: { user_id: userId } } })),
    onSuccess: invalidate,
  });
}
