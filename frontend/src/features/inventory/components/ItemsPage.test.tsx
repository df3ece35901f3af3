import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ItemsPage } from "./ItemsPage";
import { item, template } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["inventory.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/inventory/template/", () => json([template()]));
  fetch.on("GET /crm/inventory/", () => json([item({ customer_id: 7 })]));
  return () => vi.unstubAllGlobals();
});

const lastQuery = () => new URL(fetch.callsTo("GET /crm/inventory/").at(-1)!.url).searchParams;

describe("ItemsPage", () => {
  it("lists items under the Inventory breadcrumb and filters by state and customer", async () => {
    renderRoutes([{ path: "/inventory/items", element: <ItemsPage /> }], "/inventory/items?state=new,reserved");
    const row = await screen.findByTestId("inventory-row-42");
    expect(within(row).getByRole("link", { name: "8944100000000000018" })).toHaveAttribute(
      "href",
      "/inventory/items/42",
    );
    expect(within(row).getByRole("link", { name: "#7" })).toHaveAttribute("href", "/customers/7");
    expect(screen.getByRole("link", { name: "Inventory" })).toHaveAttribute("href", "/inventory");
    expect(screen.getByRole("heading", { name: "Inventory items" })).toBeInTheDocument();
    expect(lastQuery().getAll("state")).toEqual(["new", "reserved"]);

    const user = userEvent.setup();
    await user.type(screen.getByTestId("inventory-filter-customer"), "x");
    expect(screen.getByTestId("inventory-filter-customer")).toHaveAttribute("aria-invalid", "true");
    await user.clear(screen.getByTestId("inventory-filter-customer"));
    await user.type(screen.getByTestId("inventory-filter-customer"), "7");
    await waitFor(() => expect(lastQuery().get("customer_id")).toBe("7"));
  });
});
