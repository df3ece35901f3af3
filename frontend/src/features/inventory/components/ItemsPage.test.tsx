import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ItemsPage } from "./ItemsPage";
import { item, template } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["inventory.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/inventory/template/", () => json([template()]));
  fetch.on("GET /crm/inventory/", () =>
    json([item({ customer_id: 7, customer_name: "Harbour Cafe", service_id: 12, service_name: "Mobile 5G" })]),
  );
  fetch.on("GET /crm/customer/", () => json([customer({ customer_id: 7, customer_name: "Harbour Cafe" })]));
  fetch.on("GET /crm/customer/7", () => json(customer({ customer_id: 7, customer_name: "Harbour Cafe" })));
  return () => vi.unstubAllGlobals();
});

const lastQuery = () => new URL(fetch.callsTo("GET /crm/inventory/").at(-1)!.url).searchParams;

const renderPage = (url = "/inventory/items") =>
  renderRoutes(
    [
      { path: "/inventory/items", element: <ItemsPage /> },
      { path: "/inventory/items/:inventoryId", element: <p data-testid="item-page">item</p> },
    ],
    url,
  );

describe("ItemsPage", () => {
  it("lists items with their customer and service by name, and filters by state and a picked customer", async () => {
    renderPage("/inventory/items?state=new,reserved");
    const row = await screen.findByTestId("inventory-row-42");
    expect(within(row).getByRole("link", { name: "8944100000000000018" })).toHaveAttribute(
      "href",
      "/inventory/items/42",
    );
    expect(within(row).getByRole("link", { name: "Harbour Cafe" })).toHaveAttribute("href", "/customers/7");
    expect(within(row).getByRole("link", { name: "Mobile 5G" })).toHaveAttribute("href", "/services/12");
    expect(screen.getByRole("link", { name: "Inventory" })).toHaveAttribute("href", "/inventory");
    expect(screen.getByRole("heading", { name: "Inventory items" })).toBeInTheDocument();
    expect(lastQuery().getAll("state")).toEqual(["new", "reserved"]);

    const user = userEvent.setup();
    await user.click(screen.getByTestId("inventory-filter-customer"));
    await user.type(screen.getByTestId("inventory-filter-customer"), "Harb");
    // The picker searches the API by name (after its debounce).
    const searches = () => fetch.callsTo("GET /crm/customer/").map((r) => new URL(r.url).searchParams.get("q"));
    await waitFor(() => expect(searches()).toContain("Harb"));
    await user.click(await screen.findByRole("option", { name: "Harbour Cafe", hidden: true }));
    await waitFor(() => expect(lastQuery().get("customer_id")).toBe("7"));
  });

  it("has no Add item button without inventory.write", async () => {
    renderPage();
    await screen.findByTestId("inventory-row-42");
    expect(screen.queryByTestId("inventory-add-item")).not.toBeInTheDocument();
  });

  it("adds a SIM through the form: the template's fields, errors under the field they name, then its page", async () => {
    useSession.getState().signIn(login({ permissions: ["inventory.read", "inventory.write"] }));
    let answer = () =>
      errorBody(409, "duplicate_serial", "IMSI 234150000000001 is already SIM item 3's", { field: "itemtext2" });
    fetch.on("POST /crm/inventory/", () => answer());
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("inventory-add-item"));
    expect(await screen.findByTestId("add-item-submit")).toBeDisabled();
    await user.click(screen.getByTestId("add-item-template"));
    // The list's type filter has a SIM Card option too: the form's dropdown opened last.
    const options = await screen.findAllByRole("option", { name: "SIM Card", hidden: true });
    await user.click(options.at(-1)!);
    // The SIM's labelled fields (IMSI, PUK1), not the ICCID mirror.
    expect(screen.getByTestId("add-item-itemtext2")).toBeInTheDocument();
    expect(screen.getByTestId("add-item-itemtext3")).toBeInTheDocument();
    expect(screen.queryByTestId("add-item-itemtext1")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("add-item-submit"));
    expect(screen.getByTestId("add-item-serial")).toHaveAttribute("aria-invalid", "true");
    expect(fetch.callsTo("POST /crm/inventory/")).toHaveLength(0);

    await user.type(screen.getByTestId("add-item-serial"), "8944100000000000026");
    await user.type(screen.getByTestId("add-item-itemtext2"), "234150000000001");
    await user.click(screen.getByTestId("add-item-submit"));
    await waitFor(() => expect(screen.getByTestId("add-item-itemtext2")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByText(/already SIM item 3/)).toBeInTheDocument();
    expect(await fetch.callsTo("POST /crm/inventory/")[0].json()).toEqual({
      inventory_template_id: 1,
      serial: "8944100000000000026",
      itemtext2: "234150000000001",
    });

    answer = () => json(item({ inventory_id: 43, serial: "8944100000000000026" }), { status: 201 });
    await user.click(screen.getByTestId("add-item-submit"));
    expect(await screen.findByTestId("item-page")).toBeInTheDocument();
  });
});
