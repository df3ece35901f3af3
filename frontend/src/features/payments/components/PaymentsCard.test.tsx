import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { cardPayment, page, payment, paymentDetail } from "../testData";
import { PaymentsCard } from "./PaymentsCard";

let fetch: StubFetch;

/** 31 settled two invoices and left credit; 32 topped up a service; 33 is refunded in full. */
const settled = paymentDetail({
  payment_id: 31,
  amount: "40.0000",
  credit: "6.0120",
  allocations: [
    { invoice_id: 54, invoice_number: "INV-2026-000054", amount: "10.0000" },
    { invoice_id: 55, invoice_number: "INV-2026-000055", amount: "23.9880" },
  ],
});
const topUp = payment({
  payment_id: 32,
  receipt_number: "RCT-2026-000032",
  service_id: 21,
  credit: "0.0000",
  method: "cash",
});
const refunded = paymentDetail({
  payment_id: 33,
  receipt_number: "RCT-2026-000033",
  status: "refunded",
  amount: "5.0000",
  amount_refunded: "5.0000",
  credit: "0.0000",
  allocations: [],
});

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["payment.read", "payment.refund"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  const { allocations: _a, refunds: _r, ...settledRow } = settled;
  const { allocations: _b, refunds: _s, ...refundedRow } = refunded;
  fetch.on("GET /crm/payment/", () => page([settledRow, topUp, refundedRow]));
  fetch.on("GET /crm/payment/31", () => json(settled));
  fetch.on("GET /crm/payment/33", () => json(refunded));
  return () => vi.unstubAllGlobals();
});

afterEach(() => vi.restoreAllMocks());

const renderCard = () => renderRoutes(<PaymentsCard customerId={7} />);
const rowOf = (id: number) => screen.getAllByTestId("payment-row").find((r) => r.dataset.paymentId === String(id))!;

