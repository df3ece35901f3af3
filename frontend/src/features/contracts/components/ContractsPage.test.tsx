import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { product } from "@/test/catalog";
import { customer, login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ContractsPage } from "./ContractsPage";
import { contract } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["contract.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/contract/", () => json([contract()]));
  fetch.on("GET /crm/customer/7", () => json(customer({ customer_id: 7, customer_name: "Harbour Cafe" })));
  fetch.on("GET /crm/product/3", () => json(product({ product_id: 3, product_name: "Mobile 20" })));
  return () => vi.unstubAllGlobals();
});

const lastQuery = () => new URL(fetch.callsTo("GET /crm/contract/").at(-1)!.url).searchParams;

describe("ContractsPage", () => {
  it("lists contracts and filters by status and customer from the URL", async () => {
    const { router } = renderRoutes(
      [{ path: "/contracts", element: <ContractsPage /> }],
      "/contracts?contract_status=active&customer_id=7",
    );
    const row = await screen.findByTestId("contract-row-11");
    expect(within(row).getByRole("link", { name: "C-2025-000011" })).toHaveAttribute("href", "/contracts/11");
    expect(within(row).getByRole("link", { name: "Mobile 20" })).toHaveAttribute("href", "/products/3");
    expect(within(row).getByRole("link", { name: "Harbour Cafe" })).toHaveAttribute("href", "/customers/7");
    // The customer filter is a picker showing the name, not an id box.
    await waitFor(() => expect(screen.getByTestId("contract-filter-customer")).toHaveValue("Harbour Cafe"));
    expect(within(row).getByText("12 months")).toBeInTheDocument();
    expect(screen.getByText("1 contracts")).toBeInTheDocument();
    expect(lastQuery().getAll("contract_status")).toEqual(["active"]);
    expect(lastQuery().get("customer_id")).toBe("7");

    await userEvent.setup().click(screen.getByTestId("sort-contract_number"));
    await waitFor(() => expect(lastQuery().get("sort")).toBe("contract_number"));
    expect(router.state.location.search).toBe("?contract_status=active&customer_id=7&sort=contract_number");
  });

  it("filters by product through the product picker", async () => {
    renderRoutes([{ path: "/contracts", element: <ContractsPage /> }], "/contracts?product_id=3");
    await screen.findByTestId("contract-row-11");
    expect(lastQuery().get("product_id")).toBe("3");
    await waitFor(() => expect(screen.getByTestId("contract-filter-product")).toHaveValue("Mobile 20"));
  });
});
