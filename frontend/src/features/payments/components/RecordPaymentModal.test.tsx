import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { service } from "@/test/services";
import { paymentKeys } from "../api";
import { invoice, page, paymentDetail } from "../testData";
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
