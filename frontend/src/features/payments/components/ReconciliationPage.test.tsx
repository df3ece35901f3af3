import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { ReconciliationDetail } from "../api";
import { reconciliationDetail, reconciliationItem } from "../testData";
import { ReconciliationPage } from "./ReconciliationPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["payment.read", "payment.reconcile"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const renderPage = () =>
  renderRoutes(
    [{ path: "/payments/reconciliation/:reconciliationId", element: <ReconciliationPage /> }],
    "/payments/reconciliation/12",
  );

const reads = () => fetch.callsTo("GET /crm/payment/reconciliation/12");

describe("ReconciliationPage", () => {
  it("shows the run's counts and its findings, each with a human label and the payment", async () => {
    fetch.on("GET /crm/payment/reconciliation/12", () =>
      json(
        reconciliationDetail({
          items: [
            reconciliationItem(),
            reconciliationItem({
              item_id: 2,
              kind: "missing_here",
              payment_id: null,
              gateway_reference: "pi_3Lost",
              our_amount: null,
              our_status: null,
              gateway_amount: "12.5000",
              gateway_status: "succeeded",
              detail: "Stripe took 12.50 that no payment of ours records",
            }),
            reconciliationItem({
              item_id: 3,
              kind: "resolved",
              payment_id: 44,
              our_status: "unknown",
              gateway_status: "succeeded",
              detail: "settled from Stripe: succeeded",
            }),
          ],
        }),
      ),
    );
    renderPage();
    expect(await screen.findByTestId("reconciliation-status")).toHaveTextContent("Done");
    expect(screen.getByText(/Reconciliation #12/)).toBeInTheDocument();
    expect(screen.getByTestId("reconciliation-gateway-records")).toHaveTextContent("40");
    expect(screen.getByTestId("reconciliation-payments-checked")).toHaveTextContent("41");
    expect(screen.getByTestId("reconciliation-matched")).toHaveTextContent("38");
    expect(screen.getByTestId("reconciliation-mismatches")).toHaveTextContent("2");
    expect(screen.getByTestId("reconciliation-resolved")).toHaveTextContent("1");

    const [amount, missing, resolved] = screen.getAllByTestId("reconciliation-item");
    expect(within(amount).getByTestId("reconciliation-kind")).toHaveTextContent("Amount differs");
    expect(within(amount).getByRole("link", { name: "#31" })).toHaveAttribute("href", "/payments/31");
    expect(within(amount).getByTestId("reconciliation-ours")).toHaveTextContent("30.00");
    expect(within(amount).getByTestId("reconciliation-theirs")).toHaveTextContent("25.00");
    expect(within(amount).getByTestId("reconciliation-detail")).toHaveTextContent(
      "Stripe charged 25.00, we recorded 30.00",
    );

    expect(within(missing).getByTestId("reconciliation-kind")).toHaveTextContent("Charge not recorded here");
    expect(within(missing).queryByRole("link")).not.toBeInTheDocument();
    expect(within(missing).getByTestId("reconciliation-ours")).toHaveTextContent("—");
    expect(within(missing).getByTestId("reconciliation-theirs")).toHaveTextContent("12.50");
    expect(missing).toHaveTextContent("pi_3Lost");

    expect(within(resolved).getByTestId("reconciliation-kind")).toHaveTextContent("Settled from Stripe");
    expect(within(resolved).getByTestId("reconciliation-ours")).toHaveTextContent("unknown");
    expect(screen.queryByTestId("reconciliation-moving")).not.toBeInTheDocument();
  });

  it("reads a queued or running run again every 2 s until it is done", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const answers: ReconciliationDetail[] = [
      reconciliationDetail({ status: "queued", gateway_records: 0, matched: 0, mismatches: 0, resolved: 0, items: [] }),
      reconciliationDetail({
        status: "running",
        gateway_records: 25,
        matched: 0,
        mismatches: 0,
        resolved: 0,
        items: [],
      }),
      reconciliationDetail({ items: [] }),
    ];
    fetch.on("GET /crm/payment/reconciliation/12", () => json(answers[Math.min(reads().length, answers.length) - 1]));
    renderPage();
    expect(await screen.findByTestId("reconciliation-moving")).toHaveTextContent("Waiting for a worker");
    expect(screen.getByText("Nothing found yet")).toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    await waitFor(() => expect(screen.getByTestId("reconciliation-status")).toHaveTextContent("Running"));
    expect(screen.getByTestId("reconciliation-moving")).toHaveTextContent("Comparing");
    expect(screen.getByTestId("reconciliation-gateway-records")).toHaveTextContent("25");

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    await waitFor(() => expect(screen.getByTestId("reconciliation-status")).toHaveTextContent("Done"));
    expect(screen.queryByTestId("reconciliation-moving")).not.toBeInTheDocument();
    expect(screen.getByTestId("reconciliation-clean")).toHaveTextContent("Everything matches");
    expect(reads()).toHaveLength(3);

    await act(() => vi.advanceTimersByTimeAsync(6_000));
    expect(reads()).toHaveLength(3);
  });

  it("shows why a run failed", async () => {
    fetch.on("GET /crm/payment/reconciliation/12", () =>
      json(reconciliationDetail({ status: "failed", error: "Stripe refused our key", items: [] })),
    );
    renderPage();
    expect(await screen.findByTestId("reconciliation-error")).toHaveTextContent("Stripe refused our key");
    expect(screen.getByTestId("reconciliation-status")).toHaveTextContent("Failed");
  });
});
