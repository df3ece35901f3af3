import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { CustomerDetailPage } from "@/features/customers";
import { customer, login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { Ticket } from "../api";
import { hoursFromNow, page, ticket, ticketDetail } from "../testData";
import { CustomerTicketsTab } from "./CustomerTicketsTab";

const PERMISSIONS = ["customer.read", "ticket.read", "ticket.write"];

let fetch: StubFetch;
let tickets: Ticket[];

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: PERMISSIONS }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  tickets = [
    ticket({
      ticket_id: 5,
      subject: "Line down",
      status: "active",
      priority: "urgent",
      due_at: hoursFromNow(-3.5),
      breached: true,
    }),
    ticket({ ticket_id: 3, subject: "Bill explained", status: "closed", priority: "low" }),
  ];
  fetch.on("GET /crm/ticket/", () => page(tickets));
  fetch.on("GET /crm/customer/7", () => json(customer()));
  return () => vi.unstubAllGlobals();
});

const rowOf = (id: number) =>
  screen.getAllByTestId("customer-ticket-row").find((r) => r.dataset.ticketId === String(id))!;

describe("CustomerTicketsTab", () => {
  it("lists the customer's tickets: status, priority, subject and due", async () => {
    renderRoutes(<CustomerTicketsTab customerId={7} />);
    const table = await screen.findByTestId("customer-tickets-table");
    expect(await within(table).findAllByTestId("customer-ticket-row")).toHaveLength(2);
    expect(rowOf(5)).toHaveAttribute("data-status", "active");
    expect(within(rowOf(5)).getByTestId("customer-ticket-status")).toHaveTextContent("Active");
    expect(rowOf(5)).toHaveTextContent("Urgent");
    expect(within(rowOf(5)).getByRole("link", { name: "Line down" })).toHaveAttribute("href", "/tickets/5");
    expect(within(rowOf(5)).getByTestId("customer-ticket-sla")).toHaveTextContent("overdue 3 h");
    expect(rowOf(3)).toHaveTextContent("Closed");
    expect(within(rowOf(3)).queryByTestId("customer-ticket-sla")).not.toBeInTheDocument();
    const query = new URL(fetch.callsTo("GET /crm/ticket/")[0].url).searchParams;
    expect(query.get("customer_id")).toBe("7");
    expect(screen.getByText("2 tickets")).toBeInTheDocument();
  });

  it("opens a ticket for the customer from New ticket, then lists it", async () => {
    fetch.on("POST /crm/ticket/", async (r) => {
      const body = await r.json();
      const opened = ticketDetail({ ticket_id: 12, ...body });
      tickets = [opened, ...tickets];
      return json(opened, { status: 201 });
    });
    renderRoutes(<CustomerTicketsTab customerId={7} />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("customer-ticket-new"));
    await waitFor(() => expect(screen.getByTestId("ticket-new-customer")).toHaveValue("Acme Telecom"));
    await user.type(screen.getByTestId("ticket-new-subject"), "Router replacement");
    await user.click(screen.getByTestId("ticket-new-submit"));

    await waitFor(() => expect(screen.queryByTestId("ticket-new-form")).not.toBeInTheDocument());
    expect(await fetch.callsTo("POST /crm/ticket/")[0].json()).toMatchObject({
      customer_id: 7,
      subject: "Router replacement",
    });
    await waitFor(() => expect(screen.getAllByTestId("customer-ticket-row")).toHaveLength(3));
    expect(rowOf(12)).toHaveTextContent("Router replacement");
  });

  it("offers no New ticket without ticket.write", async () => {
    useSession.setState({ permissions: ["customer.read", "ticket.read"] });
    renderRoutes(<CustomerTicketsTab customerId={7} />);
    await screen.findAllByTestId("customer-ticket-row");
    expect(screen.queryByTestId("customer-ticket-new")).not.toBeInTheDocument();
  });
});

describe("the customer page's Tickets tab", () => {
  const renderCustomer = (search = "") =>
    renderRoutes([{ path: "/customers/:customerId", element: <CustomerDetailPage /> }], `/customers/7${search}`);

  it("opens from the tab, and on ?tab=tickets", async () => {
    const { router } = renderCustomer();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("tab-tickets"));
    expect(await screen.findByTestId("customer-tickets")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?tab=tickets");
    expect(await screen.findAllByTestId("customer-ticket-row")).toHaveLength(2);
  });

  it("is not offered without ticket.read", async () => {
    useSession.setState({ permissions: ["customer.read"] });
    renderCustomer("?tab=tickets");
    expect(await screen.findByTestId("tab-contacts")).toBeInTheDocument();
    expect(screen.queryByTestId("tab-tickets")).not.toBeInTheDocument();
    expect(screen.queryByTestId("customer-tickets")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/ticket/")).toHaveLength(0);
  });
});
