import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { service } from "@/test/services";
import type { ItemState } from "../api";
import { ItemDetailPage } from "./ItemDetailPage";
import { item, template } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["inventory.read", "inventory.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/inventory/template/1", () => json(template()));
  return () => vi.unstubAllGlobals();
});

const renderItem = () =>
  renderRoutes([{ path: "/inventory/items/:inventoryId", element: <ItemDetailPage /> }], "/inventory/items/42");

const ACTIONS = ["reserve", "assign", "return", "retire", "release"];

describe("ItemDetailPage", () => {
  it.each<[ItemState, string[]]>([
    ["new", ["reserve", "retire"]],
    ["reserved", ["assign", "release", "retire"]],
    ["assigned", ["return"]],
    ["returned", ["release", "retire"]],
    ["quarantined", ["release", "retire"]],
    ["retired", []],
  ])("offers only the legal actions for %s", async (state, expected) => {
    fetch.on("GET /crm/inventory/42", () => json(item({ item_state: state })));
    renderItem();
    await screen.findByTestId("item-history");
    const shown = ACTIONS.filter((a) => screen.queryByTestId(`item-action-${a}`));
    expect(shown.sort()).toEqual([...expected].sort());
  });

  it("hides the actions without inventory.write", async () => {
    useSession.setState({ permissions: ["inventory.read"] });
    fetch.on("GET /crm/inventory/42", () => json(item()));
    renderItem();
    await screen.findByTestId("item-history");
    expect(screen.queryByTestId("item-action-reserve")).not.toBeInTheDocument();
  });

  it("labels itemtexts from the template and shows the history", async () => {
    fetch.on("GET /crm/inventory/42", () => json(item()));
    renderItem();
    expect(await screen.findByText("IMSI")).toBeInTheDocument();
    expect(screen.getByTestId("itemtext-2")).toHaveTextContent("234150000000001");
    expect(screen.getByText("PUK1")).toBeInTheDocument(); // labelled, empty
    expect(screen.queryByText("Itemtext 5")).not.toBeInTheDocument();
    expect(within(screen.getByTestId("item-history")).getByText("imported")).toBeInTheDocument();
  });

  it("assigns to a customer and shows the new state", async () => {
    fetch.on("GET /crm/inventory/42", () => json(item({ item_state: "reserved", customer_id: 7 })));
    fetch.on("POST /crm/inventory/42/assign", () => json(item({ item_state: "assigned", customer_id: 7 })));
    fetch.on("GET /crm/customer/7", () => json(customer({ customer_id: 7, customer_name: "Acme Pty" })));
    fetch.on("GET /crm/service/", () =>
      json([service({ service_id: 99, service_name: "Acme mobile", customer_id: 7 })]),
    );
    renderItem();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("item-action-assign"));
    // The customer the item is reserved for, by name; then one of their services, by name.
    await waitFor(() => expect(screen.getByTestId("transition-customer-id")).toHaveValue("Acme Pty"));
    await user.click(screen.getByTestId("transition-service-id"));
    await user.click(await screen.findByRole("option", { name: "Acme mobile (#99)", hidden: true }));
    expect(new URL(fetch.callsTo("GET /crm/service/")[0].url).searchParams.get("customer_id")).toBe("7");
    await user.click(screen.getByTestId("transition-submit"));

    await waitFor(() => expect(screen.getByTestId("item-action-return")).toBeInTheDocument());
    expect(await fetch.callsTo("POST /crm/inventory/42/assign")[0].json()).toEqual({
      reason: null,
      customer_id: 7,
      service_id: 99,
    });
  });

  it("shows the API's 409 message when the transition is refused", async () => {
    fetch.on("GET /crm/inventory/42", () => json(item()));
    fetch.on("POST /crm/inventory/42/reserve", () =>
      errorBody(409, "invalid_transition", "Cannot go from reserved to reserved", {
        from_state: "reserved",
        to_state: "reserved",
        allowed: ["assigned", "new", "retired"],
      }),
    );
    renderItem();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("item-action-reserve"));
    await user.type(await screen.findByTestId("transition-reason"), "for Bob");
    await user.click(screen.getByTestId("transition-submit"));

    expect(await screen.findByTestId("transition-error")).toHaveTextContent("Cannot go from reserved to reserved");
    expect(await fetch.callsTo("POST /crm/inventory/42/reserve")[0].json()).toEqual({ reason: "for Bob" });
  });
});
