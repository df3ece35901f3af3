/** Two-factor authentication and active sessions of the signed-in user. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, useSession } from "@/api";
import { notifySuccess } from "@/lib/notify";
import { authKeys } from "./keys";

export function useTwoFactorSetup() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/crm/auth/2fa/setup")),
  });
}

/** Turning 2FA on needs the password again; the server then ends every other session. */
export function useEnableTwoFactor() {
  const updateUser = useSession((s) => s.updateUser);
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { code: string; password: string }) => unwrap(api.POST("/crm/auth/2fa/enable", { body })),
    onSuccess: () => {
      notifySuccess("Two-factor authentication is on. You were signed out everywhere else.");
      updateUser({ is_2fa_enabled: true });
      void queryClient.invalidateQueries({ queryKey: authKeys.me() });
      void queryClient.invalidateQueries({ queryKey: authKeys.sessions() });
    },
  });
}

export function useDisableTwoFactor() {
  const updateUser = useSession((s) => s.updateUser);
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST("/crm/auth/2fa/disable", { body: { code } })),
    onSuccess: () => {
      notifySuccess("Two-factor authentication is off.");
      updateUser({ is_2fa_enabled: false });
      void queryClient.invalidateQueries({ queryKey: authKeys.me() });
    },
  });
}

export function useRegenerateBackupCodes() {
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST("/crm/auth/2fa/backup-codes", { body: { code } })),
  });
}

export function useSessions() {
  return useQuery({
    queryKey: authKeys.sessions(),
    queryFn: ({ signal }) => unwrap(api.GET("/crm/auth/sessions", { signal })),
  });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) =>
      unwrap(api.DELETE("/crm/auth/sessions/{session_id}", { params: { path: { session_id: sessionId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.sessions() }),
  });
}
