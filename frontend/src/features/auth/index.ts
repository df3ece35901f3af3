export { useLogout, useMe } from "./api";
export { ForgotPasswordPage } from "./components/ForgotPasswordPage";
export { LoginPage } from "./components/LoginPage";
export { ResetPasswordPage } from "./components/ResetPasswordPage";
export { VerifyEmailPage } from "./components/VerifyEmailPage";
export { SecurityPage } from "./components/SecurityPage";
export { loginPathFor, returnPath } from "./returnPath";
export { MIN_PASSWORD_LENGTH, newPasswordSchema } from "./passwordPolicy";