describe("PaymentsCard", () => {
  it("lists the customer's payments with where each went", async () => {
    renderCard();
    await screen.findAllByTestId("payment-row");
    expect(new URL(fetch.callsTo("GET /crm/payment/")[0].url).searchParams.get("customer_id")).toBe("7");

    const row = rowOf(31);
    expect(within(row).getByTestId("payment-receipt-number")).toHaveTextContent("RCT-2026-000031");
    expect(row).toHaveTextContent("Card");
    expect(within(row).getByTestId("payment-amount")).toHaveTextContent("40.00 USD");
    expect(within(row).getByTestId("payment-refunded")).toHaveTextContent("0.00 USD");
    expect(within(row).getByTestId("payment-status")).toHaveTextContent("Succeeded");
    const allocations = await within(row).findAllByTestId("payment-allocation");
    expect(allocations).toHaveLength(2);
    expect(allocations[0]).toHaveTextContent("INV-2026-000054");
    expect(allocations[0]).toHaveTextContent("10.00 USD");
    expect(allocations[1]).toHaveTextContent("INV-2026-000055");
    expect(allocations[1]).toHaveTextContent("23.988 USD");
    expect(within(allocations[1]).getByRole("link")).toHaveAttribute("href", "/invoices/55");
    expect(within(row).getByTestId("payment-credit")).toHaveTextContent("Credit 6.012 USD");

    // A top-up went to a service: no detail to read for it.
    expect(within(rowOf(32)).getByTestId("payment-topup")).toHaveTextContent("Top-up of service #21");
    expect(within(rowOf(32)).getByRole("link")).toHaveAttribute("href", "/services/21");
    expect(fetch.callsTo("GET /crm/payment/32")).toHaveLength(0);

    expect(within(rowOf(33)).getByTestId("payment-status")).toHaveTextContent("Refunded");
    expect(within(rowOf(33)).getByTestId("payment-refunded")).toHaveTextContent("5.00 USD");
  });

  it("offers Refund only with payment.refund and only while something is left", async () => {
    renderCard();
    await screen.findAllByTestId("payment-row");
    expect(within(rowOf(31)).getByTestId("payment-refund")).toBeInTheDocument();
    expect(within(rowOf(32)).getByTestId("payment-refund")).toBeInTheDocument();
    expect(within(rowOf(33)).queryByTestId("payment-refund")).not.toBeInTheDocument();

    await userEvent.setup().click(within(rowOf(31)).getByTestId("payment-refund"));
    expect(await screen.findByTestId("refund-amount")).toHaveValue("40.00");
  });

  it("hides Refund without payment.refund", async () => {
    useSession.setState({ permissions: ["payment.read"] });
    renderCard();
    await screen.findAllByTestId("payment-row");
    await within(rowOf(31)).findAllByTestId("payment-allocation");
    expect(screen.queryByTestId("payment-refund")).not.toBeInTheDocument();
    expect(screen.getAllByTestId("payment-row-receipt")).toHaveLength(3);
  });

  it("refunds from the row and reads the payments again", async () => {
    fetch.on("POST /crm/payment/31/refund", () =>
      json({ ...settled, status: "partially_refunded", amount_refunded: "6.0120" }),
    );
    renderCard();
    await screen.findAllByTestId("payment-row");
    const user = userEvent.setup();
    await user.click(within(rowOf(31)).getByTestId("payment-refund"));
    await user.clear(await screen.findByTestId("refund-amount"));
    await user.type(screen.getByTestId("refund-amount"), "6.012");
    await user.type(screen.getByTestId("refund-reason"), "credit not wanted");
    const listed = fetch.callsTo("GET /crm/payment/").length;
    await user.click(screen.getByTestId("refund-submit"));

    await waitFor(() => expect(screen.queryByTestId("refund-form")).not.toBeInTheDocument());
    expect(await fetch.callsTo("POST /crm/payment/31/refund")[0].json()).toEqual({
      amount: "6.012",
      reason: "credit not wanted",
    });
    await waitFor(() => expect(fetch.callsTo("GET /crm/payment/").length).toBeGreaterThan(listed));
  });

  it("downloads the receipt with the bearer token under the server's file name", async () => {
    fetch.on(
      "GET /crm/payment/31/receipt",
      () =>
        new Response("%PDF-1.4 RCT-2026-000031", {
          headers: {
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="RCT-2026-000031.pdf"',
          },
        }),
    );
    const createObjectURL = vi.fn<(blob: Blob) => string>(() => "blob:pdf");
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderCard();
    await screen.findAllByTestId("payment-row");
    await userEvent.setup().click(within(rowOf(31)).getByTestId("payment-row-receipt"));

    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    expect(await createObjectURL.mock.calls[0][0].text()).toBe("%PDF-1.4 RCT-2026-000031");
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("RCT-2026-000031.pdf");
    expect(fetch.callsTo("GET /crm/payment/31/receipt")[0].headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("shows a card payment's status: declined in red with its code, waiting ones in amber, no receipt until paid", async () => {
    const { allocations: _a, refunds: _r, client_secret: _c, ...waiting } = cardPayment({ payment_id: 40 });
    const rows = [
      { ...waiting, payment_id: 40 },
      {
        ...waiting,
        payment_id: 41,
        status: "failed" as const,
        failure_code: "insufficient_funds",
        failure_message: "Your card has insufficient funds.",
      },
      { ...waiting, payment_id: 42, status: "unknown" as const, failure_code: null },
      { ...waiting, payment_id: 43, status: "pending" as const, failure_code: null },
    ];
    fetch.on("GET /crm/payment/", () => page(rows));
    renderCard();
    await screen.findAllByTestId("payment-row");

    const failed = rowOf(41);
    expect(within(failed).getByTestId("payment-status")).toHaveTextContent("Failed");
    expect(within(failed).getByTestId("payment-status")).toHaveAttribute("data-status", "failed");
    expect(within(failed).getByTestId("payment-failure")).toHaveTextContent("insufficient_funds");
    expect(within(failed).getByTestId("payment-not-applied")).toHaveTextContent("declined");
    expect(within(failed).getByTestId("payment-row-method")).toHaveTextContent("Card · Stripe");

    expect(within(rowOf(40)).getByTestId("payment-status")).toHaveTextContent("Needs authentication");
    expect(within(rowOf(40)).getByTestId("payment-failure")).toHaveTextContent("authentication_required");
    expect(within(rowOf(42)).getByTestId("payment-status")).toHaveTextContent("Unknown");
    expect(within(rowOf(43)).getByTestId("payment-status")).toHaveTextContent("Pending");
    for (const id of [40, 41, 42, 43]) {
      const row = rowOf(id);
      // No receipt and nothing to refund before the money is in; the details are not read.
      expect(within(row).getByTestId("payment-receipt-number")).toHaveTextContent("—");
      expect(within(row).queryByTestId("payment-row-receipt")).not.toBeInTheDocument();
      expect(within(row).queryByTestId("payment-refund")).not.toBeInTheDocument();
      expect(fetch.callsTo(`GET /crm/payment/${id}`)).toHaveLength(0);
    }
  });

  it("offers the new statuses in the filter", async () => {
    renderCard();
    await screen.findAllByTestId("payment-row");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("payments-filter-status"));
    await user.click(await screen.findByRole("option", { name: "Failed", hidden: true }));
    await waitFor(() =>
      expect(new URL(fetch.callsTo("GET /crm/payment/").at(-1)!.url).searchParams.get("status")).toBe("failed"),
    );
  });
});
