import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { notificationDetail } from "../testData";
import { NotificationPage } from "./NotificationPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["notification.read", "notification.send"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  return () => vi.unstubAllGlobals();
});

const renderPage = (id = 41) =>
  renderRoutes([{ path: "/outbox/:notificationId", element: <NotificationPage /> }], `/outbox/${id}`);

describe("NotificationPage", () => {
  it("shows who it went to, what became of it, and its HTML in a sandboxed frame and its text", async () => {
    fetch.on("GET /crm/notification/41", () =>
      json(notificationDetail({ status: "delivered", delivered_at: "2026-03-10T09:31:00Z" })),
    );
    renderPage();
    expect(await screen.findByTestId("notification-status")).toHaveTextContent("Delivered");
    expect(screen.getByTestId("notification-subject")).toHaveTextContent("[ticket #5] Re: No data since Monday");
    expect(screen.getByTestId("notification-recipient")).toHaveTextContent("ops@acme.test");
    expect(screen.getByTestId("notification-customer")).toHaveAttribute("href", "/customers/7");
    expect(screen.getByTestId("notification-template")).toHaveTextContent("Ticket replied (ticket_replied)");
    expect(screen.getByTestId("notification-category")).toHaveTextContent("Tickets");
    expect(screen.getByTestId("notification-channel")).toHaveTextContent("E-mail");
    expect(screen.getByTestId("notification-provider")).toHaveTextContent("file 41.eml");
    expect(screen.getByTestId("notification-attempts")).toHaveTextContent(/^1/);
    expect(screen.getByTestId("notification-sent-at")).toHaveTextContent("Sent");
    expect(screen.getByTestId("notification-delivered-at")).toHaveTextContent("Delivered");
    expect(screen.queryByTestId("notification-error")).not.toBeInTheDocument();

    const frame = screen.getByTestId("notification-html");
    expect(frame.tagName).toBe("IFRAME");
    expect(frame).toHaveAttribute("sandbox", "");
    expect(frame.getAttribute("srcdoc")).toContain("We reset your data session.");
    // The HTML is never written into the page itself.
    expect(screen.getByTestId("notification-page").innerHTML).not.toContain("<div>We reset");

    await userEvent.setup().click(screen.getByTestId("notification-tab-text"));
    expect(screen.getByTestId("notification-text")).toBeVisible();
    expect(screen.getByTestId("notification-text").textContent).toBe(
      "Dear Acme Telecom,\n\nWe reset your data session.\n",
    );
    // Delivered: nothing to send again.
    expect(screen.getByTestId("notification-resend")).toBeDisabled();
  });

  it("shows an SMS as text only, and a message without a customer", async () => {
    fetch.on("GET /crm/notification/41", () =>
      json(notificationDetail({ channel: "sms", body_html: null, body_text: "Your line is live.", customer_id: null })),
    );
    renderPage();
    expect(await screen.findByTestId("notification-text")).toHaveTextContent("Your line is live.");
    expect(screen.queryByTestId("notification-tab-html")).not.toBeInTheDocument();
    expect(screen.queryByTestId("notification-html")).not.toBeInTheDocument();
    expect(screen.queryByTestId("notification-customer")).not.toBeInTheDocument();
    expect(screen.getByTestId("notification-channel")).toHaveTextContent("SMS");
  });

  it("never shows the body of a one-time link, and offers no resend of it", async () => {
    fetch.on("GET /crm/notification/41", () =>
      json(
        notificationDetail({
          template: "reset_password",
          category: "account",
          subject: "Reset your password",
          status: "failed",
          last_error: "SMTP 550 no such mailbox",
          body_hidden: true,
          body_text: null,
          body_html: null,
        }),
      ),
    );
    renderPage();
    expect(await screen.findByTestId("notification-body-hidden")).toHaveTextContent(
      "This message holds a one-time link; its body is not shown.",
    );
    expect(screen.queryByTestId("notification-body")).not.toBeInTheDocument();
    expect(screen.queryByTestId("notification-html")).not.toBeInTheDocument();
    expect(screen.getByTestId("notification-error")).toHaveTextContent("SMTP 550 no such mailbox");
    const resend = screen.getByTestId("notification-resend");
    expect(resend).toBeDisabled();
    expect(resend).toHaveAttribute("title", expect.stringContaining("one-time link"));
  });

  it("sends a failed message again after confirming, and shows it queued", async () => {
    let current = notificationDetail({ status: "failed", attempts: 5, last_error: "timed out", sent_at: null });
    fetch.on("GET /crm/notification/41", () => json(current));
    fetch.on("POST /crm/notification/41/resend", () => {
      const { body_hidden: _h, body_text: _t, body_html: _b, ...row } = current;
      current = { ...current, status: "queued", attempts: 0, last_error: null };
      return json({ ...row, status: "queued", attempts: 0, last_error: null });
    });
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("notification-resend"));
    expect(fetch.callsTo("POST /crm/notification/41/resend")).toHaveLength(0);
    await user.click(await screen.findByTestId("confirm-action"));

    await waitFor(() => expect(screen.getByTestId("notification-status")).toHaveTextContent("Queued"));
    expect(fetch.callsTo("POST /crm/notification/41/resend")).toHaveLength(1);
    expect(screen.queryByTestId("notification-error")).not.toBeInTheDocument();
    // The answer has no bodies: the page keeps the ones it had.
    expect(screen.getByTestId("notification-html")).toBeInTheDocument();
    expect(screen.getByTestId("notification-resend")).toBeDisabled();
  });

  it("shows the API's 409 when a resend is refused", async () => {
    fetch.on("GET /crm/notification/41", () => json(notificationDetail({ status: "bounced" })));
    fetch.on("POST /crm/notification/41/resend", () =>
      errorBody(409, "notification_not_resendable", "only failed or bounced messages are sent again; this one is sent"),
    );
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("notification-resend"));
    await user.click(await screen.findByTestId("confirm-action"));
    const refusal = await screen.findByTestId("notification-resend-error");
    expect(refusal).toHaveTextContent("only failed or bounced messages are sent again; this one is sent");
    // The message is read again (someone may have sent it meanwhile).
    await waitFor(() => expect(fetch.callsTo("GET /crm/notification/41")).toHaveLength(2));
  });

  it("offers no Send again without notification.send", async () => {
    useSession.setState({ permissions: ["notification.read"] });
    fetch.on("GET /crm/notification/41", () => json(notificationDetail({ status: "failed" })));
    renderPage();
    expect(await screen.findByTestId("notification-status")).toHaveTextContent("Failed");
    expect(screen.queryByTestId("notification-resend")).not.toBeInTheDocument();
  });

  it("says so when there is no such message", async () => {
    fetch.on("GET /crm/notification/99", () => errorBody(404, "not_found", "notification 99 not found"));
    renderPage(99);
    expect(await screen.findByText("notification 99 not found")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Outbox" })).toHaveAttribute("href", "/outbox");
  });
});
