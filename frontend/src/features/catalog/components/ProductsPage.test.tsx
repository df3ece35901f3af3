import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { product } from "@/test/catalog";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ProductsPage } from "./ProductsPage";
import { page } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["product.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/product/", () => json([product()], page([product()], 60)));
  return () => vi.unstubAllGlobals();
});

const renderPage = (path = "/products") =>
  renderRoutes(
    [
      { path: "/products", element: <ProductsPage /> },
      { path: "/products/:id", element: <p>detail</p> },
    ],
    path,
  );

const lastQuery = () => new URL(fetch.callsTo("GET /crm/product/").at(-1)!.url).searchParams;

describe("ProductsPage", () => {
  it("lists a page with the total, prices shown from the decimal strings", async () => {
    renderPage();
    const table = await screen.findByTestId("products-table");
    expect(await within(table).findByText("Mobile 10GB")).toBeInTheDocument();
    expect(within(table).getByText("19.99 USD")).toBeInTheDocument();
    expect(screen.getByText("60 products")).toBeInTheDocument();
    expect(Object.fromEntries(lastQuery())).toEqual({ page: "1", page_size: "25" });
  });

  it("passes filters from the URL: categories repeated, enabled and billing period", async () => {
    renderPage("/products?category=bundle,addon&enabled=false&billing_period=weekly&page=2&q=data");
    await screen.findByText("Mobile 10GB");
    expect(lastQuery().getAll("category")).toEqual(["bundle", "addon"]);
    expect(lastQuery().get("enabled")).toBe("false");
    expect(lastQuery().get("billing_period")).toBe("weekly");
    expect(lastQuery().get("page")).toBe("2");
    expect(lastQuery().get("q")).toBe("data");
  });

  it("searches server-side and sorts by price, then reverses", async () => {
    const { router } = renderPage();
    await screen.findByText("Mobile 10GB");
    const user = userEvent.setup();

    await user.type(screen.getByTestId("product-search"), "sim");
    await waitFor(() => expect(lastQuery().get("q")).toBe("sim"));
    await user.click(screen.getByTestId("sort-retail_cost"));
    await waitFor(() => expect(lastQuery().get("sort")).toBe("retail_cost"));
    await user.click(screen.getByTestId("sort-retail_cost"));
    await waitFor(() => expect(lastQuery().get("sort")).toBe("-retail_cost"));
    await user.click(screen.getByTestId("sort-created_at"));
    await waitFor(() => expect(lastQuery().get("sort")).toBe("created_at"));
    expect(router.state.location.search).toBe("?q=sim&sort=created_at");
  });

  it("offers New product only with product.write", async () => {
    const { unmount } = renderPage();
    await screen.findByText("Mobile 10GB");
    expect(screen.queryByTestId("product-new")).not.toBeInTheDocument();
    unmount();
    useSession.setState({ permissions: ["product.read", "product.write"] });
    renderPage();
    expect(await screen.findByTestId("product-new")).toBeInTheDocument();
  });
});
