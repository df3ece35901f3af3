import type { ReactNode } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { usePermission, useSession } from "@/api";
import { loginPathFor, returnPath } from "@/features/auth";
import { ForbiddenPage } from "./pages/ForbiddenPage";

/**
 * Signed-in users only; others go to /login and come back afterwards (the path rides along in
 * router state and in `?next=`, which survives a reload of /login). This is also how an ended
 * session (the refresh refused) lands on /login: the API client clears the token.
 */
export function RequireAuth() {
  const token = useSession((s) => s.token);
  const location = useLocation();
  if (!token) return <Navigate to={loginPathFor(location)} replace state={{ from: location }} />;
  return <Outlet />;
}

/** The /login page is for signed-out users. */
export function GuestOnly({ children }: { children: ReactNode }) {
  const token = useSession((s) => s.token);
  const location = useLocation();
  return token ? <Navigate to={returnPath(location.state, location.search)} replace /> : <>{children}</>;
}

export function RequirePermission({ permission }: { permission?: string }) {
  const allowed = usePermission(permission);
  return allowed ? <Outlet /> : <ForbiddenPage />;
}
