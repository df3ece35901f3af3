import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { Notification } from "../api";
import { notification, page, summary, templates } from "../testData";
import { OutboxPage } from "./OutboxPage";

let fetch: StubFetch;
let rows: Notification[];

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["notification.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  rows = [
    notification({
      notification_id: 43,
      status: "failed",
      attempts: 5,
      last_error: "SMTP 550 5.1.1 mailbox unavailable: the recipient's server refused the address for good",
      sent_at: null,
    }),
    notification({ notification_id: 42, status: "delivered", template: "invoice_issued", category: "billing" }),
    notification({ notification_id: 41, status: "suppressed", channel: "sms", recipient: "+61412345678" }),
  ];
  fetch.on("GET /crm/notification/", () => page(rows));
  fetch.on("GET /crm/notification/summary", () => summary({ sent: 12, delivered: 30, failed: 2, suppressed: 1 }));
  fetch.on("GET /crm/notification/template/", () => json(templates()));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const renderPage = (search = "") =>
  renderRoutes(
    [
      { path: "/outbox", element: <OutboxPage /> },
      { path: "/outbox/:notificationId", element: <p>message page</p> },
    ],
    `/outbox${search}`,
  );

const rowOf = (id: number) => screen.getAllByTestId("outbox-row").find((r) => r.dataset.notificationId === String(id))!;
const lastQuery = () => new URL(fetch.callsTo("GET /crm/notification/").at(-1)!.url).searchParams;

