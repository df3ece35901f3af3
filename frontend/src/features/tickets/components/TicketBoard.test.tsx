import { Text } from "@mantine/core";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { deferred, errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { Ticket } from "../api";
import { actionsFrom } from "../constants";
import { hoursFromNow, page, ticket, ticketDetail } from "../testData";
import { TicketBoard } from "./TicketBoard";

const PERMISSIONS = ["ticket.read", "ticket.write", "customer.read"];

let fetch: StubFetch;
/** What the API holds: GET /crm/ticket/?status=… lists those of that status. */
let tickets: Ticket[];

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: PERMISSIONS }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  tickets = [
    ticket({ ticket_id: 5, subject: "No data since Monday", status: "free", due_at: hoursFromNow(3.2) }),
    ticket({
      ticket_id: 6,
      customer_id: 8,
      subject: "Line down",
      status: "active",
      priority: "urgent",
      due_at: hoursFromNow(-2.5),
      breached: true,
      assignee_user_id: 1,
      tags: ["outage", "fibre"],
    }),
    ticket({ ticket_id: 7, subject: "Waiting on the customer", status: "suspended" }),
    ticket({ ticket_id: 8, subject: "Carrier fault", status: "blocked", assignee_user_id: 4 }),
    ticket({ ticket_id: 9, subject: "Bill explained", status: "closed" }),
  ];
  fetch.on("GET /crm/ticket/", (r) => {
    const statuses = new URL(r.url).searchParams.getAll("status");
    return page(tickets.filter((t) => statuses.includes(t.status)));
  });
  fetch.on("GET /crm/customer/7", () => json(customer()));
  fetch.on("GET /crm/customer/8", () => json(customer({ customer_id: 8, customer_name: "Globex" })));
  return () => vi.unstubAllGlobals();
});

const renderBoard = (path = "/tickets") =>
  renderRoutes(
    [
      { path: "/tickets", element: <TicketBoard /> },
      { path: "/tickets/:ticketId", element: <Text>ticket page</Text> },
    ],
    path,
  );

const column = (status: string) => screen.getAllByTestId("ticket-column").find((c) => c.dataset.status === status)!;
const card = (id: number) => screen.getAllByTestId("ticket-card").find((c) => c.dataset.ticketId === String(id))!;
const idsIn = (status: string) =>
  within(column(status))
    .queryAllByTestId("ticket-card")
    .map((c) => Number(c.dataset.ticketId));
/** The list requests the board made, as query strings. */
const asked = () => fetch.callsTo("GET /crm/ticket/").map((r) => new URL(r.url).searchParams);

