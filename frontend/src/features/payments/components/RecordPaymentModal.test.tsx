import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { deferred, errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { service } from "@/test/services";
import { fakeStripe, loadStripe, resetStripe } from "@/test/stripe";
import { paymentKeys, type PaymentDetail } from "../api";
import { forgetStripeJs } from "../stripe";
import { cardPayment, invoice, manualGateway, page, paymentDetail, savedCard, stripeGateway } from "../testData";
import { RecordPaymentModal, type PayableInvoice } from "./RecordPaymentModal";

let fetch: StubFetch;
const onClose = vi.fn();

beforeEach(() => {
  onClose.mockReset();
  useSession
    .getState()
    .signIn(login({ permissions: ["payment.read", "payment.write", "invoice.read", "service.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/invoice/", () =>
    page([
      invoice({ invoice_id: 55, invoice_number: "INV-2026-000055", amount_due: "23.9880" }),
      invoice({ invoice_id: 56, invoice_number: "INV-2026-000056", status: "overdue", amount_due: "10.0000" }),
    ]),
  );
  fetch.on("GET /crm/service/", () => page([service({ service_id: 21, service_name: "Mobile 10GB" })]));
  fetch.on("POST /crm/payment/", async (r) => {
    const body = await r.json();
    return json(
      paymentDetail({
        amount: body.amount,
        method: body.method,
        service_id: body.service_id ?? null,
        invoice_id: body.invoice_id ?? null,
        allocations: body.service_id ? [] : paymentDetail().allocations,
        credit: body.service_id ? "0.0000" : "6.0120",
      }),
      { status: 201 },
    );
  });
  return () => vi.unstubAllGlobals();
});

const renderModal = (invoiceToPay?: PayableInvoice) =>
  renderRoutes(<RecordPaymentModal opened onClose={onClose} customerId={7} currency="USD" invoice={invoiceToPay} />);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The dialog behind a button, as the Billing tab opens it: each opening is a new form. */
function Opener() {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpened(true)}>
        open
      </button>
      <RecordPaymentModal opened={opened} onClose={() => setOpened(false)} customerId={7} currency="USD" />
    </>
  );
}

const posts = () => fetch.callsTo("POST /crm/payment/");
const keysSent = () => posts().map((r) => r.headers.get("Idempotency-Key"));

describe("RecordPaymentModal", () => {
  it("refuses a bad amount the way the charge dialog does, before sending anything", async () => {
    renderModal();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("payment-submit"));
    expect(await screen.findByText("Enter an amount")).toBeInTheDocument();

    for (const [typed, problem] of [
      ["12.505050", "At most 4 decimal places"],
      ["0.00", "The amount must be above 0"],
      ["-5", "Enter a positive number such as 12.50"],
      ["1000000", "The amount must be below 1,000,000"],
    ]) {
      await user.clear(screen.getByTestId("payment-amount"));
      await user.type(screen.getByTestId("payment-amount"), typed);
      await user.click(screen.getByTestId("payment-submit"));
      expect(await screen.findByText(problem)).toBeInTheDocument();
    }
    expect(posts()).toHaveLength(0);
  });

  it("settles the open invoices oldest first by default, then shows where the money went", async () => {
    const { queryClient } = renderModal();
    // What a payment changes, already on screen: each must be read again.
    const cached = [
      ["billing", "invoices", "list", { customer_id: 7 }],
      ["billing", "invoices", "balance-due", 7],
      ["billing", "invoices", "statement", 7, "2026-01-01", "2026-03-31"],
      ["billing", "transactions", { customer_id: 7 }],
      paymentKeys.list({ customer_id: 7 }),
    ];
    for (const key of cached) queryClient.setQueryData(key, { stale: false });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("payment-amount"), "030.00");
    await user.click(screen.getByTestId("payment-method"));
    await user.click(await screen.findByRole("option", { name: "Bank transfer", hidden: true }));
    await user.click(screen.getByTestId("payment-submit"));

    const result = await screen.findByTestId("payment-result");
    expect(await posts()[0].json()).toEqual({ customer_id: 7, amount: "30.00", method: "bank_transfer" });
    expect(keysSent()).toEqual([expect.stringMatching(UUID)]);
    expect(result).toHaveTextContent("30.00 USD by Bank transfer, receipt RCT-2026-000031");
    const [allocation] = within(result).getAllByTestId("payment-result-allocation");
    expect(allocation).toHaveTextContent("INV-2026-000055");
    expect(allocation).toHaveTextContent("23.988 USD");
    expect(within(result).getByTestId("payment-result-credit")).toHaveTextContent(
      "6.012 USD is kept as account credit for the next invoice",
    );
    for (const key of cached) expect(queryClient.getQueryState(key)?.isInvalidated, JSON.stringify(key)).toBe(true);

    await user.click(screen.getByTestId("payment-done"));
    expect(onClose).toHaveBeenCalled();
  });

  it("applies the payment to one of the customer's open invoices", async () => {
    renderModal();
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("payment-amount"), "10");
    await user.click(screen.getByText("One invoice"));
    await user.click(screen.getByTestId("payment-submit"));
    expect(await screen.findByText("Pick the invoice")).toBeInTheDocument();
    expect(posts()).toHaveLength(0);

    await user.click(screen.getByTestId("payment-invoice"));
    await user.click(await screen.findByRole("option", { name: "INV-2026-000056 · due 10.00 USD", hidden: true }));
    await user.type(screen.getByTestId("payment-note"), "  bank ref 4471 ");
    await user.click(screen.getByTestId("payment-submit"));

    await screen.findByTestId("payment-result");
    expect(await posts()[0].json()).toEqual({
      customer_id: 7,
      amount: "10",
      method: "card",
      invoice_id: 56,
      note: "bank ref 4471",
    });
    const asked = new URL(fetch.callsTo("GET /crm/invoice/")[0].url).searchParams;
    expect(asked.get("customer_id")).toBe("7");
    expect(asked.get("kind")).toBe("invoice");
    expect(asked.getAll("status")).toEqual(["issued", "partially_paid", "overdue"]);
  });

  it("tops up a service instead, never sending an invoice with it", async () => {
    renderModal();
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("payment-amount"), "15");
    await user.click(screen.getByText("One invoice"));
    await user.click(screen.getByTestId("payment-invoice"));
    await user.click(await screen.findByRole("option", { name: /INV-2026-000055/, hidden: true }));
    // Switching to a service drops the invoice picked before.
    await user.click(screen.getByText("Top up a service"));
    await user.click(screen.getByTestId("payment-service"));
    await user.click(await screen.findByRole("option", { name: "Mobile 10GB (#21)", hidden: true }));
    await user.click(screen.getByTestId("payment-submit"));

    expect(await screen.findByTestId("payment-result-topup")).toHaveTextContent("service #21");
    expect(await posts()[0].json()).toEqual({ customer_id: 7, amount: "15", method: "card", service_id: 21 });
  });

  it("opens on an invoice picked, its amount due filled in", async () => {
    renderModal({ invoice_id: 55, invoice_number: "INV-2026-000055", amount_due: "23.9880", currency: "USD" });
    const user = userEvent.setup();
    expect(await screen.findByTestId("payment-amount")).toHaveValue("23.988");
    expect(screen.getByTestId("payment-invoice")).toHaveValue("INV-2026-000055 · due 23.988 USD");
    await user.click(screen.getByTestId("payment-submit"));
    await screen.findByTestId("payment-result");
    expect(await posts()[0].json()).toEqual({ customer_id: 7, amount: "23.988", method: "card", invoice_id: 55 });
  });

  it("offers only the targets the user may read", async () => {
    useSession.setState({ permissions: ["payment.write"] });
    renderModal();
    await screen.findByTestId("payment-amount");
    expect(screen.queryByTestId("payment-target")).not.toBeInTheDocument();
    expect(screen.getByTestId("payment-target-auto")).toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/invoice/")).toHaveLength(0);
    expect(fetch.callsTo("GET /crm/service/")).toHaveLength(0);
  });

  it("keeps the Idempotency-Key for a retry within one opening and makes a new one for the next", async () => {
    let attempts = 0;
    fetch.on("POST /crm/payment/", async (r) => {
      attempts += 1;
      if (attempts === 1) return errorBody(503, "unavailable", "Try again shortly");
      return json(paymentDetail({ payment_id: 30 + attempts, amount: (await r.json()).amount }), { status: 201 });
    });
    renderRoutes(<Opener />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "open" }));
    await user.type(await screen.findByTestId("payment-amount"), "5");
    await user.click(screen.getByTestId("payment-submit"));
    expect(await screen.findByTestId("payment-error")).toHaveTextContent("Try again shortly");
    // The retry is the same submission: same key, same body (the API replays, never pays twice).
    await user.click(screen.getByTestId("payment-submit"));
    await user.click(await screen.findByTestId("payment-done"));
    await waitFor(() => expect(screen.queryByTestId("payment-result")).not.toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "open" }));
    await user.type(await screen.findByTestId("payment-amount"), "5");
    await user.click(screen.getByTestId("payment-submit"));
    await screen.findByTestId("payment-result");

    const bodies = await Promise.all(posts().map((r) => r.json()));
    expect(bodies).toHaveLength(3);
    expect(bodies[1]).toEqual(bodies[0]);
    const keys = keysSent();
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toMatch(UUID);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("explains a reused key (the first attempt was recorded) and reads the payments again", async () => {
    fetch.on("POST /crm/payment/", () =>
      errorBody(422, "idempotency_key_reused", "this Idempotency-Key was used for another payment", {
        payment_id: 44,
      }),
    );
    const { queryClient } = renderModal();
    const listed = paymentKeys.list({ customer_id: 7 });
    queryClient.setQueryData(listed, { items: [], pagination: { total: 0, total_pages: 0, page: 1 } });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("payment-amount"), "6");
    await user.click(screen.getByTestId("payment-submit"));
    expect(await screen.findByTestId("payment-error")).toHaveTextContent(
      "This dialog already recorded a payment (#44) with other details",
    );
    expect(onClose).not.toHaveBeenCalled();
    expect(queryClient.getQueryState(listed)?.isInvalidated).toBe(true);
  });

  it("shows an invoice that is no longer open in the dialog, and field errors under their input", async () => {
    fetch.on("POST /crm/payment/", () =>
      errorBody(409, "invoice_not_open", "invoice 55 is paid: nothing to pay on it", { status: "paid" }),
    );
    renderModal({ invoice_id: 55, invoice_number: "INV-2026-000055", amount_due: "23.9880", currency: "USD" });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("payment-submit"));
    expect(await screen.findByTestId("payment-error")).toHaveTextContent("invoice 55 is paid: nothing to pay on it");

    fetch.on("POST /crm/payment/", () =>
      errorBody(422, "validation_error", "Invalid", {
        errors: { json: { invoice_id: ["invoice 55 is not one of customer 7's"] } },
      }),
    );
    await user.click(screen.getByTestId("payment-submit"));
    expect(await screen.findByText("invoice 55 is not one of customer 7's")).toBeInTheDocument();
    expect(screen.queryByTestId("payment-result")).not.toBeInTheDocument();
  });
});

