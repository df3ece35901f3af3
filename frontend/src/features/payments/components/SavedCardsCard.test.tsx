import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { loadStripe, resetStripe } from "@/test/stripe";
import type { SavedCard } from "../api";
import { manualGateway, savedCard, stripeGateway } from "../testData";
import { SavedCardsCard } from "./SavedCardsCard";

let fetch: StubFetch;
let cards: SavedCard[];

beforeEach(() => {
  resetStripe();
  useSession.getState().signIn(login({ permissions: ["payment.read", "payment.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  cards = [
    savedCard(),
    savedCard({
      payment_method_id: 4,
      brand: "mastercard",
      last4: "4444",
      exp_month: 5,
      exp_year: 2026,
      expires_on: "2026-05-31",
      expires_soon: true,
      is_default: false,
    }),
    savedCard({
      payment_method_id: 5,
      brand: "amex",
      last4: "0005",
      exp_month: 1,
      exp_year: 2026,
      expires_on: "2026-01-31",
      expired: true,
      is_default: false,
    }),
  ];
  fetch.on("GET /crm/payment/gateway", () => json(stripeGateway()));
  fetch.on("GET /crm/payment-method/", () => json(cards));
  return () => vi.unstubAllGlobals();
});

const renderCard = () => renderRoutes(<SavedCardsCard customerId={7} />);
const rowOf = (id: number) => screen.getAllByTestId("card-row").find((r) => r.dataset.cardId === String(id))!;

describe("SavedCardsCard", () => {
  it("lists the customer's cards with their expiry, the default and the expiring ones", async () => {
    renderCard();
    await screen.findAllByTestId("card-row");
    expect(new URL(fetch.callsTo("GET /crm/payment-method/")[0].url).searchParams.get("customer_id")).toBe("7");

    const visa = rowOf(3);
    expect(within(visa).getByTestId("card-label")).toHaveTextContent("Visa •••• 4242");
    expect(within(visa).getByTestId("card-expiry")).toHaveTextContent("04/2029");
    expect(within(visa).getByTestId("card-default")).toHaveTextContent("Default");
    expect(within(visa).queryByTestId("card-expires-soon")).not.toBeInTheDocument();
    expect(within(visa).queryByTestId("card-make-default")).not.toBeInTheDocument();

    const mastercard = rowOf(4);
    expect(within(mastercard).getByTestId("card-label")).toHaveTextContent("Mastercard •••• 4444");
    expect(within(mastercard).getByTestId("card-expiry")).toHaveTextContent("05/2026");
    expect(within(mastercard).getByTestId("card-expires-soon")).toHaveTextContent("Expires soon");
    expect(within(mastercard).queryByTestId("card-default")).not.toBeInTheDocument();

    const amex = rowOf(5);
    expect(within(amex).getByTestId("card-label")).toHaveTextContent("American Express •••• 0005");
    expect(within(amex).getByTestId("card-expired")).toHaveTextContent("Expired");
    expect(within(amex).queryByTestId("card-expires-soon")).not.toBeInTheDocument();

    expect(screen.getByTestId("card-add")).toBeInTheDocument();
    expect(screen.queryByTestId("cards-not-configured")).not.toBeInTheDocument();
    // Listing cards loads no Stripe.js: only adding one does.
    expect(loadStripe).not.toHaveBeenCalled();
  });

  it("makes a card the default and reads the cards again", async () => {
    fetch.on("POST /crm/payment-method/4/default", () => {
      cards = cards.map((c) => ({ ...c, is_default: c.payment_method_id === 4 }));
      return json(cards[1]);
    });
    renderCard();
    await screen.findAllByTestId("card-row");
    await userEvent.setup().click(within(rowOf(4)).getByTestId("card-make-default"));

    expect(await screen.findByText("Mastercard •••• 4444 is now the default card.")).toBeInTheDocument();
    await waitFor(() => expect(within(rowOf(4)).getByTestId("card-default")).toBeInTheDocument());
    expect(within(rowOf(3)).queryByTestId("card-default")).not.toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/payment-method/4/default")).toHaveLength(1);
  });

  it("removes a card only once confirmed", async () => {
    fetch.on("DELETE /crm/payment-method/4", () => {
      const [removed] = cards.splice(1, 1);
      return json({ ...removed, removed_at: "2026-04-04T12:00:00Z" });
    });
    renderCard();
    await screen.findAllByTestId("card-row");
    const user = userEvent.setup();

    await user.click(within(rowOf(4)).getByTestId("card-remove"));
    expect(await screen.findByText("Remove Mastercard •••• 4444?")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByText("Remove Mastercard •••• 4444?")).not.toBeInTheDocument());
    expect(fetch.callsTo("DELETE /crm/payment-method/4")).toHaveLength(0);

    await user.click(within(rowOf(4)).getByTestId("card-remove"));
    await user.click(await screen.findByTestId("confirm-action"));
    expect(await screen.findByText("Mastercard •••• 4444 removed.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId("card-row")).toHaveLength(2));
    expect(fetch.callsTo("DELETE /crm/payment-method/4")).toHaveLength(1);
  });

  it("shows the API's refusal to remove a card", async () => {
    fetch.on("DELETE /crm/payment-method/4", () => errorBody(503, "gateway_unavailable", "Stripe is unavailable"));
    renderCard();
    await screen.findAllByTestId("card-row");
    const user = userEvent.setup();
    await user.click(within(rowOf(4)).getByTestId("card-remove"));
    await user.click(await screen.findByTestId("confirm-action"));
    expect(await screen.findByText("Stripe is unavailable")).toBeInTheDocument();
    expect(screen.getAllByTestId("card-row")).toHaveLength(3);
  });

  it("says card payments are not set up without Stripe, offers no Add card, and still lists the cards", async () => {
    fetch.on("GET /crm/payment/gateway", () => json(manualGateway()));
    renderCard();
    expect(await screen.findByTestId("cards-not-configured")).toHaveTextContent("Card payments are not set up");
    expect(screen.getAllByTestId("card-row")).toHaveLength(3);
    expect(screen.queryByTestId("card-add")).not.toBeInTheDocument();
    expect(loadStripe).not.toHaveBeenCalled();
  });

  it("offers no actions without payment.write", async () => {
    useSession.setState({ permissions: ["payment.read"] });
    renderCard();
    await screen.findAllByTestId("card-row");
    await screen.findByTestId("cards-table");
    expect(screen.queryByTestId("card-add")).not.toBeInTheDocument();
    expect(screen.queryByTestId("card-make-default")).not.toBeInTheDocument();
    expect(screen.queryByTestId("card-remove")).not.toBeInTheDocument();
  });

  it("says when the customer has no saved card", async () => {
    cards = [];
    renderCard();
    expect(await screen.findByText("No saved cards")).toBeInTheDocument();
  });
});