describe("OutboxPage", () => {
  it("lists the messages with a coloured status, the attempts and the last error cut short", async () => {
    renderPage();
    expect(await screen.findAllByTestId("outbox-row")).toHaveLength(3);
    const failed = rowOf(43);
    expect(failed).toHaveAttribute("data-status", "failed");
    const badge = within(failed).getByTestId("outbox-row-status");
    expect(badge).toHaveTextContent("Failed");
    expect(badge.className).toMatch(/Badge/);
    expect(badge).toHaveStyle({ "--badge-color": "var(--mantine-color-red-light-color)" });
    expect(within(failed).getByTestId("outbox-row-error")).toHaveTextContent("SMTP 550 5.1.1 mailbox unavailable");
    expect(within(failed).getByRole("link", { name: "[ticket #5] Re: No data since Monday" })).toHaveAttribute(
      "href",
      "/outbox/43",
    );
    expect(within(failed).getByTestId("outbox-row-recipient")).toHaveTextContent("ops@acme.test");
    expect(failed).toHaveTextContent("Ticket replied");
    expect(failed).toHaveTextContent("5");
    expect(within(rowOf(42)).getByTestId("outbox-row-status")).toHaveStyle({
      "--badge-color": "var(--mantine-color-green-light-color)",
    });
    expect(within(rowOf(42)).queryByTestId("outbox-row-error")).not.toBeInTheDocument();
    expect(within(rowOf(41)).getByTestId("outbox-row-status")).toHaveTextContent("Suppressed");
    expect(rowOf(41)).toHaveTextContent("SMS");
    expect(screen.getByText("3 messages")).toBeInTheDocument();

    // The error is cut to one line; hovering shows the whole of it.
    const error = within(failed).getByTestId("outbox-row-error");
    expect(error).toHaveAttribute("data-line-clamp");
    await userEvent.setup().hover(error);
    expect(await screen.findByRole("tooltip")).toHaveTextContent("refused the address for good");
  });

  it("shows each status with its count and filters by one", async () => {
    const { router } = renderPage();
    const delivered = await screen.findByTestId("outbox-status-delivered");
    await waitFor(() => expect(delivered).toHaveAttribute("data-count", "30"));
    expect(screen.getByTestId("outbox-status-failed")).toHaveTextContent("Failed2");
    expect(screen.getByTestId("outbox-status-all")).toHaveAttribute("data-count", "45");
    await screen.findAllByTestId("outbox-row");

    await userEvent.setup().click(screen.getByTestId("outbox-status-failed"));
    await waitFor(() => expect(lastQuery().get("status")).toBe("failed"));
    expect(router.state.location.search).toBe("?status=failed");
  });

  it("filters by recipient, template, channel and category through the URL and the API", async () => {
    const { router } = renderPage();
    const user = userEvent.setup();
    await screen.findAllByTestId("outbox-row");

    await user.type(screen.getByTestId("outbox-filter-recipient"), "ops@acme.test");
    await waitFor(() => expect(lastQuery().get("recipient")).toBe("ops@acme.test"));

    await user.click(screen.getByTestId("outbox-filter-template"));
    await user.click(await screen.findByRole("option", { name: "Invoice issued", hidden: true }));
    await waitFor(() => expect(lastQuery().get("template")).toBe("invoice_issued"));

    await user.click(screen.getByTestId("outbox-filter-channel"));
    await user.click(await screen.findByRole("option", { name: "SMS", hidden: true }));
    await user.click(screen.getByTestId("outbox-filter-category"));
    await user.click(await screen.findByRole("option", { name: "Billing", hidden: true }));
    await waitFor(() => expect(lastQuery().get("category")).toBe("billing"));
    expect(lastQuery().get("channel")).toBe("sms");
    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
      recipient: "ops@acme.test",
      template: "invoice_issued",
      channel: "sms",
      category: "billing",
    });
  });

  it("reads filters and the page from the URL, dropping values the API does not know", async () => {
    renderPage("?status=bounced&channel=fax&category=tickets&customer_id=7&page=2");
    await screen.findAllByTestId("outbox-row");
    const query = lastQuery();
    expect(Object.fromEntries(query)).toEqual({
      status: "bounced",
      category: "tickets",
      customer_id: "7",
      page: "2",
      page_size: "25",
    });
  });

  it("reads the list again every 10 s while a queued message is shown, and stops once none is", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    rows = [notification({ notification_id: 44, status: "queued", attempts: 0, sent_at: null }), ...rows];
    renderPage();
    await screen.findAllByTestId("outbox-row");
    const calls = () => fetch.callsTo("GET /crm/notification/").length;
    const counts = () => fetch.callsTo("GET /crm/notification/summary").length;
    expect(calls()).toBe(1);
    await waitFor(() => expect(counts()).toBe(1));

    rows = [notification({ notification_id: 44, status: "sent" }), ...rows.slice(1)];
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    await waitFor(() => expect(rowOf(44)).toHaveAttribute("data-status", "sent"));
    expect(calls()).toBe(2);
    // The counts are read again with the rows.
    expect(counts()).toBe(2);

    await act(() => vi.advanceTimersByTimeAsync(30_000));
    expect(calls()).toBe(2);
    expect(counts()).toBe(2);
  });

  it("says when nothing matches", async () => {
    rows = [];
    renderPage();
    expect(await screen.findByText("No messages match")).toBeInTheDocument();
  });
  it("names each message's customer with a link, and filters by a customer picked by name", async () => {
    fetch.on("GET /crm/customer/", () => json([customer({ customer_id: 7, customer_name: "Acme Ltd" })]));
    fetch.on("GET /crm/customer/7", () => json(customer({ customer_id: 7, customer_name: "Acme Ltd" })));
    renderPage();
    const links = await screen.findAllByTestId("outbox-row-customer");
    expect(links[0]).toHaveTextContent("Acme Ltd");
    expect(links[0]).toHaveAttribute("href", "/customers/7");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("outbox-filter-customer"));
    await user.type(screen.getByTestId("outbox-filter-customer"), "Acme");
    await waitFor(() =>
      expect(fetch.callsTo("GET /crm/customer/").map((r) => new URL(r.url).searchParams.get("q"))).toContain("Acme"),
    );
    await user.click(await screen.findByRole("option", { name: "Acme Ltd", hidden: true }));
    await waitFor(() =>
      expect(new URL(fetch.callsTo("GET /crm/notification/").at(-1)!.url).searchParams.get("customer_id")).toBe("7"),
    );
  });
});
