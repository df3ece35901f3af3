export { useLogout, useMe } from "./api";
export { LoginPage } from "./components/LoginPage";
export { SecurityPage } from "./components/SecurityPage";
export { loginPathFor, returnPath } from "./returnPath";
