/** Password and e-mail links: forgot, reset (mailed token), change (signed in), verify e-mail. */
import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/api";

export function useForgotPassword() {
  return useMutation({
    mutationFn: (email: string) => unwrap(api.POST("/crm/auth/password/forgot", { body: { email } })),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (body: { token: string; password: string }) => unwrap(api.POST("/crm/auth/password/reset", { body })),
  });
}

/** The server ends every other session of the user; this one stays. */
export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      unwrap(api.POST("/crm/auth/password/change", { body })),
  });
}

export function useConfirmEmail() {
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST("/crm/auth/verify-email/confirm", { body: { token } })),
  });
}
