import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { AppProviders } from "@/app/providers";
import { createQueryClient } from "@/lib/queryClient";

/**
 * Render `routes` (or a single element at "/") inside the app's providers, starting at `path`.
 * Returns the router so tests can assert where navigation went.
 */
export function renderRoutes(routes: RouteObject[] | ReactElement, path = "/") {
  const routeList = Array.isArray(routes) ? routes : [{ path: "/", element: routes }];
  const router = createMemoryRouter(routeList, { initialEntries: [path] });
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  const result = render(
    <AppProviders queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  return { ...result, router, queryClient };
}
