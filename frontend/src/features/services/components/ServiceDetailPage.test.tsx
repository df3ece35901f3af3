import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { listJob } from "@/test/provisioning";
import { renderRoutes } from "@/test/render";
import { service } from "@/test/services";
import type { ServiceStatus } from "../api";
import { ServiceDetailPage } from "./ServiceDetailPage";
import { balances, ledgerPage } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["service.read", "service.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/service/", () => json([]));
  fetch.on("GET /crm/service/21/balance", () => json(balances([])));
  fetch.on("GET /crm/service/21/ledger", () => ledgerPage([]));
  fetch.on("GET /crm/service/21/usage", () => json([]));
  return () => vi.unstubAllGlobals();
});

const renderService = () =>
  renderRoutes([{ path: "/services/:serviceId", element: <ServiceDetailPage /> }], "/services/21");

const ACTIONS = ["suspend", "resume", "terminate"];

describe("ServiceDetailPage", () => {
  it.each<[ServiceStatus, string[]]>([
    ["pending", ["terminate"]],
    ["provisioning", []],
    ["active", ["suspend", "terminate"]],
    ["suspended", ["resume", "terminate"]],
    ["terminated", []],
    ["failed", ["terminate"]],
  ])("offers only the legal actions for %s", async (status, expected) => {
    fetch.on("GET /crm/service/21", () => json(service({ service_status: status })));
    renderService();
    await screen.findByTestId("service-history");
    const shown = ACTIONS.filter((a) => screen.queryByTestId(`service-action-${a}`));
    expect(shown).toEqual(expected);
  });

  it("names its customer, product and site as links, and reads data allowances in GB", async () => {
    const sold = service({ site_id: 4, site_name: "Head office" });
    fetch.on("GET /crm/service/21", () =>
      json({ ...sold, price_snapshot: { ...sold.price_snapshot, data_mb: 102400 } }),
    );
    renderService();
    expect(await screen.findByTestId("service-customer")).toHaveTextContent("Acme Pty");
    expect(screen.getByTestId("service-customer")).toHaveAttribute("href", "/customers/7");
    expect(screen.getByTestId("service-product")).toHaveTextContent("Mobile 10GB");
    expect(screen.getByTestId("service-product")).toHaveAttribute("href", "/products/3");
    expect(screen.getByTestId("service-site")).toHaveTextContent("Head office");
    const data = screen.getByTestId("price-snapshot-data");
    expect(data).toHaveTextContent("100 GB");
    expect(data).toHaveAttribute("title", "102400 MB");
  });

  it("hides the actions without service.write", async () => {
    useSession.setState({ permissions: ["service.read"] });
    fetch.on("GET /crm/service/21", () => json(service()));
    renderService();
    await screen.findByTestId("service-history");
    expect(screen.queryByTestId("service-action-suspend")).not.toBeInTheDocument();
  });

  it("shows bound inventory with links and the history", async () => {
    fetch.on("GET /crm/service/21", () => json(service()));
    renderService();
    const inventory = await screen.findByTestId("service-inventory");
    expect(within(inventory).getByRole("link", { name: "8944100000000000018" })).toHaveAttribute(
      "href",
      "/inventory/items/42",
    );
    expect(within(screen.getByTestId("service-history")).getByText("sold")).toBeInTheDocument();
  });

  it("requires a reason, suspends, and shows the new status", async () => {
    let status: ServiceStatus = "active";
    fetch.on("GET /crm/service/21", () => json(service({ service_status: status })));
    fetch.on("POST /crm/service/21/suspend", () => {
      status = "suspended";
      return json(service({ service_status: status }));
    });
    renderService();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("service-action-suspend"));
    await user.click(await screen.findByTestId("reason-submit"));
    expect(await screen.findByText("A reason is required")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/service/21/suspend")).toHaveLength(0);

    await user.type(screen.getByTestId("reason-input"), "unpaid");
    await user.click(screen.getByTestId("reason-submit"));
    await waitFor(() => expect(screen.getByTestId("service-action-resume")).toBeInTheDocument());
    expect(await fetch.callsTo("POST /crm/service/21/suspend")[0].json()).toEqual({ reason: "unpaid" });
  });

  it("shows the API's 409 message", async () => {
    fetch.on("GET /crm/service/21", () => json(service()));
    fetch.on("POST /crm/service/21/terminate", () =>
      errorBody(409, "invalid_transition", "Cannot go from terminated to terminated"),
    );
    renderService();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("service-action-terminate"));
    await user.type(await screen.findByTestId("reason-input"), "moved away");
    await user.click(screen.getByTestId("reason-submit"));
    expect(await screen.findByTestId("reason-error")).toHaveTextContent("Cannot go from terminated to terminated");
  });

  it("lists the service's provisioning jobs", async () => {
    useSession.setState({ permissions: ["service.read", "provision.read"] });
    fetch.on("GET /crm/service/21", () => json(service()));
    fetch.on("GET /crm/provision/", () => json([listJob({ provision_id: 9, provisioning_status: 2 })]));
    renderService();
    const card = await screen.findByTestId("service-provisioning");
    expect(await within(card).findByRole("link", { name: "#9" })).toHaveAttribute("href", "/provisioning/9");
    expect(within(card).getByText("Failed")).toBeInTheDocument();
    expect(new URL(fetch.callsTo("GET /crm/provision/")[0].url).searchParams.get("service_id")).toBe("21");
  });
});
