import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { notification, page, preferences } from "../testData";
import { CustomerNotificationsTab } from "./CustomerNotificationsTab";

const PERMISSIONS = ["customer.read", "customer.write", "notification.read"];

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: PERMISSIONS }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/customer/7/notification-preferences", () => json(preferences(["usage"])));
  fetch.on("PUT /crm/customer/7/notification-preferences", async (r) => {
    const body = (await r.json()) as { opted_out: string[] };
    return json(preferences(body.opted_out));
  });
  fetch.on("GET /crm/notification/", () =>
    page([
      notification({ notification_id: 43, status: "bounced", subject: "Your invoice INV-2026-000123" }),
      notification({ notification_id: 41, status: "delivered" }),
    ]),
  );
  return () => vi.unstubAllGlobals();
});

const switchOf = (category: string) => screen.getByTestId(`notification-pref-${category}`);
const rowOf = (category: string) =>
  screen.getAllByTestId("notification-preference").find((r) => r.dataset.category === category)!;

describe("CustomerNotificationsTab", () => {
  it("shows required categories switched on, disabled and always sent; the others as the customer chose", async () => {
    renderRoutes(<CustomerNotificationsTab customerId={7} />);
    expect(await screen.findAllByTestId("notification-preference")).toHaveLength(6);
    for (const required of ["account", "billing"]) {
      expect(switchOf(required)).toBeChecked();
      expect(switchOf(required)).toBeDisabled();
      expect(within(rowOf(required)).getByTestId("notification-pref-always")).toHaveTextContent("always sent");
    }
    expect(switchOf("usage")).not.toBeChecked();
    expect(switchOf("usage")).toBeEnabled();
    expect(switchOf("tickets")).toBeChecked();
    expect(within(rowOf("tickets")).queryByTestId("notification-pref-always")).not.toBeInTheDocument();
    expect(rowOf("contract")).toHaveTextContent("Contract and service status changes");
    expect(screen.getByTestId("notification-preferences-save")).toBeDisabled();
  });

  it("saves the whole list of opt-outs with PUT", async () => {
    renderRoutes(<CustomerNotificationsTab customerId={7} />);
    const user = userEvent.setup();
    await screen.findAllByTestId("notification-preference");
    await user.click(switchOf("tickets"));
    await user.click(switchOf("usage"));
    await user.click(switchOf("contract"));
    expect(switchOf("tickets")).not.toBeChecked();
    expect(switchOf("usage")).toBeChecked();
    await user.click(screen.getByTestId("notification-preferences-save"));

    await waitFor(() => expect(fetch.callsTo("PUT /crm/customer/7/notification-preferences")).toHaveLength(1));
    expect(await fetch.callsTo("PUT /crm/customer/7/notification-preferences")[0].json()).toEqual({
      opted_out: ["tickets", "contract"],
    });
    await waitFor(() => expect(screen.getByTestId("notification-preferences-save")).toBeDisabled());
    expect(switchOf("tickets")).not.toBeChecked();
    expect(switchOf("contract")).not.toBeChecked();
    expect(switchOf("usage")).toBeChecked();
  });

  it("shows the API's refusal", async () => {
    fetch.on("PUT /crm/customer/7/notification-preferences", () =>
      errorBody(422, "validation_error", "billing: not a category a customer can opt out of"),
    );
    renderRoutes(<CustomerNotificationsTab customerId={7} />);
    const user = userEvent.setup();
    await screen.findAllByTestId("notification-preference");
    await user.click(switchOf("usage"));
    await user.click(screen.getByTestId("notification-preferences-save"));
    expect(await screen.findByTestId("notification-preferences-error")).toHaveTextContent(
      "not a category a customer can opt out of",
    );
    expect(switchOf("usage")).toBeChecked();
  });

  it("is read-only without customer.write", async () => {
    useSession.setState({ permissions: ["customer.read", "notification.read"] });
    renderRoutes(<CustomerNotificationsTab customerId={7} />);
    await screen.findAllByTestId("notification-preference");
    for (const category of ["account", "billing", "contract", "payments", "usage", "tickets"]) {
      expect(switchOf(category)).toBeDisabled();
    }
    expect(switchOf("tickets")).toBeChecked();
    expect(screen.queryByTestId("notification-preferences-save")).not.toBeInTheDocument();
  });

  it("lists the customer's last 10 messages with their status, each linking to its page", async () => {
    renderRoutes(<CustomerNotificationsTab customerId={7} />);
    const rows = await screen.findAllByTestId("customer-notification-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute("data-status", "bounced");
    expect(within(rows[0]).getByTestId("customer-notification-status")).toHaveTextContent("Bounced");
    expect(within(rows[0]).getByRole("link", { name: "Your invoice INV-2026-000123" })).toHaveAttribute(
      "href",
      "/outbox/43",
    );
    expect(within(rows[1]).getByTestId("customer-notification-status")).toHaveTextContent("Delivered");
    const query = new URL(fetch.callsTo("GET /crm/notification/")[0].url).searchParams;
    expect(Object.fromEntries(query)).toEqual({ customer_id: "7", page_size: "10" });
    expect(screen.getByTestId("customer-notifications-all")).toHaveAttribute("href", "/outbox?customer_id=7");
  });

  it("shows the preferences only without notification.read", async () => {
    useSession.setState({ permissions: ["customer.read", "customer.write"] });
    renderRoutes(<CustomerNotificationsTab customerId={7} />);
    await screen.findAllByTestId("notification-preference");
    expect(screen.queryByTestId("customer-notifications-table")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/notification/")).toHaveLength(0);
  });
});
