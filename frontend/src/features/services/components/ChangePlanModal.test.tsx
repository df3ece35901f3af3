import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { product } from "@/test/catalog";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ServiceDetailPage } from "./ServiceDetailPage";
import { balances, ledgerPage, plannedService, productPage } from "./testData";

let fetch: StubFetch;

const PLANS = [
  product(), // the service's own plan (3)
  product({ product_id: 5, product_name: "Mobile 20GB", retail_cost: "35.0000", data_mb: 20480, voice_minutes: 200 }),
  product({ product_id: 6, product_name: "Mobile 1GB", retail_cost: "9.0000", data_mb: 1024 }),
  product({ product_id: 7, product_name: "Euro plan", currency: "EUR" }),
  product({ product_id: 8, product_name: "Retired plan", enabled: false }),
];

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["service.read", "service.write", "product.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/service/", () => json([]));
  fetch.on("GET /crm/service/21", () => json(plannedService()));
  fetch.on("GET /crm/service/21/balance", () => json(balances([])));
  fetch.on("GET /crm/service/21/ledger", () => ledgerPage([]));
  fetch.on("GET /crm/service/21/usage", () => json([]));
  fetch.on("GET /crm/product/", () => productPage(PLANS));
  return () => vi.unstubAllGlobals();
});

const renderService = () =>
  renderRoutes([{ path: "/services/:serviceId", element: <ServiceDetailPage /> }], "/services/21");

const openPicker = async (user: ReturnType<typeof userEvent.setup>) => {
  await user.click(await screen.findByTestId("service-change-plan"));
  const picker = await screen.findByTestId("change-plan-product");
  await waitFor(() => expect(picker).not.toBeDisabled());
  await user.click(picker);
  return picker;
};

const choose = async (user: ReturnType<typeof userEvent.setup>, name: RegExp) => {
  await openPicker(user);
  await user.click(await screen.findByRole("option", { name, hidden: true }));
};

describe("Change plan", () => {
  it.each([
    ["active", null, ["service.read", "service.write"], true],
    ["suspended", null, ["service.read", "service.write"], true],
    ["terminated", null, ["service.read", "service.write"], false],
    ["provisioning", null, ["service.read", "service.write"], false],
    ["active", 20, ["service.read", "service.write"], false], // a bundle child
    ["active", null, ["service.read"], false],
  ] as const)("status %s, bundle parent %s, %j: offered %s", async (status, parent, permissions, offered) => {
    useSession.setState({ permissions: [...permissions] });
    fetch.on("GET /crm/service/21", () => json(plannedService({ service_status: status, bundled_parent_id: parent })));
    renderService();
    await screen.findByTestId("service-history");
    expect(screen.queryByTestId("service-change-plan") !== null).toBe(offered);
  });

  it("lists the enabled standalone plans in the service's currency, not its own", async () => {
    renderService();
    const user = userEvent.setup();
    const picker = await openPicker(user);
    const listbox = await waitFor(() => {
      const list = document.getElementById(picker.getAttribute("aria-controls") ?? "");
      expect(list).not.toBeNull();
      return list!;
    });
    const options = await within(listbox).findAllByRole("option", { hidden: true });
    expect(options.map((o) => o.textContent)).toEqual([
      "Mobile 20GB — 35.00 USD / Monthly — 20 GB · 200 min",
      "Mobile 1GB — 9.00 USD / Monthly — 1 GB",
    ]);
    const query = new URL(fetch.callsTo("GET /crm/product/")[0].url).searchParams;
    expect(query.getAll("category")).toEqual(["standalone"]);
    expect(query.get("enabled")).toBe("true");
  });

  it("posts the plan and the reason, then shows the service as it now is", async () => {
    let changed = false;
    fetch.on("GET /crm/service/21", () =>
      json(changed ? plannedService({ product_id: 5, retail_cost: "35.00" }) : plannedService()),
    );
    fetch.on("POST /crm/service/21/change-plan", () => {
      changed = true;
      return json(plannedService({ product_id: 5, retail_cost: "35.00" }));
    });
    renderService();
    const user = userEvent.setup();
    await screen.findByTestId("service-history");
    const servicesRead = fetch.callsTo("GET /crm/service/21").length;

    await choose(user, /^Mobile 20GB/);
    await user.type(screen.getByTestId("change-plan-reason"), "  wants more data ");
    await user.click(screen.getByTestId("change-plan-submit"));

    expect(await screen.findByText("Mobile 10GB is now on Mobile 20GB.")).toBeInTheDocument();
    expect(screen.queryByTestId("change-plan-form")).not.toBeInTheDocument();
    const posts = fetch.callsTo("POST /crm/service/21/change-plan");
    expect(posts).toHaveLength(1);
    expect(await posts[0].json()).toEqual({ product_id: 5, reason: "wants more data" });
    await waitFor(() => expect(screen.getByTestId("service-product")).toHaveAttribute("href", "/products/5"));
    expect(screen.getByText("35.00 USD")).toBeInTheDocument();
    // The service's queries (its balances too: the allowances follow the plan) are refreshed.
    await waitFor(() => expect(fetch.callsTo("GET /crm/service/21").length).toBeGreaterThan(servicesRead));
    expect(fetch.callsTo("GET /crm/service/21/balance").length).toBeGreaterThan(1);
  });

  it("sends no reason when none is given", async () => {
    fetch.on("POST /crm/service/21/change-plan", () => json(plannedService({ product_id: 6 })));
    renderService();
    const user = userEvent.setup();
    await choose(user, /^Mobile 1GB/);
    await user.click(screen.getByTestId("change-plan-submit"));
    await waitFor(() => expect(fetch.callsTo("POST /crm/service/21/change-plan")).toHaveLength(1));
    expect(await fetch.callsTo("POST /crm/service/21/change-plan")[0].json()).toEqual({ product_id: 6 });
  });

  it("asks for a plan before sending anything", async () => {
    renderService();
    const user = userEvent.setup();
    await openPicker(user);
    await user.click(screen.getByTestId("change-plan-submit"));
    expect(await screen.findByText("Choose a plan")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/service/21/change-plan")).toHaveLength(0);
  });

  it("shows a 409 above the form and a 422 on product_id under the picker", async () => {
    fetch.on("POST /crm/service/21/change-plan", () =>
      errorBody(409, "product_not_eligible", "product 5 (Mobile 20GB) is not sold to prepaid customers"),
    );
    renderService();
    const user = userEvent.setup();
    await choose(user, /^Mobile 20GB/);
    await user.click(screen.getByTestId("change-plan-submit"));
    expect(await screen.findByTestId("change-plan-error")).toHaveTextContent(
      "product 5 (Mobile 20GB) is not sold to prepaid customers",
    );
    expect(screen.getByTestId("change-plan-form")).toBeInTheDocument();

    fetch.on("POST /crm/service/21/change-plan", () =>
      errorBody(422, "validation_error", "product_id: is the service's product already", {
        errors: { json: { product_id: ["is the service's product already"] } },
      }),
    );
    await user.click(screen.getByTestId("change-plan-submit"));
    expect(await screen.findByText("is the service's product already")).toBeInTheDocument();
    expect(screen.queryByTestId("change-plan-error")).not.toBeInTheDocument();
  });
});
