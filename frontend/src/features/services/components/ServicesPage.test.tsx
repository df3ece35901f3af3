import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { service } from "@/test/services";
import { ServicesPage } from "./ServicesPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["service.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/service/", () =>
    json([service()], { headers: { "X-Pagination": JSON.stringify({ total: 31, total_pages: 2, page: 1 }) } }),
  );
  fetch.on("GET /crm/customer/7", () => json(customer({ customer_id: 7, customer_name: "Harbour Cafe" })));
  fetch.on("GET /crm/customer/", () => json([]));
  return () => vi.unstubAllGlobals();
});

const renderPage = (path = "/services") =>
  renderRoutes(
    [
      { path: "/services", element: <ServicesPage /> },
      { path: "/services/:id", element: <p>service page</p> },
    ],
    path,
  );

const lastQuery = () => new URL(fetch.callsTo("GET /crm/service/").at(-1)!.url).searchParams;

describe("ServicesPage", () => {
  it("lists services with price, SIM and the total", async () => {
    const { router } = renderPage();
    const row = await screen.findByTestId("service-row-21");
    expect(within(row).getByText("19.99 USD")).toBeInTheDocument();
    expect(within(row).getByText("8944100000000000018")).toBeInTheDocument();
    // Names beside the ids, each a link to its record.
    expect(within(row).getByRole("link", { name: "Acme Pty" })).toHaveAttribute("href", "/customers/7");
    const products = within(row).getAllByRole("link", { name: "Mobile 10GB" });
    expect(products.map((a) => a.getAttribute("href"))).toContain("/products/3");
    expect(screen.getByText("31 services")).toBeInTheDocument();
    await userEvent.setup().click(within(row).getByText("19.99 USD"));
    expect(router.state.location.pathname).toBe("/services/21");
  });

  it("passes the URL's filters to the API and writes new ones back", async () => {
    const { router } = renderPage("/services?service_status=active,suspended&customer_id=7&sort=-created_at");
    await screen.findByTestId("service-row-21");
    expect(lastQuery().getAll("service_status")).toEqual(["active", "suspended"]);
    expect(lastQuery().get("customer_id")).toBe("7");
    expect(lastQuery().get("sort")).toBe("-created_at");
    // The customer filter is a searchable picker showing the name, not an id box.
    await waitFor(() => expect(screen.getByTestId("service-filter-customer")).toHaveValue("Harbour Cafe"));

    await userEvent.setup().type(screen.getByTestId("service-filter-product"), "3");
    await waitFor(() => expect(lastQuery().get("product_id")).toBe("3"));
    expect(router.state.location.search).toContain("product_id=3");
  });

  it("says so when nothing matches", async () => {
    fetch.on("GET /crm/service/", () => json([]));
    renderPage();
    expect(await screen.findByText("No services match")).toBeInTheDocument();
  });
});
