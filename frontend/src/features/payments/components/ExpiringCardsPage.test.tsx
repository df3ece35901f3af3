import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { loadStripe, resetStripe } from "@/test/stripe";
import { savedCard, stripeGateway } from "../testData";
import { ExpiringCardsPage } from "./ExpiringCardsPage";

let fetch: StubFetch;

beforeEach(() => {
  resetStripe();
  useSession.getState().signIn(login({ permissions: ["payment.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/payment/gateway", () => json(stripeGateway()));
  fetch.on("GET /crm/payment-method/expiring", () =>
    json([
      savedCard({
        payment_method_id: 5,
        customer_id: 9,
        customer_name: "Bob Smith",
        brand: "amex",
        last4: "0005",
        exp_month: 3,
        exp_year: 2026,
        expires_on: "2026-03-31",
        expired: true,
        expiry_reminded_at: "2026-03-01T09:00:00Z",
      }),
      savedCard({ exp_month: 5, exp_year: 2026, expires_on: "2026-05-31", expires_soon: true }),
    ]),
  );
  return () => vi.unstubAllGlobals();
});

const renderPage = (path = "/payments/expiring-cards") =>
  renderRoutes([{ path: "/payments/expiring-cards", element: <ExpiringCardsPage /> }], path);

describe("ExpiringCardsPage", () => {
  it("lists the expiring and expired cards with the customer, the expiry and the reminder", async () => {
    renderPage();
    const [bob, acme] = await screen.findAllByTestId("expiring-row");
    expect(within(bob).getByRole("link", { name: "Bob Smith" })).toHaveAttribute("href", "/customers/9?tab=billing");
    expect(within(bob).getByTestId("expiring-card")).toHaveTextContent("American Express •••• 0005");
    expect(within(bob).getByTestId("expiring-expiry")).toHaveTextContent("03/2026");
    expect(within(bob).getByTestId("card-expired")).toHaveTextContent("Expired");
    expect(within(bob).getByTestId("expiring-reminder")).toHaveAttribute("data-sent", "true");
    expect(within(bob).getByTestId("expiring-reminder")).toHaveTextContent("Sent");

    expect(within(acme).getByRole("link", { name: "Acme Telecom" })).toHaveAttribute(
      "href",
      "/customers/7?tab=billing",
    );
    expect(within(acme).getByTestId("expiring-card")).toHaveTextContent("Visa •••• 4242");
    expect(within(acme).getByTestId("expiring-expiry")).toHaveTextContent("05/2026");
    expect(within(acme).getByTestId("card-expires-soon")).toHaveTextContent("Expires soon");
    expect(within(acme).getByTestId("expiring-reminder")).toHaveTextContent("Not sent yet");
    // The API's own window unless one is picked.
    expect(new URL(fetch.callsTo("GET /crm/payment-method/expiring")[0].url).searchParams.has("days")).toBe(false);
    expect(loadStripe).not.toHaveBeenCalled();
  });

  it("asks for another window", async () => {
    const { router } = renderPage();
    await screen.findAllByTestId("expiring-row");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("expiring-days"));
    await user.click(await screen.findByRole("option", { name: "Within 90 days", hidden: true }));
    await waitFor(() =>
      expect(new URL(fetch.callsTo("GET /crm/payment-method/expiring").at(-1)!.url).searchParams.get("days")).toBe(
        "90",
      ),
    );
    expect(router.state.location.search).toBe("?days=90");
  });

  it("says when no card expires soon", async () => {
    fetch.on("GET /crm/payment-method/expiring", () => json([]));
    renderPage("/payments/expiring-cards?days=30");
    expect(await screen.findByText("No cards expire soon")).toBeInTheDocument();
    expect(new URL(fetch.callsTo("GET /crm/payment-method/expiring")[0].url).searchParams.get("days")).toBe("30");
  });
});