describe("RecordPaymentModal charging a saved card", () => {
  beforeEach(() => {
    resetStripe();
    forgetStripeJs();
    useSession.setState({ permissions: ["payment.read", "payment.write", "invoice.read", "service.read"] });
    fetch.on("GET /crm/payment/gateway", () => json(stripeGateway()));
    fetch.on("GET /crm/payment-method/", () =>
      json([
        savedCard(),
        savedCard({ payment_method_id: 4, brand: "mastercard", last4: "4444", is_default: false }),
        savedCard({
          payment_method_id: 5,
          brand: "amex",
          last4: "0005",
          exp_month: 1,
          exp_year: 2026,
          expired: true,
          is_default: false,
        }),
      ]),
    );
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** Let `ms` pass on the fake clock (what it sets off updates the dialog). */
  const wait = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

  /** The money is in: applied to the invoice, a receipt. */
  const charged = (overrides: Partial<PaymentDetail> = {}) =>
    cardPayment({
      status: "succeeded",
      failure_code: null,
      receipt_number: "RCT-2026-000040",
      credit: "6.0120",
      allocations: paymentDetail().allocations,
      ...overrides,
    });

  /** Fill in an amount and pick "Charge a saved card" (the default card is preselected). */
  async function chargeForm(user: ReturnType<typeof userEvent.setup>, amount = "30") {
    await user.type(await screen.findByTestId("payment-amount"), amount);
    await user.click(await screen.findByText("Charge a saved card"));
    await waitFor(() =>
      expect(screen.getByTestId("payment-card")).toHaveValue("Visa •••• 4242 · expires 04/2029 · default"),
    );
  }

  it("offers a card charge only when card payments are on and the customer has a card", async () => {
    fetch.on("GET /crm/payment/gateway", () => json(manualGateway()));
    const manual = renderModal();
    await screen.findByTestId("payment-amount");
    await waitFor(() => expect(fetch.callsTo("GET /crm/payment/gateway")).toHaveLength(1));
    expect(screen.queryByTestId("payment-source")).not.toBeInTheDocument();
    // Without Stripe there is no card to charge: the cards are not even read.
    expect(fetch.callsTo("GET /crm/payment-method/")).toHaveLength(0);
    manual.unmount();

    fetch.on("GET /crm/payment/gateway", () => json(stripeGateway()));
    fetch.on("GET /crm/payment-method/", () => json([]));
    const noCards = renderModal();
    await waitFor(() => expect(fetch.callsTo("GET /crm/payment-method/")).toHaveLength(1));
    await screen.findByTestId("payment-amount");
    expect(screen.queryByTestId("payment-source")).not.toBeInTheDocument();
    noCards.unmount();

    // payment.write alone (the invoice page): no gateway or cards read, as before.
    useSession.setState({ permissions: ["payment.write"] });
    renderModal();
    await screen.findByTestId("payment-amount");
    expect(screen.queryByTestId("payment-source")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/payment/gateway")).toHaveLength(2);
  });

  it("charges the default card, preselected, and shows the receipt on a 201", async () => {
    fetch.on("POST /crm/payment/", () => json(charged(), { status: 201 }));
    renderModal();
    const user = userEvent.setup();
    await chargeForm(user);
    expect(screen.queryByTestId("payment-method")).not.toBeInTheDocument();
    expect(screen.getByTestId("payment-submit")).toHaveTextContent("Charge card");
    // An expired card is listed but cannot be picked.
    await user.click(screen.getByTestId("payment-card"));
    const expired = await screen.findByRole("option", { name: /American Express •••• 0005/, hidden: true });
    expect(expired).toHaveAttribute("data-combobox-disabled", "true");
    await user.click(await screen.findByRole("option", { name: /Mastercard •••• 4444/, hidden: true }));
    await user.click(screen.getByTestId("payment-customer-present"));
    await user.click(screen.getByTestId("payment-submit"));

    const result = await screen.findByTestId("payment-result");
    expect(result).toHaveTextContent("Card charged");
    expect(within(result).getByTestId("payment-result-receipt")).toHaveTextContent("RCT-2026-000040");
    expect(await posts()[0].json()).toEqual({
      customer_id: 7,
      amount: "30",
      method: "card",
      payment_method_id: 4,
      customer_present: true,
    });
    expect(keysSent()).toEqual([expect.stringMatching(UUID)]);
    expect(fakeStripe.handleNextAction).not.toHaveBeenCalled();
    expect(loadStripe).not.toHaveBeenCalled();
  });

  it("shows a decline in the dialog, then tries another card under a new Idempotency-Key", async () => {
    fetch.on("POST /crm/payment/", () =>
      errorBody(402, "payment_declined", "the payment was declined: Your card has insufficient funds.", {
        payment_id: 41,
        failure_code: "insufficient_funds",
      }),
    );
    const { queryClient } = renderModal();
    const listed = paymentKeys.list({ customer_id: 7 });
    queryClient.setQueryData(listed, { items: [], pagination: { total: 0, total_pages: 0, page: 1 } });
    const user = userEvent.setup();
    await chargeForm(user);
    await user.click(screen.getByTestId("payment-submit"));

    const declined = await screen.findByTestId("payment-declined");
    expect(declined).toHaveTextContent("The card was declined");
    expect(declined).toHaveTextContent("Your card has insufficient funds.");
    expect(within(declined).getByTestId("payment-decline-code")).toHaveTextContent("insufficient_funds");
    expect(declined).toHaveTextContent("failed payment #41");
    expect(screen.queryByTestId("payment-result")).not.toBeInTheDocument();
    expect(screen.queryByText("Card charged")).not.toBeInTheDocument();
    // The failed attempt is listed with the customer's payments.
    expect(queryClient.getQueryState(listed)?.isInvalidated).toBe(true);

    fetch.on("POST /crm/payment/", () => json(charged({ payment_method_id: 4 }), { status: 201 }));
    await user.click(screen.getByTestId("payment-card"));
    await user.click(await screen.findByRole("option", { name: /Mastercard •••• 4444/, hidden: true }));
    await user.click(screen.getByTestId("payment-submit"));
    await screen.findByTestId("payment-result");
    const bodies = await Promise.all(posts().map((r) => r.json()));
    expect(bodies.map((b) => b.payment_method_id)).toEqual([3, 4]);
    const [first, second] = keysSent();
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(second).not.toBe(first);
  });

  it("explains a charge Stripe did not answer: reconciliation settles it, do not charge again", async () => {
    fetch.on("POST /crm/payment/", () =>
      json(
        cardPayment({
          status: "unknown",
          failure_code: null,
          failure_message: "the gateway did not answer; reconciliation will find out",
        }),
        { status: 202 },
      ),
    );
    renderModal();
    const user = userEvent.setup();
    await chargeForm(user);
    await user.click(screen.getByTestId("payment-submit"));
    const notice = await screen.findByTestId("payment-unknown");
    expect(notice).toHaveTextContent("Stripe did not answer");
    expect(notice).toHaveTextContent("Reconciliation will settle it");
    expect(notice).toHaveTextContent("do not charge the card again");
    expect(notice).toHaveTextContent("payment #40");
    expect(screen.queryByTestId("payment-result")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("payment-done"));
    expect(onClose).toHaveBeenCalled();
  });

  it("says the payment waits when the bank asks for authentication and the customer is not here", async () => {
    fetch.on("POST /crm/payment/", () => json(cardPayment({ client_secret: null }), { status: 202 }));
    renderModal();
    const user = userEvent.setup();
    await chargeForm(user);
    await user.click(screen.getByTestId("payment-submit"));
    const notice = await screen.findByTestId("payment-requires-action");
    expect(notice).toHaveTextContent("The bank asks the customer to authenticate");
    expect(notice).toHaveTextContent("waits until they authenticate");
    expect(await posts()[0].json()).toMatchObject({ payment_method_id: 3, customer_present: false });
    expect(fakeStripe.handleNextAction).not.toHaveBeenCalled();
    expect(loadStripe).not.toHaveBeenCalled();
  });

  it("hands 3-D Secure to Stripe.js, then reads the payment every 2 s until it succeeds", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const challenge = deferred<{ paymentIntent: { id: string; status: string } }>();
    fakeStripe.handleNextAction.mockImplementationOnce(() => challenge.promise);
    fetch.on("POST /crm/payment/", () => json(cardPayment({ client_secret: "pi_3Example_secret_x" }), { status: 202 }));
    let reads = 0;
    fetch.on("GET /crm/payment/40", () => {
      reads += 1;
      return json(reads < 3 ? cardPayment() : charged());
    });
    const { queryClient } = renderModal();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await chargeForm(user);
    await user.click(screen.getByTestId("payment-customer-present"));
    await user.click(screen.getByTestId("payment-submit"));

    // The customer is in Stripe's 3-D Secure window: nothing is read meanwhile.
    expect(await screen.findByTestId("payment-authenticating")).toHaveTextContent("3-D Secure");
    await waitFor(() =>
      expect(fakeStripe.handleNextAction).toHaveBeenCalledWith({ clientSecret: "pi_3Example_secret_x" }),
    );
    expect(loadStripe).toHaveBeenCalledWith("pk_test_omnicrm");
    expect(await posts()[0].json()).toMatchObject({ payment_method_id: 3, customer_present: true });
    // The client secret is not kept with the cached payment.
    expect(queryClient.getQueryData<PaymentDetail>(paymentKeys.detail(40))?.client_secret).toBeNull();
    await wait(5_000);
    expect(fetch.callsTo("GET /crm/payment/40")).toHaveLength(0);

    // The window closed: the payment is read at once, then every 2 s while it waits.
    challenge.resolve({ paymentIntent: { id: "pi_3Example", status: "succeeded" } });
    expect(await screen.findByTestId("payment-polling")).toHaveTextContent("Waiting for Stripe to confirm");
    await waitFor(() => expect(fetch.callsTo("GET /crm/payment/40")).toHaveLength(1));
    const listed = paymentKeys.list({ customer_id: 7 });
    queryClient.setQueryData(listed, { items: [], pagination: { total: 0, total_pages: 0, page: 1 } });

    await wait(2_000);
    await waitFor(() => expect(fetch.callsTo("GET /crm/payment/40")).toHaveLength(2));
    expect(screen.getByTestId("payment-polling")).toBeInTheDocument();
    expect(screen.getByTestId("payment-poll-progress")).toBeInTheDocument();

    await wait(2_000);
    const result = await screen.findByTestId("payment-result");
    expect(within(result).getByTestId("payment-result-receipt")).toHaveTextContent("RCT-2026-000040");
    expect(fetch.callsTo("GET /crm/payment/40")).toHaveLength(3);
    // Settled: what its money changed is read again; the payment is not read any more.
    expect(queryClient.getQueryState(listed)?.isInvalidated).toBe(true);
    await wait(6_000);
    expect(fetch.callsTo("GET /crm/payment/40")).toHaveLength(3);
  });

  it("gives up reading after about a minute and says the payment waits", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    fetch.on("POST /crm/payment/", () => json(cardPayment({ client_secret: "pi_3Example_secret_x" }), { status: 202 }));
    fetch.on("GET /crm/payment/40", () => json(cardPayment()));
    renderModal();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await chargeForm(user);
    await user.click(screen.getByTestId("payment-customer-present"));
    await user.click(screen.getByTestId("payment-submit"));
    await screen.findByTestId("payment-polling");

    await wait(30_000);
    expect(screen.getByTestId("payment-polling")).toHaveTextContent(/Checked for \d+ s of 60 s/);
    await wait(32_000);
    expect(await screen.findByTestId("payment-still-waiting")).toHaveTextContent("do not charge the card again");
    const reads = fetch.callsTo("GET /crm/payment/40").length;
    // Once at once, then every 2 s for a minute.
    expect(reads).toBeGreaterThanOrEqual(29);
    expect(reads).toBeLessThanOrEqual(32);
    await wait(10_000);
    expect(fetch.callsTo("GET /crm/payment/40")).toHaveLength(reads);
  });

  it("shows what Stripe.js said when the authentication failed, then the decline the API recorded", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const challenge = deferred<{ error: { type: string; message: string } }>();
    fakeStripe.handleNextAction.mockImplementationOnce(() => challenge.promise as never);
    fetch.on("POST /crm/payment/", () => json(cardPayment({ client_secret: "pi_3Example_secret_x" }), { status: 202 }));
    fetch.on("GET /crm/payment/40", () =>
      json(
        cardPayment({
          status: "failed",
          failure_code: "payment_intent_authentication_failure",
          failure_message: "The customer did not pass 3-D Secure.",
        }),
      ),
    );
    renderModal();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await chargeForm(user);
    await user.click(screen.getByTestId("payment-customer-present"));
    await user.click(screen.getByTestId("payment-submit"));
    await screen.findByTestId("payment-authenticating");
    await act(async () =>
      challenge.resolve({
        error: { type: "invalid_request_error", message: "We are unable to authenticate your payment method." },
      }),
    );

    expect(await screen.findByTestId("payment-auth-error")).toHaveTextContent(
      "We are unable to authenticate your payment method.",
    );
    await wait(2_000);
    const declined = await screen.findByTestId("payment-declined");
    expect(declined).toHaveTextContent("The customer did not pass 3-D Secure.");
    expect(within(declined).getByTestId("payment-decline-code")).toHaveTextContent(
      "payment_intent_authentication_failure",
    );
    expect(screen.queryByTestId("payment-result")).not.toBeInTheDocument();
  });
});