describe("TicketBoard", () => {
  it("shows a column per status with its cards: subject, customer, priority, assignee, tags and SLA", async () => {
    renderBoard();
    await screen.findAllByTestId("ticket-card");
    expect(screen.getAllByTestId("ticket-column").map((c) => c.dataset.status)).toEqual([
      "free",
      "active",
      "suspended",
      "blocked",
      "closed",
    ]);
    expect(idsIn("free")).toEqual([5]);
    expect(idsIn("active")).toEqual([6]);
    expect(idsIn("closed")).toEqual([9]);

    const line = card(6);
    expect(line).toHaveAttribute("data-status", "active");
    expect(within(line).getByTestId("ticket-card-subject")).toHaveAttribute("href", "/tickets/6");
    expect(await within(line).findByText(/Globex/)).toBeInTheDocument();
    expect(within(line).getByTestId("ticket-card-priority")).toHaveTextContent("Urgent");
    expect(within(line).getByTestId("ticket-card-assignee")).toHaveTextContent("Ada Lovelace");
    expect(within(line).getByTestId("ticket-card-tags")).toHaveTextContent("outagefibre");
    expect(within(line).getByTestId("ticket-card-sla")).toHaveTextContent("overdue 2 h");
    expect(within(line).getByTestId("ticket-card-sla")).toHaveAttribute("data-overdue", "true");

    const free = card(5);
    expect(await within(free).findByText(/Acme Telecom/)).toBeInTheDocument();
    expect(within(free).getByTestId("ticket-card-sla")).toHaveTextContent("due in 3 h");
    expect(within(free).getByTestId("ticket-card-sla")).toHaveAttribute("data-overdue", "false");
    expect(within(free).getByTestId("ticket-card-assignee")).toHaveTextContent("Unassigned");
    // Someone the board cannot name (no user.read) is named by id.
    expect(within(card(8)).getByTestId("ticket-card-assignee")).toHaveTextContent("User #4");
    // No countdown once closed.
    expect(within(card(9)).queryByTestId("ticket-card-sla")).not.toBeInTheDocument();

    // One request per open column (the largest page), the latest 20 closed.
    const byStatus = Object.fromEntries(asked().map((q) => [q.get("status"), q.get("page_size")]));
    expect(byStatus).toEqual({ free: "100", active: "100", suspended: "100", blocked: "100", closed: "20" });
  });

  it("opens only the legal columns to a dragged card, and a drop posts the move at once", async () => {
    const answer = deferred<Response>();
    fetch.on("POST /crm/ticket/6/block", () => answer.promise);
    renderBoard();
    await screen.findAllByTestId("ticket-card");

    fireEvent.dragStart(card(6));
    const drops = () =>
      Object.fromEntries(screen.getAllByTestId("ticket-column").map((c) => [c.dataset.status, c.dataset.drop]));
    expect(drops()).toEqual({
      free: "disabled",
      active: "source",
      suspended: "allowed",
      blocked: "allowed",
      closed: "allowed",
    });
    expect(column("free")).toHaveAttribute("aria-disabled", "true");
    // A legal column accepts the drop (dragover's default prevented), an illegal one does not.
    expect(fireEvent.dragOver(column("blocked"))).toBe(false);
    expect(fireEvent.dragOver(column("free"))).toBe(true);

    fireEvent.drop(column("blocked"));
    // Shown at once, before the API answers.
    await waitFor(() => expect(idsIn("blocked")).toEqual([6, 8]));
    expect(idsIn("active")).toEqual([]);
    expect(card(6)).toHaveAttribute("data-status", "blocked");
    expect(drops().free).toBeUndefined();
    expect(fetch.callsTo("POST /crm/ticket/6/block")).toHaveLength(1);
    expect(await fetch.callsTo("POST /crm/ticket/6/block")[0].json()).toEqual({});

    tickets = tickets.map((t) => (t.ticket_id === 6 ? { ...t, status: "blocked", allowed_actions: ["close"] } : t));
    answer.resolve(json(ticketDetail({ ...tickets[1] })));
    expect(await screen.findByText("#6 Line down: Blocked.")).toBeInTheDocument();
    expect(idsIn("blocked")).toContain(6);
  });

  it("offers a free ticket only Active, and refuses a drop anywhere else", async () => {
    renderBoard();
    await screen.findAllByTestId("ticket-card");
    fireEvent.dragStart(card(5));
    expect(column("active")).toHaveAttribute("data-drop", "allowed");
    for (const status of ["suspended", "blocked", "closed"]) {
      expect(column(status)).toHaveAttribute("data-drop", "disabled");
    }
    fireEvent.drop(column("closed"));
    fireEvent.dragEnd(card(5));
    expect(idsIn("free")).toEqual([5]);
    expect(fetch.calls.filter((r) => r.method === "POST")).toHaveLength(0);
  });

  it("moves a card with its Move to… menu, which lists only the legal moves", async () => {
    fetch.on("POST /crm/ticket/5/activate", () => {
      tickets = tickets.map((t) =>
        t.ticket_id === 5 ? { ...t, status: "active", allowed_actions: actionsFrom("active") } : t,
      );
      return json(ticketDetail({ ...tickets[0] }));
    });
    renderBoard();
    const user = userEvent.setup();
    await screen.findAllByTestId("ticket-card");

    await user.click(within(card(6)).getByTestId("ticket-move-menu"));
    expect(await screen.findByTestId("ticket-move-suspend")).toBeInTheDocument();
    expect(screen.getAllByRole("menuitem", { hidden: true }).map((item) => item.dataset.testid)).toEqual([
      "ticket-move-suspend",
      "ticket-move-block",
      "ticket-move-close",
    ]);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("ticket-move-suspend")).not.toBeInTheDocument());

    await user.click(within(card(5)).getByTestId("ticket-move-menu"));
    expect(await screen.findByTestId("ticket-move-activate")).toBeInTheDocument();
    expect(screen.getAllByRole("menuitem", { hidden: true })).toHaveLength(1);
    await user.click(screen.getByTestId("ticket-move-activate"));

    await waitFor(() => expect(fetch.callsTo("POST /crm/ticket/5/activate")).toHaveLength(1));
    await waitFor(() => expect(idsIn("active")).toEqual(expect.arrayContaining([5, 6])));
    expect(idsIn("free")).toEqual([]);
    // A closed ticket has nowhere to go: no menu.
    expect(within(card(9)).queryByTestId("ticket-move-menu")).not.toBeInTheDocument();
  });

  it("puts the card back and shows the API's message when the move is refused (409)", async () => {
    const answer = deferred<Response>();
    fetch.on("POST /crm/ticket/6/suspend", () => answer.promise);
    renderBoard();
    const user = userEvent.setup();
    await screen.findAllByTestId("ticket-card");

    await user.click(within(card(6)).getByTestId("ticket-move-menu"));
    await user.click(await screen.findByTestId("ticket-move-suspend"));
    await waitFor(() => expect(idsIn("suspended")).toEqual(expect.arrayContaining([6, 7])));

    answer.resolve(
      errorBody(409, "invalid_transition", "ticket 6 is closed: it cannot suspend", {
        from_status: "closed",
        action: "suspend",
        allowed: [],
      }),
    );
    expect(await screen.findByText("ticket 6 is closed: it cannot suspend")).toBeInTheDocument();
    expect(screen.getByText("Could not move #6 to Suspended")).toBeInTheDocument();
    await waitFor(() => expect(idsIn("active")).toEqual([6]));
    expect(idsIn("suspended")).toEqual([7]);
    expect(card(6)).toHaveAttribute("data-status", "active");
  });

  it("shows the latest closed tickets: the last pages of the list, most recently closed first", async () => {
    const closed = (id: number) =>
      ticket({
        ticket_id: id,
        subject: `Closed ${id}`,
        status: "closed",
        closed_at: new Date(Date.UTC(2026, 0, 1) + ((id * 7) % 45) * 3_600_000).toISOString(),
      });
    const all = Array.from({ length: 45 }, (_, i) => closed(100 + i));
    fetch.on("GET /crm/ticket/", (r) => {
      const query = new URL(r.url).searchParams;
      if (query.get("status") !== "closed") return page([]);
      const n = Number(query.get("page") ?? 1);
      return page(all.slice((n - 1) * 20, n * 20), { total: 45, total_pages: 3, page: n });
    });
    renderBoard();
    await waitFor(() => expect(idsIn("closed")).toHaveLength(20));
    const closedAsked = asked().filter((q) => q.get("status") === "closed");
    expect(closedAsked.map((q) => q.get("page") ?? "1")).toEqual(["1", "2", "3"]);
    const shown = idsIn("closed").map((id) => all.find((t) => t.ticket_id === id)!.closed_at!);
    expect(shown).toEqual([...shown].sort().reverse());
    expect(within(column("closed")).getByTestId("ticket-column-count")).toHaveTextContent("latest 20 of 45");
  });

  it("neither drags nor moves without ticket.write", async () => {
    useSession.setState({ permissions: ["ticket.read", "customer.read"] });
    renderBoard();
    await screen.findAllByTestId("ticket-card");
    expect(card(6)).toHaveAttribute("draggable", "false");
    expect(screen.queryByTestId("ticket-move-menu")).not.toBeInTheDocument();
    expect(screen.queryByTestId("ticket-new")).not.toBeInTheDocument();
  });

  it("asks the API for what the filters in the URL say", async () => {
    renderBoard("/tickets?assignee=me&priority=high&tag=outage&team=noc&customer_id=7&breached=true");
    await waitFor(() => expect(asked().length).toBeGreaterThan(0));
    const query = asked()[0];
    expect(query.get("assignee_user_id")).toBe("1");
    expect(query.get("priority")).toBe("high");
    expect(query.get("tag")).toBe("outage");
    expect(query.get("team")).toBe("noc");
    expect(query.get("customer_id")).toBe("7");
    expect(query.get("breached")).toBe("true");
    // Breached means open and past due: the Closed column asks for nothing.
    expect(asked().map((q) => q.get("status"))).not.toContain("closed");
    expect(screen.getByTestId("ticket-filter-breached")).toBeChecked();
  });

  it("filters by the controls: unassigned, priority, breached", async () => {
    const { router } = renderBoard();
    const user = userEvent.setup();
    await screen.findAllByTestId("ticket-card");

    await user.click(within(screen.getByTestId("ticket-filter-assignee")).getByText("Unassigned"));
    await waitFor(() => expect(router.state.location.search).toBe("?assignee=unassigned"));
    await waitFor(() => expect(asked().at(-1)!.get("unassigned")).toBe("true"));

    await user.click(screen.getByTestId("ticket-filter-priority"));
    await user.click(await screen.findByRole("option", { name: "Urgent", hidden: true }));
    await user.click(screen.getByTestId("ticket-filter-breached"));
    await waitFor(() =>
      expect(router.state.location.search).toBe("?assignee=unassigned&priority=urgent&breached=true"),
    );
    await waitFor(() => expect(asked().at(-1)!.get("priority")).toBe("urgent"));
    expect(asked().at(-1)!.get("breached")).toBe("true");
  });
});
