import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { elementsMounted, fakeCardElement, fakeStripe, loadStripe, resetStripe } from "@/test/stripe";
import { forgetStripeJs } from "../stripe";
import { savedCard, stripeGateway } from "../testData";
import { SavedCardsCard } from "./SavedCardsCard";

let fetch: StubFetch;

beforeEach(() => {
  resetStripe();
  forgetStripeJs();
  useSession.getState().signIn(login({ permissions: ["payment.read", "payment.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/payment/gateway", () => json(stripeGateway()));
  fetch.on("GET /crm/payment-method/", () => json([]));
  fetch.on("POST /crm/payment-method/setup", () =>
    json({ setup_intent_id: "seti_1", client_secret: "seti_1_secret_abc", publishable_key: "pk_test_omnicrm" }),
  );
  fetch.on("POST /crm/payment-method/", async (r) => {
    const body = await r.json();
    return json(savedCard({ payment_method_id: 9, reference: body.token, is_default: body.make_default }), {
      status: 201,
    });
  });
  return () => vi.unstubAllGlobals();
});

/** Open the Add card dialog from the customer's saved cards, as the Billing tab shows them. */
async function openDialog() {
  const result = renderRoutes(<SavedCardsCard customerId={7} />);
  const user = userEvent.setup();
  await user.click(await screen.findByTestId("card-add"));
  await screen.findByTestId("add-card-form");
  return { ...result, user };
}

describe("AddCardModal", () => {
  it("loads Stripe.js with the gateway's key only when opened, then saves the card Stripe confirmed", async () => {
    const renderResult = renderRoutes(<SavedCardsCard customerId={7} />);
    await screen.findByTestId("card-add");
    expect(loadStripe).not.toHaveBeenCalled();
    renderResult.unmount();

    const { user } = await openDialog();
    expect(loadStripe).toHaveBeenCalledWith("pk_test_omnicrm");
    expect(await elementsMounted[0]).toBe(fakeStripe);

    // Nothing to send before the card is complete; the first card starts as the default.
    expect(screen.getByTestId("add-card-submit")).toBeDisabled();
    expect(screen.getByTestId("add-card-default")).toBeChecked();
    await user.type(screen.getByTestId("stripe-card-element"), "4242");
    await user.click(screen.getByTestId("add-card-submit"));

    expect(await screen.findByText("Visa •••• 4242 saved as the default card.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId("add-card-form")).not.toBeInTheDocument());
    expect(await fetch.callsTo("POST /crm/payment-method/setup")[0].json()).toEqual({ customer_id: 7 });
    expect(fakeStripe.confirmCardSetup).toHaveBeenCalledWith("seti_1_secret_abc", {
      payment_method: { card: fakeCardElement },
    });
    expect(await fetch.callsTo("POST /crm/payment-method/")[0].json()).toEqual({
      customer_id: 7,
      token: "pm_card_visa",
      make_default: true,
    });
    await waitFor(() => expect(fetch.callsTo("GET /crm/payment-method/").length).toBeGreaterThan(1));
  });

  it("does not make a further card the default unless asked", async () => {
    fetch.on("GET /crm/payment-method/", () => json([savedCard()]));
    fakeStripe.confirmCardSetup.mockResolvedValueOnce({
      setupIntent: { id: "seti_1", status: "succeeded", payment_method: { id: "pm_card_mastercard" } as never },
    });
    const { user } = await openDialog();
    expect(screen.getByTestId("add-card-default")).not.toBeChecked();
    await user.type(screen.getByTestId("stripe-card-element"), "5555");
    await user.click(screen.getByTestId("add-card-submit"));
    await waitFor(() => expect(screen.queryByTestId("add-card-form")).not.toBeInTheDocument());
    expect(await fetch.callsTo("POST /crm/payment-method/")[0].json()).toEqual({
      customer_id: 7,
      token: "pm_card_mastercard",
      make_default: false,
    });
  });

  it("shows Stripe's message when it refuses the card, and saves nothing", async () => {
    fakeStripe.confirmCardSetup.mockResolvedValueOnce({
      error: { type: "card_error", code: "card_declined", message: "Your card was declined." },
    } as never);
    const { user } = await openDialog();
    await user.type(screen.getByTestId("stripe-card-element"), "4000");
    await user.click(screen.getByTestId("add-card-submit"));
    expect(await screen.findByTestId("add-card-error")).toHaveTextContent("Your card was declined.");
    expect(fetch.callsTo("POST /crm/payment-method/")).toHaveLength(0);
    expect(screen.getByTestId("add-card-form")).toBeInTheDocument();
  });

  it("shows the API's refusal (a card saved for another customer)", async () => {
    fetch.on("POST /crm/payment-method/", () =>
      errorBody(409, "card_in_use", "this card is saved for another customer"),
    );
    const { user } = await openDialog();
    await user.type(screen.getByTestId("stripe-card-element"), "4242");
    await user.click(screen.getByTestId("add-card-submit"));
    expect(await screen.findByTestId("add-card-error")).toHaveTextContent("this card is saved for another customer");
    expect(screen.getByTestId("add-card-form")).toBeInTheDocument();
  });

  it("shows why no SetupIntent could be made, before asking Stripe anything", async () => {
    fetch.on("POST /crm/payment-method/setup", () => errorBody(503, "gateway_unavailable", "Stripe refused our key"));
    const { user } = await openDialog();
    await user.type(screen.getByTestId("stripe-card-element"), "4242");
    await user.click(screen.getByTestId("add-card-submit"));
    expect(await screen.findByTestId("add-card-error")).toHaveTextContent("Stripe refused our key");
    expect(fakeStripe.confirmCardSetup).not.toHaveBeenCalled();
  });

  it("says when Stripe.js cannot be loaded (blocked, offline)", async () => {
    loadStripe.mockRejectedValueOnce(new Error("Failed to load Stripe.js"));
    renderRoutes(<SavedCardsCard customerId={7} />);
    await userEvent.setup().click(await screen.findByTestId("card-add"));
    expect(await screen.findByTestId("add-card-stripe-error")).toHaveTextContent("Failed to load Stripe.js");
    expect(screen.queryByTestId("add-card-form")).not.toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/payment-method/setup")).toHaveLength(0);
  });
});
