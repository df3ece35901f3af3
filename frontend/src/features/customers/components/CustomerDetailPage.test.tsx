import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { service } from "@/test/services";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { CustomerDetailPage } from "./CustomerDetailPage";

let fetch: StubFetch;
const page = (rows: unknown[]) =>
  json(rows, { headers: { "X-Pagination": JSON.stringify({ total: rows.length, total_pages: 1, page: 1 }) } });

beforeEach(() => {
  useSession.getState().signIn(login());
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/customer/7", () => json(customer()));
  return () => vi.unstubAllGlobals();
});

const renderPage = (search = "") =>
  renderRoutes([{ path: "/customers/:customerId", element: <CustomerDetailPage /> }], `/customers/7${search}`);

describe("CustomerDetailPage", () => {
  it("archives after confirmation", async () => {
    fetch.on("DELETE /crm/customer/7", () => new Response(null, { status: 204 }));
    renderPage();
    const user = userEvent.setup();

    await user.click(await screen.findByTestId("customer-archive"));
    await user.click(await screen.findByTestId("confirm-action"));

    await waitFor(() => expect(fetch.callsTo("DELETE /crm/customer/7")).toHaveLength(1));
  });

  it("shows sites with plus code and coordinates", async () => {
    fetch.on("GET /crm/site/", () =>
      page([
        {
          site_id: 3,
          customer_id: 7,
          site_name: "HQ",
          address_line_1: "1 Main St",
          address_line_2: null,
          city: "Leeds",
          state: null,
          zip_code: "LS1",
          country: "GB",
          latitude: 53.7997,
          longitude: -1.5492,
          google_maps_place_id: null,
          plus_code: "9C5WQFX2+V8",
          created_at: "2024-01-01T00:00:00Z",
          updated_at: "2024-01-01T00:00:00Z",
        },
      ]),
    );
    renderPage("?tab=sites");
    const table = await screen.findByTestId("sites-table");
    expect(await within(table).findByText("9C5WQFX2+V8")).toBeInTheDocument();
    expect(within(table).getByText(/53\.799700, -1\.549200/)).toBeInTheDocument();
    expect(new URL(fetch.callsTo("GET /crm/site/")[0].url).searchParams.get("customer_id")).toBe("7");
  });

  it("adds a contact and shows the API's field errors", async () => {
    fetch.on("GET /crm/contact/", () => page([]));
    fetch.on("POST /crm/contact/", () =>
      errorBody(422, "validation_error", "Invalid", {
        errors: { json: { contact_phone: ["Not a valid phone number."] } },
      }),
    );
    renderPage("?tab=contacts");
    const user = userEvent.setup();

    await user.click(await screen.findByTestId("contact-new"));
    await user.type(await screen.findByTestId("contact-firstname"), "Grace");
    await user.type(screen.getByTestId("contact-phone"), "123");
    await user.click(screen.getByLabelText("Billing"));
    await user.click(screen.getByTestId("contact-submit"));

    expect(await screen.findByText("Not a valid phone number.")).toBeInTheDocument();
    expect(await fetch.callsTo("POST /crm/contact/")[0].json()).toEqual({
      customer_id: 7,
      contact_firstname: "Grace",
      contact_lastname: "",
      contact_email: null,
      contact_phone: "123",
      contact_types: ["Billing"],
    });
  });

  it("shows the activity timeline with what changed", async () => {
    fetch.on("GET /crm/customer/7/activity", () =>
      page([
        {
          activity_id: 1,
          created_at: "2024-02-01T10:00:00Z",
          user_id: 1,
          user_email: "ada@example.com",
          action: "update",
          object_type: "customer",
          object_id: "7",
          before: { customer_status: "Open", customer_name: "Acme" },
          after: { customer_status: "Suspended", customer_name: "Acme" },
          request_id: "req-1",
          actor: "Ada Lovelace",
          summary: "Status changed from Open to Suspended",
          changes: [{ field: "customer_status", label: "Status", before: "Open", after: "Suspended" }],
        },
        {
          activity_id: 2,
          created_at: "2024-01-01T10:00:00Z",
          user_id: 1,
          action: "create",
          object_type: "contact",
          object_id: "3",
          before: null,
          after: { contact_firstname: "Ann", contact_types: ["Billing"] },
          request_id: "req-0",
          actor: "Ada Lovelace",
          summary: "Contact created",
          changes: [
            { field: "contact_firstname", label: "First name", before: null, after: "Ann" },
            { field: "contact_types", label: "Contact types", before: null, after: "Billing" },
          ],
        },
      ]),
    );
    renderPage("?tab=activity");
    const timeline = await screen.findByTestId("activity-timeline");
    const summaries = await within(timeline).findAllByTestId("activity-summary");
    expect(summaries[0]).toHaveTextContent("Status changed from Open to Suspended");
    expect(within(timeline).getAllByTestId("activity-actor")[0]).toHaveTextContent("Ada Lovelace");
    expect(within(timeline).queryByText(/User #1/)).not.toBeInTheDocument();
    // The created contact lists its fields with labels and plain values, not column names/JSON.
    const diff = within(timeline).getByTestId("activity-diff");
    expect(within(diff).getByText("Contact types")).toBeInTheDocument();
    expect(within(diff).getByText("Billing")).toBeInTheDocument();
    expect(within(timeline).queryByText("contact_types")).not.toBeInTheDocument();
    expect(within(timeline).queryByText(/\["Billing"\]/)).not.toBeInTheDocument();
  });

  it("lists the customer's services and contracts by name, with links", async () => {
    useSession
      .getState()
      .signIn(login({ permissions: ["customer.read", "service.read", "contract.read", "contract.write"] }));
    fetch.on("GET /crm/service/", () =>
      page([
        service({ service_id: 21, service_name: "Mobile 20 61412345678", product_name: "Mobile 20", site_name: "HQ" }),
      ]),
    );
    fetch.on("GET /crm/contract/", () =>
      page([
        {
          contract_id: 11,
          contract_number: "C-2025-000011",
          contract_status: "active",
          customer_id: 7,
          customer_name: "Acme",
          product_id: 3,
          product_name: "Mobile 20",
          site_id: null,
          site_name: null,
          msisdn: "61412345678",
          term_months: 12,
          start_date: "2025-01-01",
          end_date: "2026-01-01",
        },
      ]),
    );
    const { router } = renderPage();
    const user = userEvent.setup();
    expect(await screen.findByTestId("customer-new-contract")).toHaveAttribute("href", "/customers/7/contracts/new");

    await user.click(screen.getByTestId("tab-services"));
    const services = await screen.findByTestId("customer-services-table");
    expect(within(services).getByRole("link", { name: "Mobile 20 61412345678" })).toHaveAttribute(
      "href",
      "/services/21",
    );
    expect(within(services).getByRole("link", { name: "Mobile 20" })).toHaveAttribute("href", "/products/3");
    expect(within(services).getByText("HQ")).toBeInTheDocument();
    expect(new URL(fetch.callsTo("GET /crm/service/")[0].url).searchParams.get("customer_id")).toBe("7");

    await user.click(screen.getByTestId("tab-contracts"));
    expect(router.state.location.search).toBe("?tab=contracts");
    const contracts = await screen.findByTestId("customer-contracts-table");
    expect(within(contracts).getByRole("link", { name: "C-2025-000011" })).toHaveAttribute("href", "/contracts/11");
    expect(within(contracts).getByText("Active")).toBeInTheDocument();
    expect(within(contracts).getByRole("link", { name: "Mobile 20" })).toHaveAttribute("href", "/products/3");
    expect(new URL(fetch.callsTo("GET /crm/contract/")[0].url).searchParams.get("customer_id")).toBe("7");
  });

  it("says a missing customer is not found, without Retry", async () => {
    fetch.on("GET /crm/customer/7", () => errorBody(404, "not_found", "customer 7 not found"));
    renderPage();
    expect(await screen.findByTestId("customer-not-found")).toHaveTextContent("There is no customer #7");
    expect(screen.queryByRole("button", { name: "Retry" })).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/customer/7")).toHaveLength(1);
  });

  it("offers Retry when the server fails", async () => {
    fetch.on("GET /crm/customer/7", () => errorBody(503, "unavailable", "try later"));
    renderPage();
    expect(await screen.findByRole("button", { name: "Retry" }, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.queryByTestId("customer-not-found")).not.toBeInTheDocument();
  });
});

describe("CustomerDetailPage, Notifications tab", () => {
  it("opens from the tab (and on ?tab=notifications): preferences, and the messages with notification.read", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read", "notification.read"] }));
    fetch.on("GET /crm/customer/7/notification-preferences", () =>
      json({
        customer_id: 7,
        preferences: [{ category: "billing", label: "Invoices", required: true, subscribed: true }],
      }),
    );
    fetch.on("GET /crm/notification/", () => page([]));
    const { router } = renderPage();
    await userEvent.setup().click(await screen.findByTestId("tab-notifications"));
    expect(await screen.findByTestId("customer-notifications")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?tab=notifications");
    expect(await screen.findByTestId("notification-pref-billing")).toBeDisabled();
    expect(await screen.findByText("No messages yet")).toBeInTheDocument();
    expect(new URL(fetch.callsTo("GET /crm/notification/")[0].url).searchParams.get("customer_id")).toBe("7");
  });
});

describe("CustomerDetailPage, archived customer", () => {
  it("offers Restore, which sets the status back to Open", async () => {
    fetch.on("GET /crm/customer/7", () =>
      json(customer({ customer_status: "Archived", archived_at: "2024-03-01T00:00:00Z" })),
    );
    fetch.on("PATCH /crm/customer/7", async (r) => json(customer(await r.json())));
    renderPage();
    const user = userEvent.setup();

    expect(screen.queryByTestId("customer-archive")).not.toBeInTheDocument();
    await user.click(await screen.findByTestId("customer-restore"));

    await waitFor(() => expect(fetch.callsTo("PATCH /crm/customer/7")).toHaveLength(1));
    expect(await fetch.callsTo("PATCH /crm/customer/7")[0].json()).toEqual({ customer_status: "Open" });
  });

  it("offers no New contract, and says why", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read", "contract.write"] }));
    fetch.on("GET /crm/customer/7", () =>
      json(customer({ customer_status: "Archived", archived_at: "2024-03-01T00:00:00Z" })),
    );
    renderPage();
    expect(await screen.findByTestId("customer-no-contract")).toHaveTextContent("archived");
    expect(screen.queryByTestId("customer-new-contract")).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /New contract/ })).not.toBeInTheDocument();
  });
});
