import { createBrowserRouter, type RouteObject } from "react-router";
import { ForgotPasswordPage, LoginPage, ResetPasswordPage, SecurityPage, VerifyEmailPage } from "@/features/auth";
import { GuestOnly, RequireAuth, RequirePermission } from "./guards";
import { AppLayout } from "./layout/AppLayout";
import { HomePage } from "./pages/HomePage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { RouteError } from "./pages/RouteError";
import { sections } from "./sections";

/** The staff route tree. (A self-care portal tree will sit beside it over the same features.) */
export const routes: RouteObject[] = [
  {
    path: "/login",
    element: (
      <GuestOnly>
        <LoginPage />
      </GuestOnly>
    ),
  },
  {
    path: "/forgot-password",
    element: (
      <GuestOnly>
        <ForgotPasswordPage />
      </GuestOnly>
    ),
  },
  // The mailed links (auth/use_cases/tokens.py) land here, signed in or not: the token is the proof.
  { path: "/reset-password", element: <ResetPasswordPage /> },
  { path: "/verify-email", element: <VerifyEmailPage /> },
  {
    element: <RequireAuth />,
    errorElement: <RouteError />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <HomePage /> },
          ...sections.map<RouteObject>((s) => ({
            path: s.path,
            element: <RequirePermission permission={s.permission} />,
            children: s.routes,
          })),
          { path: "settings/security", element: <SecurityPage /> },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
