import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { paymentKeys, type Payment } from "../api";
import { payment, paymentDetail } from "../testData";
import { RefundModal } from "./RefundModal";

let fetch: StubFetch;
const onClose = vi.fn();

beforeEach(() => {
  onClose.mockReset();
  useSession.getState().signIn(login({ permissions: ["payment.read", "payment.refund"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  return () => vi.unstubAllGlobals();
});

const renderModal = (paid: Payment = payment({ amount: "30.0000", amount_refunded: "10.5000" })) =>
  renderRoutes(<RefundModal payment={paid} onClose={onClose} />);

const refunds = () => fetch.callsTo("POST /crm/payment/31/refund");

describe("RefundModal", () => {
  it("starts at what is left, needs a reason and refuses more than is left", async () => {
    renderModal();
    const user = userEvent.setup();
    expect(await screen.findByTestId("refund-amount")).toHaveValue("19.50");
    expect(screen.getByTestId("refund-left")).toHaveTextContent("19.50 USD of 30.00 USD is left to refund");
    await user.click(screen.getByTestId("refund-submit"));
    expect(await screen.findByText("A reason is required")).toBeInTheDocument();

    await user.type(screen.getByTestId("refund-reason"), "charged twice");
    await user.clear(screen.getByTestId("refund-amount"));
    await user.type(screen.getByTestId("refund-amount"), "19.51");
    await user.click(screen.getByTestId("refund-submit"));
    expect(await screen.findByText("At most 19.50 USD is left to refund")).toBeInTheDocument();
    expect(refunds()).toHaveLength(0);
  });

  it("refunds the amount with the reason and updates the payment", async () => {
    const refunded = paymentDetail({ status: "partially_refunded", amount_refunded: "15.5000" });
    fetch.on("POST /crm/payment/31/refund", () => json(refunded));
    const { queryClient } = renderModal();
    const listed = paymentKeys.list({ customer_id: 7 });
    queryClient.setQueryData(listed, { items: [], pagination: { total: 0, total_pages: 0, page: 1 } });
    const user = userEvent.setup();
    await user.clear(await screen.findByTestId("refund-amount"));
    await user.type(screen.getByTestId("refund-amount"), "5");
    await user.type(screen.getByTestId("refund-reason"), "  goodwill ");
    await user.click(screen.getByTestId("refund-submit"));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(await refunds()[0].json()).toEqual({ amount: "5", reason: "goodwill" });
    expect(await screen.findByText("Refunded 5.00 USD of receipt RCT-2026-000031.")).toBeInTheDocument();
    expect(queryClient.getQueryData(paymentKeys.detail(31))).toEqual(refunded);
    expect(queryClient.getQueryState(listed)?.isInvalidated).toBe(true);
  });

  it("shows the API's 409 in the dialog and holds to what it says is refundable", async () => {
    fetch.on("POST /crm/payment/31/refund", () =>
      errorBody(409, "refund_exceeds_payment", "payment 31 has 4.00 left to refund, less than 19.50", {
        refundable: "4.0000",
      }),
    );
    renderModal();
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("refund-reason"), "duplicate");
    await user.click(screen.getByTestId("refund-submit"));
    expect(await screen.findByTestId("refund-error")).toHaveTextContent(
      "payment 31 has 4.00 left to refund, less than 19.50",
    );
    expect(screen.getByTestId("refund-left")).toHaveTextContent("4.00 USD of 30.00 USD is left to refund");
    expect(onClose).not.toHaveBeenCalled();

    // The next try is checked against what the API said, before anything is sent.
    await user.click(screen.getByTestId("refund-submit"));
    expect(await screen.findByText("At most 4.00 USD is left to refund")).toBeInTheDocument();
    expect(refunds()).toHaveLength(1);
  });

  it("explains a top-up whose money is already spent", async () => {
    fetch.on("POST /crm/payment/31/refund", () =>
      errorBody(409, "insufficient_balance", "the balance is 2.00, less than 19.50"),
    );
    renderModal(payment({ service_id: 21, amount_refunded: "10.5000" }));
    const user = userEvent.setup();
    expect(await screen.findByTestId("refund-left")).toHaveTextContent("taken back from the service's balance");
    await user.type(screen.getByTestId("refund-reason"), "customer left");
    await user.click(screen.getByTestId("refund-submit"));
    expect(await screen.findByTestId("refund-error")).toHaveTextContent("the balance is 2.00, less than 19.50");
    expect(onClose).not.toHaveBeenCalled();
  });
});
