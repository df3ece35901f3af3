/** Sign-in, sign-out and the current user. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap, useSession, type LoginRequest } from "@/api";
import { authKeys } from "./keys";

export function useLogin() {
  const signIn = useSession((s) => s.signIn);
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => unwrap(api.POST("/crm/auth/login", { body })),
    onSuccess: (login) => {
      queryClient.clear(); // nothing cached for a previous user may leak into this one
      signIn(login);
    },
  });
}

/** GET /crm/auth/me, kept in step with the session store (permissions may change). */
export function useMe() {
  const token = useSession((s) => s.token);
  const setMe = useSession((s) => s.setMe);
  const query = useQuery({
    queryKey: authKeys.me(),
    queryFn: ({ signal }) => unwrap(api.GET("/crm/auth/me", { signal })),
    enabled: !!token,
    staleTime: 5 * 60_000,
  });
  useEffect(() => {
    if (query.data) setMe(query.data);
  }, [query.data, setMe]);
  return query;
}

export function useLogout() {
  const clear = useSession((s) => s.clear);
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ all = false }: { all?: boolean } = {}) =>
      unwrap(api.POST("/crm/auth/logout", { params: { query: all ? { all: true } : {} } })),
    // Sign out locally whatever the server said: a dead token is as good as revoked.
    onSettled: () => {
      clear();
      queryClient.clear();
    },
  });
}
