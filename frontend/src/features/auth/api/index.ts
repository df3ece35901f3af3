export { useChangePassword, useConfirmEmail, useForgotPassword, useResetPassword } from "./account";
export { useLogin, useLogout, useMe } from "./auth";
export { authKeys } from "./keys";
export {
  useDisableTwoFactor,
  useEnableTwoFactor,
  useRegenerateBackupCodes,
  useRevokeSession,
  useSessions,
  useTwoFactorSetup,
} from "./security";
