import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { cardPayment, paymentDetail } from "../testData";
import { PaymentDetailPage } from "./PaymentDetailPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["payment.read", "payment.refund"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  return () => vi.unstubAllGlobals();
});

const renderPage = (id = 31) =>
  renderRoutes([{ path: "/payments/:paymentId", element: <PaymentDetailPage /> }], `/payments/${id}`);

describe("PaymentDetailPage", () => {
  it("shows a payment, where its money went and its refunds, with the receipt and Refund", async () => {
    fetch.on("GET /crm/payment/31", () =>
      json(
        paymentDetail({
          status: "partially_refunded",
          amount_refunded: "5.0000",
          refunds: [
            {
              refund_id: 2,
              amount: "5.0000",
              reason: "goodwill",
              gateway_reference: null,
              created_at: "2026-03-11T10:00:00Z",
              created_by_user_id: 1,
            },
          ],
        }),
      ),
    );
    renderPage();
    expect(await screen.findByTestId("payment-status")).toHaveTextContent("Partially refunded");
    expect(screen.getByTestId("payment-customer")).toHaveAttribute("href", "/customers/7?tab=billing");
    expect(screen.getByTestId("payment-page-amount")).toHaveTextContent("30.00 USD");
    expect(screen.getByTestId("payment-page-receipt-number")).toHaveTextContent("RCT-2026-000031");
    expect(screen.getByTestId("payment-allocation")).toHaveTextContent("INV-2026-000055");
    expect(within(screen.getByTestId("payment-refunds")).getByTestId("payment-refund-row")).toHaveTextContent(
      "goodwill",
    );
    expect(screen.getByTestId("payment-page-receipt")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByTestId("payment-page-refund"));
    expect(await screen.findByTestId("refund-amount")).toHaveValue("25.00");
  });

  it("shows why a card payment failed, with no receipt, nothing applied and no Refund", async () => {
    fetch.on("GET /crm/payment/40", () =>
      json(
        cardPayment({
          status: "failed",
          failure_code: "insufficient_funds",
          failure_message: "Your card has insufficient funds.",
        }),
      ),
    );
    renderPage(40);
    expect(await screen.findByTestId("payment-status")).toHaveTextContent("Failed");
    expect(screen.getByTestId("payment-page-failure")).toHaveTextContent(
      "Your card has insufficient funds. (insufficient_funds)",
    );
    expect(screen.getByTestId("payment-page-receipt-number")).toHaveTextContent("None");
    expect(screen.getByTestId("payment-not-applied")).toBeInTheDocument();
    expect(screen.queryByTestId("payment-page-receipt")).not.toBeInTheDocument();
    expect(screen.queryByTestId("payment-page-refund")).not.toBeInTheDocument();
  });
});
