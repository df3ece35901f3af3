import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { TicketDetail } from "../api";
import { actionsFrom } from "../constants";
import { hoursFromNow, page, staffUser, ticketDetail } from "../testData";
import { TicketDetailPage } from "./TicketDetailPage";

const PERMISSIONS = ["ticket.read", "ticket.write", "customer.read", "service.read", "user.read"];

let fetch: StubFetch;
let current: TicketDetail;

/** An active ticket with its history: opened, activated, a note, a file, a reply. */
const worked = (overrides: Partial<TicketDetail> = {}) =>
  ticketDetail({
    status: "active",
    allowed_actions: actionsFrom("active"),
    service_id: 21,
    assignee_user_id: 4,
    team: "noc",
    tags: ["sim"],
    due_at: hoursFromNow(5.5),
    transitions: [
      {
        transition_id: 1,
        action: "open",
        from_status: null,
        to_status: "free",
        reason: null,
        user_id: 1,
        user_name: null,
        created_at: "2026-03-01T09:00:00Z",
      },
      {
        transition_id: 2,
        action: "activate",
        from_status: "free",
        to_status: "active",
        reason: "Taking it",
        user_id: 4,
        user_name: null,
        created_at: "2026-03-01T10:00:00Z",
      },
    ],
    comments: [
      {
        comment_id: 31,
        ticket_id: 5,
        body: "Customer sounds upset.",
        internal: true,
        author_user_id: 4,
        author_name: null,
        created_at: "2026-03-01T10:05:00Z",
      },
      {
        comment_id: 32,
        ticket_id: 5,
        body: "We are looking into it.",
        internal: false,
        author_user_id: 1,
        author_name: null,
        created_at: "2026-03-01T10:30:00Z",
      },
    ],
    attachments: [
      {
        attachment_id: 41,
        ticket_id: 5,
        filename: "trace.log",
        content_type: "text/plain",
        size: 2048,
        sha256: "ab".repeat(32),
        uploaded_by_user_id: 4,
        uploaded_by_name: null,
        created_at: "2026-03-01T10:10:00Z",
      },
    ],
    ...overrides,
  });

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: PERMISSIONS }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  current = worked();
  fetch.on("GET /crm/ticket/5", () => json(current));
  fetch.on("GET /crm/customer/7", () => json(customer()));
  fetch.on("GET /crm/service/21", () => json({ service_id: 21, service_name: "Mobile 10GB", customer_id: 7 }));
  fetch.on("GET /crm/user/", () =>
    page([staffUser(), staffUser({ id: 9, full_name: "Self Care", roles: ["customer"] })]),
  );
  URL.createObjectURL = vi.fn(() => "blob:file");
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => vi.unstubAllGlobals());

const renderPage = () => renderRoutes([{ path: "/tickets/:ticketId", element: <TicketDetailPage /> }], "/tickets/5");

