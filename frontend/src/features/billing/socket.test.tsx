import { act, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { deferred, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { BillingRun } from "./api";
import { BillingRunPage } from "./components/BillingRunPage";
import { progress, run } from "./testData";
import { io, latestSocket, resetSockets, sockets } from "@/test/socket";

vi.mock("socket.io-client", () => import("@/test/socket"));

let fetch: StubFetch;
/** What GET /crm/billing/run/5 answers right now. */
let server: BillingRun;

beforeEach(() => {
  resetSockets();
  useSession.getState().signIn(login({ permissions: ["invoice.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  server = run({ status: "queued" });
  fetch.on("GET /crm/billing/run/5", () => json(server));
  return () => vi.unstubAllGlobals();
});

const renderRun = () =>
  renderRoutes([{ path: "/billing/runs/:runId", element: <BillingRunPage /> }], "/billing/runs/5");
const bar = () => screen.getByTestId("billing-run-progress");

async function connected() {
  await waitFor(() => expect(io).toHaveBeenCalled());
  const socket = latestSocket();
  act(() => socket.serverConnect());
  await waitFor(() => expect(screen.getByTestId("billing-live")).toHaveTextContent("Live"));
  return socket;
}

describe("a billing run's live progress", () => {
  it("connects to /billing with the access token and joins the run's room on every connect", async () => {
    renderRun();
    expect(await screen.findByTestId("billing-run-status")).toHaveTextContent("Queued");
    const socket = await connected();
    expect(io).toHaveBeenCalledWith("/billing", { auth: { token: "access-1" }, transports: ["websocket"] });
    expect(socket.joins()).toEqual([{ room: "billing-run:5" }]);

    act(() => socket.serverDisconnect());
    await waitFor(() => expect(screen.getByTestId("billing-live")).toHaveTextContent("Polling"));
    act(() => socket.serverConnect());
    expect(socket.joins()).toEqual([{ room: "billing-run:5" }, { room: "billing-run:5" }]);
    expect(sockets).toHaveLength(1);
  });

  it("moves the progress bar with each billing.progress and shows the counts when done", async () => {
    renderRun();
    await screen.findByTestId("billing-run-status");
    expect(bar()).toHaveAttribute("aria-valuenow", "0");
    const socket = await connected();

    act(() => socket.serverEmit("billing.progress", progress({ status: "running", total: 4, processed: 1 })));
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "25"));
    expect(screen.getByTestId("billing-run-status")).toHaveTextContent("Running");
    expect(screen.getByTestId("billing-run-count")).toHaveTextContent("1/4 customers");

    // Another run's progress (a shared connection) is not this page's.
    act(() => socket.serverEmit("billing.progress", progress({ billing_run_id: 6, processed: 4 })));
    await new Promise((r) => setTimeout(r, 20));
    expect(bar()).toHaveAttribute("aria-valuenow", "25");

    act(() => socket.serverEmit("billing.progress", progress({ status: "running", total: 4, processed: 3 })));
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "75"));

    server = run({
      status: "done",
      total: 4,
      processed: 4,
      transactions_created: 9,
      invoices_created: 3,
      finished_at: "2026-03-01T10:01:00Z",
    });
    const reads = fetch.callsTo("GET /crm/billing/run/5").length;
    act(() =>
      socket.serverEmit(
        "billing.progress",
        progress({ status: "done", total: 4, processed: 4, transactions_created: 9, invoices_created: 3 }),
      ),
    );
    expect(await screen.findByTestId("billing-run-result")).toHaveTextContent("9 transactions and 3 invoices created.");
    expect(bar()).toHaveAttribute("aria-valuenow", "100");
    expect(screen.getByTestId("billing-run-invoices")).toHaveAttribute("href", "/invoices?billing_run_id=5");
    // Finished: the run is read once more (finished_at), and nothing polls.
    await waitFor(() => expect(fetch.callsTo("GET /crm/billing/run/5")).toHaveLength(reads + 1));
    expect(screen.queryByTestId("billing-live")).not.toBeInTheDocument();
  });

  it("reads the run again when progress arrives before the run has loaded", async () => {
    const gate = deferred();
    let reads = 0;
    fetch.on("GET /crm/billing/run/5", async () => {
      reads += 1;
      if (reads === 1) {
        const stale = run({ status: "running", total: 1, processed: 0 });
        await gate.promise; // answered after the socket has already said "done"
        return json(stale);
      }
      return json(run({ status: "done", total: 1, processed: 1, invoices_created: 1, transactions_created: 1 }));
    });
    renderRun();
    await waitFor(() => expect(io).toHaveBeenCalled());
    const socket = latestSocket();
    act(() => socket.serverConnect());
    act(() => socket.serverEmit("billing.progress", progress({ status: "done", total: 1, processed: 1 })));
    gate.resolve();
    expect(await screen.findByTestId("billing-run-result")).toHaveTextContent("1 transaction and 1 invoice created.");
    expect(reads).toBe(2);
  });

  it("shows a failed run's error", async () => {
    renderRun();
    await screen.findByTestId("billing-run-status");
    const socket = await connected();
    act(() =>
      socket.serverEmit(
        "billing.progress",
        progress({ status: "failed", error: "OperationalError: database is locked" }),
      ),
    );
    expect(await screen.findByTestId("billing-run-error")).toHaveTextContent("database is locked");
  });

  it("reconnects with the new access token after a refresh", async () => {
    renderRun();
    await screen.findByTestId("billing-run-status");
    const first = await connected();
    act(() => useSession.getState().setTokens({ token: "access-2", refresh_token: "refresh-2" }));
    await waitFor(() => expect(sockets).toHaveLength(2));
    expect(first.closed).toBe(true);
    expect(io).toHaveBeenLastCalledWith("/billing", { auth: { token: "access-2" }, transports: ["websocket"] });
    expect(screen.getByTestId("billing-live")).toHaveTextContent("Polling");
  });

  it("stays off the socket when the server refuses the join", async () => {
    renderRun();
    await screen.findByTestId("billing-run-status");
    await waitFor(() => expect(io).toHaveBeenCalled());
    const socket = latestSocket();
    socket.joinAck = () => ({ ok: false, code: "permission_denied", message: "needs invoice.read" });
    act(() => socket.serverConnect());
    expect(screen.getByTestId("billing-live")).toHaveTextContent("Polling");
  });
});

describe("polling fallback", () => {
  it("polls the run every 2 s while the socket is down and the run is not finished", async () => {
    server = run({ status: "running", total: 2, processed: 0 });
    fetch.on("GET /crm/billing/run/5", () => {
      const answer = server;
      server = run({ status: "done", total: 2, processed: 2, transactions_created: 2, invoices_created: 2 });
      return json(answer);
    });
    renderRun();
    expect(await screen.findByTestId("billing-run-status")).toHaveTextContent("Running");
    await waitFor(() => expect(screen.getByTestId("billing-run-status")).toHaveTextContent("Done"), { timeout: 3500 });
    expect(bar()).toHaveAttribute("aria-valuenow", "100");
    const polls = fetch.callsTo("GET /crm/billing/run/5").length;
    await new Promise((r) => setTimeout(r, 2300));
    // Done: the finish re-reads once at most; no more polling.
    expect(fetch.callsTo("GET /crm/billing/run/5").length).toBeLessThanOrEqual(polls + 1);
  });

  it("does not poll while the socket is live", async () => {
    server = run({ status: "running", total: 2, processed: 1 });
    renderRun();
    await screen.findByTestId("billing-run-status");
    await connected();
    const before = fetch.callsTo("GET /crm/billing/run/5").length;
    await new Promise((r) => setTimeout(r, 2300));
    expect(fetch.callsTo("GET /crm/billing/run/5")).toHaveLength(before);
  });
});
