import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ItemsPage } from "./ItemsPage";
import { StockPage } from "./StockPage";
import { item, template } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["inventory.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/inventory/stock", () =>
    json([
      { inventory_template_id: 1, item: "SIM Card", counts: { new: 120, reserved: 3, assigned: 40 }, total: 163 },
      { inventory_template_id: 2, item: "Phone Number", counts: { new: 9, quarantined: 2 }, total: 11 },
    ]),
  );
  fetch.on("GET /crm/inventory/template/", () =>
    json([template(), template({ inventory_template_id: 2, item: "Phone Number" })]),
  );
  fetch.on("GET /crm/inventory/", () =>
    json([item()], { headers: { "X-Pagination": JSON.stringify({ total: 120, total_pages: 5, page: 1 }) } }),
  );
  return () => vi.unstubAllGlobals();
});

const renderInventory = (path = "/inventory") =>
  renderRoutes(
    [
      { path: "/inventory", element: <StockPage /> },
      { path: "/inventory/items", element: <ItemsPage /> },
    ],
    path,
  );

const lastItemsQuery = () => new URL(fetch.callsTo("GET /crm/inventory/").at(-1)!.url).searchParams;

describe("StockPage", () => {
  it("shows counts per template and state, zero counts not linked", async () => {
    renderInventory();
    const stock = await screen.findByTestId("inventory-stock");
    const sims = within(stock).getByTestId("stock-row-1");
    expect(within(sims).getByTestId("stock-count-1-new")).toHaveTextContent("120");
    expect(within(sims).getByText("163")).toBeInTheDocument();
    expect(screen.queryByTestId("stock-count-1-retired")).not.toBeInTheDocument();
    expect(screen.getByTestId("stock-count-2-quarantined")).toHaveTextContent("2");
  });

  it("opens the item list filtered to the clicked template and state", async () => {
    const { router } = renderInventory();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("stock-count-2-quarantined"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/inventory/items"));
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
      template: "Phone Number",
      state: "quarantined",
    });
    await screen.findByTestId("inventory-items-table");
    await waitFor(() => expect(lastItemsQuery().get("template")).toBe("Phone Number"));
    expect(lastItemsQuery().getAll("state")).toEqual(["quarantined"]);
  });
});

describe("ItemsPage", () => {
  it("passes template, states, q and customer_id to the API with pagination", async () => {
    renderInventory("/inventory/items?template=SIM%20Card&state=new,reserved&q=8944&customer_id=7&page=2");
    const table = await screen.findByTestId("inventory-items-table");
    expect(await within(table).findByText("8944100000000000018")).toBeInTheDocument();
    expect(screen.getByText("120 items")).toBeInTheDocument();
    const q = lastItemsQuery();
    expect(q.get("template")).toBe("SIM Card");
    expect(q.getAll("state")).toEqual(["new", "reserved"]);
    expect(q.get("q")).toBe("8944");
    expect(q.get("customer_id")).toBe("7");
    expect(q.get("page")).toBe("2");
    expect(q.get("page_size")).toBe("25");
  });
});
