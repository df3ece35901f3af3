import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { page, reconciliation } from "../testData";
import { ReconciliationsPage } from "./ReconciliationsPage";

let fetch: StubFetch;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(2026, 3, 4, 12, 0)); // 4 April 2026, local
  useSession.getState().signIn(login({ permissions: ["payment.read", "payment.reconcile"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/payment/reconciliation/", () =>
    page([
      reconciliation({ reconciliation_id: 13, status: "running", gateway_records: 12, matched: 0, mismatches: 0 }),
      reconciliation(),
    ]),
  );
  fetch.on("POST /crm/payment/reconciliation/", async (r) =>
    json(reconciliation({ reconciliation_id: 14, status: "queued", ...(await r.json()) }), { status: 202 }),
  );
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const renderPage = () =>
  renderRoutes(
    [
      { path: "/payments/reconciliation", element: <ReconciliationsPage /> },
      { path: "/payments/reconciliation/:reconciliationId", element: <p>run page</p> },
    ],
    "/payments/reconciliation",
  );

describe("ReconciliationsPage", () => {
  it("lists the runs, newest first, with their status and counts", async () => {
    renderPage();
    const [running, done] = await screen.findAllByTestId("reconciliation-row");
    expect(within(running).getByTestId("reconciliation-status")).toHaveTextContent("Running");
    expect(within(running).getByRole("link", { name: "#13" })).toHaveAttribute("href", "/payments/reconciliation/13");
    expect(within(done).getByTestId("reconciliation-status")).toHaveTextContent("Done");
    const cells = within(done)
      .getAllByRole("cell")
      .map((c) => c.textContent);
    // Charges read, payments checked, matched, mismatches, resolved.
    expect(cells.slice(3, 8)).toEqual(["40", "41", "38", "2", "1"]);
    expect(within(done).getByTestId("reconciliation-period")).toHaveTextContent("2026");
  });

  it("runs a reconciliation over the last 7 days by default, then opens it", async () => {
    const { router } = renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("reconciliation-new"));
    expect(await screen.findByTestId("reconciliation-first")).toHaveValue("2026-03-29");
    expect(screen.getByTestId("reconciliation-last")).toHaveValue("2026-04-04");
    await user.click(screen.getByTestId("reconciliation-submit"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/payments/reconciliation/14"));
    expect(await fetch.callsTo("POST /crm/payment/reconciliation/")[0].json()).toEqual({
      period_start: new Date(2026, 2, 29).toISOString(),
      period_end: new Date(2026, 3, 5).toISOString(),
    });
  });

  it("refuses a reversed period or one over 92 days before sending, and shows the API's refusal", async () => {
    fetch.on("POST /crm/payment/reconciliation/", () =>
      errorBody(409, "gateway_not_configured", "no Stripe account is configured"),
    );
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("reconciliation-new"));
    const first = await screen.findByTestId("reconciliation-first");
    const last = screen.getByTestId("reconciliation-last");

    await user.clear(first);
    await user.type(first, "2026-04-05");
    await user.click(screen.getByTestId("reconciliation-submit"));
    expect(await screen.findByText("The last day comes after the first")).toBeInTheDocument();

    await user.clear(first);
    await user.type(first, "2026-01-01");
    await user.click(screen.getByTestId("reconciliation-submit"));
    expect(await screen.findByText("At most 92 days")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/payment/reconciliation/")).toHaveLength(0);

    await user.clear(last);
    await user.type(last, "2026-03-31");
    await user.click(screen.getByTestId("reconciliation-submit"));
    expect(await screen.findByTestId("reconciliation-form-error")).toHaveTextContent("no Stripe account is configured");
  });

  it("says when there is no run yet", async () => {
    fetch.on("GET /crm/payment/reconciliation/", () => page([]));
    renderPage();
    expect(await screen.findByText("No reconciliation runs yet")).toBeInTheDocument();
  });
});