describe("TicketDetailPage", () => {
  it("shows the header: subject, status, priority, SLA, customer and service by name", async () => {
    renderPage();
    expect(await screen.findByTestId("ticket-subject")).toHaveTextContent("No data since Monday");
    expect(screen.getByTestId("ticket-status")).toHaveTextContent("Active");
    expect(screen.getByTestId("ticket-priority")).toHaveTextContent("Normal");
    expect(screen.getByTestId("ticket-sla")).toHaveTextContent("due in 5 h");
    expect(await screen.findByText("Acme Telecom")).toHaveAttribute("href", "/customers/7?tab=tickets");
    expect(await screen.findByText("Mobile 10GB (#21)")).toHaveAttribute("href", "/services/21");
    expect(screen.getByTestId("ticket-service")).toHaveAttribute("href", "/services/21");
    // Names, not ids (user.read): the assignee is Grace.
    await waitFor(() => expect(screen.getByTestId("ticket-assignee")).toHaveTextContent("Grace Hopper"));
    expect(screen.queryByTestId("ticket-internal")).not.toBeInTheDocument();
  });

  it("offers only the actions allowed from the ticket's status", async () => {
    renderPage();
    await screen.findByTestId("ticket-status");
    expect(screen.getByTestId("ticket-action-suspend")).toBeInTheDocument();
    expect(screen.getByTestId("ticket-action-block")).toBeInTheDocument();
    expect(screen.getByTestId("ticket-action-close")).toBeInTheDocument();
    expect(screen.queryByTestId("ticket-action-activate")).not.toBeInTheDocument();
    expect(screen.queryByTestId("ticket-action-resume")).not.toBeInTheDocument();
  });

  it("moves the ticket with an optional reason, and shows a refusal in the dialog", async () => {
    fetch.on("POST /crm/ticket/5/block", () =>
      errorBody(409, "invalid_transition", "ticket 5 is suspended: it cannot block", {
        from_status: "suspended",
        action: "block",
        allowed: ["resume"],
      }),
    );
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("ticket-action-block"));
    await user.click(await screen.findByTestId("reason-submit"));
    expect(await screen.findByTestId("reason-error")).toHaveTextContent("ticket 5 is suspended: it cannot block");
    expect(await fetch.callsTo("POST /crm/ticket/5/block")[0].json()).toEqual({});
    await user.click(screen.getByRole("button", { name: "Cancel" }));

    fetch.on("POST /crm/ticket/5/close", () => {
      current = worked({ status: "closed", allowed_actions: [], closed_at: hoursFromNow(0) });
      return json(current);
    });
    await user.click(screen.getByTestId("ticket-action-close"));
    await user.type(await screen.findByTestId("reason-input"), "Fixed by the carrier");
    await user.click(screen.getByTestId("reason-submit"));
    await waitFor(() => expect(screen.getByTestId("ticket-status")).toHaveTextContent("Closed"));
    expect(await fetch.callsTo("POST /crm/ticket/5/close")[0].json()).toEqual({ reason: "Fixed by the carrier" });
    // Closed: nothing more to do, say or attach.
    expect(screen.queryByTestId("ticket-action-close")).not.toBeInTheDocument();
    expect(screen.queryByTestId("ticket-comment-body")).not.toBeInTheDocument();
    expect(screen.getByTestId("ticket-composer-closed")).toBeInTheDocument();
    expect(screen.queryByTestId("ticket-attachment-input")).not.toBeInTheDocument();
    expect(screen.queryByTestId("ticket-sla")).not.toBeInTheDocument();
  });

  it("merges moves, notes, files and replies into one timeline, oldest first", async () => {
    renderPage();
    await screen.findByTestId("ticket-timeline");
    const entries = screen.getAllByTestId("ticket-timeline-entry");
    expect(entries.map((e) => e.dataset.kind)).toEqual(["transition", "transition", "note", "attachment", "reply"]);
    expect(entries[1]).toHaveTextContent("Taking it");
    expect(within(entries[2]).getByTestId("ticket-comment-kind")).toHaveTextContent("Internal");
    expect(entries[2]).toHaveTextContent("Customer sounds upset.");
    await waitFor(() => expect(entries[2]).toHaveTextContent("Grace Hopper"));
    expect(within(entries[4]).getByTestId("ticket-comment-kind")).toHaveTextContent("Sent to customer");
    expect(entries[4]).toHaveTextContent("Ada Lovelace");
    expect(entries[3]).toHaveTextContent("trace.log");
    expect(entries[3]).toHaveTextContent("2 KB, text/plain");
  });

  it("adds an internal note by default, or a reply the customer is e-mailed", async () => {
    const comment = { ticket_id: 5, author_user_id: 1, created_at: "2026-03-01T11:00:00Z" };
    fetch.on("POST /crm/ticket/5/comment", async (r) => {
      const body = await r.json();
      return json(
        { ...comment, comment_id: 40 + fetch.callsTo("POST /crm/ticket/5/comment").length, ...body },
        {
          status: 201,
        },
      );
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("ticket-comment-submit"));
    expect(await screen.findByText("Write the note")).toBeInTheDocument();

    await user.type(screen.getByTestId("ticket-comment-body"), "Checked the HLR.");
    expect(screen.getByTestId("ticket-comment-submit")).toHaveTextContent("Add note");
    await user.click(screen.getByTestId("ticket-comment-submit"));
    await waitFor(() => expect(fetch.callsTo("POST /crm/ticket/5/comment")).toHaveLength(1));
    expect(await fetch.callsTo("POST /crm/ticket/5/comment")[0].json()).toEqual({
      body: "Checked the HLR.",
      internal: true,
    });
    await waitFor(() => expect(screen.getByTestId("ticket-comment-body")).toHaveValue(""));

    await user.click(within(screen.getByTestId("ticket-comment-internal")).getByText("Reply to customer"));
    expect(screen.getByTestId("ticket-comment-internal")).toHaveAttribute("data-internal", "false");
    expect(screen.getByTestId("ticket-comment-submit")).toHaveTextContent("Send reply");
    await user.type(screen.getByTestId("ticket-comment-body"), "Fixed now.");
    await user.click(screen.getByTestId("ticket-comment-submit"));
    await waitFor(() => expect(fetch.callsTo("POST /crm/ticket/5/comment")).toHaveLength(2));
    expect(await fetch.callsTo("POST /crm/ticket/5/comment")[1].json()).toEqual({
      body: "Fixed now.",
      internal: false,
    });
    expect(await screen.findByText("Reply sent to the customer.")).toBeInTheDocument();
  });

  it("takes notes only on an internal ticket", async () => {
    current = worked({ customer_visible: false });
    renderPage();
    expect(await screen.findByTestId("ticket-internal")).toHaveTextContent("Internal ticket");
    const reply = within(screen.getByTestId("ticket-comment-internal")).getByLabelText("Reply to customer");
    expect(reply).toBeDisabled();
  });

  it("shows the API's words when an upload is refused: too large (413), type refused (422)", async () => {
    fetch.on("POST /crm/ticket/5/attachment", () =>
      errorBody(413, "payload_too_large", "an attachment is at most 5242880 bytes"),
    );
    renderPage();
    const user = userEvent.setup();
    expect(await screen.findByTestId("ticket-attachment-limits")).toHaveTextContent(
      "PDF, PNG, JPEG, GIF or UTF-8 text (.txt, .log, .csv), at most 5 MB.",
    );
    const input = screen.getByTestId("ticket-attachment-input");
    await user.upload(input, new File(["x".repeat(64)], "huge.pdf", { type: "application/pdf" }));
    expect(await screen.findByTestId("ticket-attachment-error")).toHaveTextContent(
      "The file is too large: an attachment is at most 5242880 bytes.",
    );
    const sent = fetch.callsTo("POST /crm/ticket/5/attachment")[0];
    expect(sent.headers.get("Content-Type")).toMatch(/^multipart\/form-data/);

    fetch.on("POST /crm/ticket/5/attachment", () =>
      errorBody(422, "validation_error", "file: a text file has no NUL bytes", {
        errors: { files: { file: ["a text file has no NUL bytes"] } },
      }),
    );
    await user.upload(input, new File(["a\u0000b"], "notes.txt", { type: "text/plain" }));
    await waitFor(() =>
      expect(screen.getByTestId("ticket-attachment-error")).toHaveTextContent(
        "The file was refused: a text file has no NUL bytes.",
      ),
    );
    expect(fetch.callsTo("POST /crm/ticket/5/attachment")).toHaveLength(2);

    const photo = {
      attachment_id: 42,
      ticket_id: 5,
      filename: "photo.png",
      content_type: "image/png",
      size: 10,
      sha256: "cd".repeat(32),
      uploaded_by_user_id: 1,
      uploaded_by_name: null,
      created_at: "2026-03-01T12:00:00Z",
    };
    fetch.on("POST /crm/ticket/5/attachment", () => {
      current = { ...current, attachments: [...current.attachments, photo] };
      return json(photo, { status: 201 });
    });
    await user.upload(input, new File(["png"], "photo.png", { type: "image/png" }));
    expect(await screen.findByText("photo.png attached.")).toBeInTheDocument();
    expect(screen.queryByTestId("ticket-attachment-error")).not.toBeInTheDocument();
    expect(within(screen.getByTestId("ticket-attachments")).getByText("photo.png")).toBeInTheDocument();
  });

  it("downloads an attachment through the API client, as the name the server gives", async () => {
    fetch.on(
      "GET /crm/ticket/5/attachment/41",
      () =>
        new Response("log", {
          headers: { "Content-Type": "text/plain", "Content-Disposition": 'attachment; filename="trace.log"' },
        }),
    );
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(within(await screen.findByTestId("ticket-attachments")).getByTestId("ticket-attachment-download"));
    await waitFor(() => expect(saved).toEqual(["trace.log"]));
    expect(fetch.callsTo("GET /crm/ticket/5/attachment/41")[0].headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("changes the assignee, priority and tags, sending only what changed", async () => {
    fetch.on("PATCH /crm/ticket/5", async (r) => {
      current = worked({ ...(await r.json()), updated_at: hoursFromNow(0) });
      return json(current);
    });
    renderPage();
    const user = userEvent.setup();
    expect(await screen.findByTestId("ticket-edit-save")).toBeDisabled();

    await user.click(screen.getByTestId("ticket-edit-priority"));
    await user.click(await screen.findByRole("option", { name: "Urgent", hidden: true }));
    await user.type(screen.getByTestId("ticket-edit-tags"), "Outage{Enter}");
    await user.click(screen.getByTestId("ticket-edit-assignee"));
    await user.click(await screen.findByRole("option", { name: "Ada Lovelace (me)", hidden: true }));
    // Self-care users are not offered.
    expect(screen.queryByRole("option", { name: "Self Care", hidden: true })).not.toBeInTheDocument();
    await user.click(screen.getByTestId("ticket-edit-save"));

    await waitFor(() => expect(fetch.callsTo("PATCH /crm/ticket/5")).toHaveLength(1));
    expect(await fetch.callsTo("PATCH /crm/ticket/5")[0].json()).toEqual({
      assignee_user_id: 1,
      priority: "urgent",
      tags: ["sim", "outage"],
    });
    await waitFor(() => expect(screen.getByTestId("ticket-priority")).toHaveTextContent("Urgent"));
    expect(screen.getByTestId("ticket-assignee")).toHaveTextContent("Ada Lovelace");
  });

  it("shows no actions, composer or upload without ticket.write", async () => {
    useSession.setState({ permissions: ["ticket.read", "customer.read"] });
    renderPage();
    await screen.findByTestId("ticket-status");
    expect(screen.queryByTestId("ticket-action-close")).not.toBeInTheDocument();
    expect(screen.queryByTestId("ticket-comment-body")).not.toBeInTheDocument();
    expect(screen.queryByTestId("ticket-attachment-input")).not.toBeInTheDocument();
    expect(screen.queryByTestId("ticket-edit")).not.toBeInTheDocument();
    // Without user.read, people are named by id; without service.read, the service too.
    expect(screen.getByTestId("ticket-assignee")).toHaveTextContent("User #4");
    expect(screen.getByTestId("ticket-service")).toHaveTextContent("Service #21");
    expect(fetch.callsTo("GET /crm/user/")).toHaveLength(0);
  });
  it("names people and the customer from the ticket itself, even without user.read or customer.read", async () => {
    useSession.setState({ permissions: ["ticket.read"] });
    current = worked({ customer_name: "Harbour Cafe", assignee_name: "Abe Agent", created_by_name: "Cora Creator" });
    current.comments = current.comments.map((c) => ({ ...c, author_name: "Nat Noter" }));
    renderPage();
    expect(await screen.findByTestId("ticket-customer")).toHaveTextContent("Harbour Cafe");
    expect(screen.getByTestId("ticket-assignee")).toHaveTextContent("Abe Agent");
    expect(screen.getAllByText("Nat Noter").length).toBeGreaterThan(0);
    expect(fetch.callsTo("GET /crm/customer/7")).toHaveLength(0);
    expect(fetch.callsTo("GET /crm/user/")).toHaveLength(0);
  });
});
