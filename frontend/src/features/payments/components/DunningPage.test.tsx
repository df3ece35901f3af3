import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { DunningEntry } from "../api";
import { page } from "../testData";
import { DunningPage } from "./DunningPage";

let fetch: StubFetch;

const entry = (overrides: Partial<DunningEntry> = {}): DunningEntry => ({
  customer_id: 7,
  customer_name: "Acme Telecom",
  overdue: "23.9880",
  oldest_due_date: "2026-03-15",
  invoices: 2,
  last_action: "suspend",
  last_action_at: "2026-03-30T08:00:00Z",
  suspended_service_ids: [21, 22],
  ...overrides,
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(2026, 3, 4, 12, 0)); // 4 April 2026, local
  useSession.getState().signIn(login({ permissions: ["payment.read", "payment.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/payment/dunning", () =>
    json([
      entry(),
      entry({
        customer_id: 9,
        customer_name: "Bob Smith",
        overdue: "5.0000",
        oldest_due_date: "2026-04-03",
        invoices: 1,
        last_action: null,
        last_action_at: null,
        suspended_service_ids: [],
      }),
    ]),
  );
  fetch.on("GET /crm/invoice/", () => page([]));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const renderPage = () => renderRoutes([{ path: "/payments/dunning", element: <DunningPage /> }], "/payments/dunning");

describe("DunningPage", () => {
  it("lists the overdue customers with their last step and suspended services", async () => {
    renderPage();
    const [acme, bob] = await screen.findAllByTestId("dunning-row");
    expect(within(acme).getByRole("link", { name: "Acme Telecom" })).toHaveAttribute("href", "/customers/7");
    expect(acme).toHaveTextContent("23.988");
    expect(within(acme).getByTestId("dunning-days")).toHaveTextContent("20 days overdue");
    expect(within(acme).getByTestId("dunning-action")).toHaveTextContent("Suspended");
    expect(within(acme).getByRole("link", { name: "#21" })).toHaveAttribute("href", "/services/21");
    expect(within(acme).getByRole("link", { name: "#22" })).toHaveAttribute("href", "/services/22");

    expect(within(bob).getByRole("link", { name: "Bob Smith" })).toHaveAttribute("href", "/customers/9");
    expect(within(bob).getByTestId("dunning-days")).toHaveTextContent("1 day overdue");
    expect(within(bob).queryByTestId("dunning-action")).not.toBeInTheDocument();
    expect(bob).toHaveTextContent("None yet");
  });

  it("opens the payment dialog for the row's customer", async () => {
    useSession.setState({ permissions: ["payment.read", "payment.write", "invoice.read"] });
    renderPage();
    const [, bob] = await screen.findAllByTestId("dunning-row");
    await userEvent.setup().click(within(bob).getByTestId("dunning-pay"));
    expect(await screen.findByTestId("payment-form")).toBeInTheDocument();
    const asked = new URL((await vi.waitFor(() => fetch.callsTo("GET /crm/invoice/")[0])).url).searchParams;
    expect(asked.get("customer_id")).toBe("9");
  });

  it("says when nobody is overdue", async () => {
    fetch.on("GET /crm/payment/dunning", () => json([]));
    renderPage();
    expect(await screen.findByText("Nobody is overdue")).toBeInTheDocument();
    expect(screen.queryByTestId("dunning-row")).not.toBeInTheDocument();
  });

  it("offers no Record payment without payment.write", async () => {
    useSession.setState({ permissions: ["payment.read"] });
    renderPage();
    await screen.findAllByTestId("dunning-row");
    expect(screen.queryByTestId("dunning-pay")).not.toBeInTheDocument();
  });
});
