import { act, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { ProvisionDetail } from "./api";
import { ProvisionJobPage } from "./components/ProvisionJobPage";
import { job } from "@/test/provisioning";
import { event, liveEvent, liveStatus } from "./testData";
import { io, latestSocket, resetSockets, sockets } from "@/test/socket";

vi.mock("socket.io-client", () => import("@/test/socket"));

let fetch: StubFetch;
/** What the server would answer to GET /crm/provision/9 right now. */
let server: ProvisionDetail;

beforeEach(() => {
  resetSockets();
  useSession.getState().signIn(login({ permissions: ["provision.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  server = job({ provisioning_status: 4, events: [] });
  fetch.on("GET /crm/provision/9", () => json(server));
  fetch.on("GET /crm/provision/9/events", () => json([]));
  return () => vi.unstubAllGlobals();
});

const renderJob = () =>
  renderRoutes([{ path: "/provisioning/:provisionId", element: <ProvisionJobPage /> }], "/provisioning/9");

const rows = () =>
  screen.queryAllByTestId("provision-event-row").map((r) => `${r.dataset.eventNumber}:${r.dataset.status}`);

async function connected() {
  await waitFor(() => expect(io).toHaveBeenCalled());
  const socket = latestSocket();
  act(() => socket.serverConnect());
  await waitFor(() => expect(screen.getByTestId("provision-live")).toHaveTextContent("Live"));
  return socket;
}

describe("useProvisionSocket on the job page", () => {
  it("connects to /provision over websocket with the access token and joins the job room on every connect", async () => {
    renderJob();
    await screen.findByTestId("provision-status");
    const socket = await connected();
    expect(io).toHaveBeenCalledWith("/provision", { auth: { token: "access-1" }, transports: ["websocket"] });
    expect(socket.joins()).toEqual([{ room: "provision:9" }]);

    act(() => socket.serverDisconnect());
    await waitFor(() => expect(screen.getByTestId("provision-live")).toHaveTextContent("Offline"));
    act(() => socket.serverConnect());
    expect(socket.joins()).toEqual([{ room: "provision:9" }, { room: "provision:9" }]);
    expect(sockets).toHaveLength(1);
  });

  it("reconnects with the new access token after a refresh", async () => {
    renderJob();
    await screen.findByTestId("provision-status");
    const first = await connected();
    act(() => useSession.getState().setTokens({ token: "access-2", refresh_token: "refresh-2" }));
    await waitFor(() => expect(sockets).toHaveLength(2));
    expect(first.closed).toBe(true);
    expect(io).toHaveBeenLastCalledWith("/provision", { auth: { token: "access-2" }, transports: ["websocket"] });
    // The new connection is not live until it has joined.
    expect(screen.getByTestId("provision-live")).toHaveTextContent("Offline");
    act(() => latestSocket().serverConnect());
    expect(latestSocket().joins()).toEqual([{ room: "provision:9" }]);
    await waitFor(() => expect(screen.getByTestId("provision-live")).toHaveTextContent("Live"));
  });

  it("merges replayed and live events without duplicates, in order, until the job succeeds", async () => {
    renderJob();
    expect(await screen.findByTestId("provision-status")).toHaveTextContent("Queued");
    const socket = await connected();

    // The replay on join: the events so far, then the current status.
    act(() => {
      socket.serverEmit("provision.event", liveEvent(1));
      socket.serverEmit("provision.event", liveEvent(2));
      socket.serverEmit("provision.status", liveStatus(1, { tasks_done: 2 }));
    });
    // The cache notifies on the next tick: wait for the render.
    await waitFor(() => expect(screen.getByTestId("provision-status")).toHaveTextContent("Running"));
    expect(rows()).toEqual(["1:Success", "2:Success"]);
    expect(screen.getByTestId("provision-progress")).toHaveAttribute("aria-valuenow", "50");

    // Live: event 2 again (it was also published live), then 4 before 3, then 1 again.
    act(() => {
      socket.serverEmit("provision.event", liveEvent(2));
      socket.serverEmit("provision.event", liveEvent(4, { provisioning_status: 3, tasks_done: 4 }));
      socket.serverEmit("provision.event", liveEvent(3, { tasks_done: 3 }));
      socket.serverEmit("provision.event", liveEvent(1));
    });
    await waitFor(() => expect(rows()).toEqual(["1:Success", "2:Success", "3:Success", "4:Failed (ignored)"]));

    // Events of another job (a shared connection) are not this page's.
    act(() => socket.serverEmit("provision.event", liveEvent(5, { provision_id: 10, provision_event_id: 999 })));
    await new Promise((r) => setTimeout(r, 20));
    expect(rows()).toHaveLength(4);

    server = job({
      provisioning_status: 0,
      tasks_done: 4,
      finished_at: "2025-03-01T10:01:00Z",
      events: [1, 2, 3, 4].map((n) => event(n, n === 4 ? { provisioning_status: 3 } : {})),
    });
    act(() => socket.serverEmit("provision.status", liveStatus(0)));
    await waitFor(() => expect(screen.getByTestId("provision-status")).toHaveTextContent("Success"));
    expect(screen.getByTestId("provision-progress")).toHaveAttribute("aria-valuenow", "100");
    // The final status re-reads the job once (finished_at, config); the rows stay.
    await waitFor(() => expect(fetch.callsTo("GET /crm/provision/9")).toHaveLength(2));
    expect(rows()).toEqual(["1:Success", "2:Success", "3:Success", "4:Failed (ignored)"]);
    expect(fetch.callsTo("GET /crm/provision/9/events")).toHaveLength(0);
  });

  it("stays offline when the server refuses the join", async () => {
    renderJob();
    await screen.findByTestId("provision-status");
    await waitFor(() => expect(io).toHaveBeenCalled());
    const socket = latestSocket();
    socket.joinAck = () => ({ ok: false, code: "permission_denied", message: "needs provision.read" });
    act(() => socket.serverConnect());
    expect(screen.getByTestId("provision-live")).toHaveTextContent("Offline");
  });
});

describe("polling fallback", () => {
  it("polls events?after=N every 2 s while the socket is not connected", async () => {
    server = job({ provisioning_status: 1, tasks_done: 1, events: [event(1)] });
    fetch.on("GET /crm/provision/9/events", () => {
      server = { ...server, tasks_done: 2, events: [event(1), event(2)] };
      return json([event(2)]);
    });
    renderJob();
    expect(await screen.findByTestId("provision-status")).toHaveTextContent("Running");
    expect(rows()).toEqual(["1:Success"]);

    await waitFor(() => expect(rows()).toEqual(["1:Success", "2:Success"]), { timeout: 3500 });
    const polled = fetch.callsTo("GET /crm/provision/9/events");
    expect(new URL(polled[0].url).searchParams.get("after")).toBe("1");
    await waitFor(() => expect(screen.getByTestId("provision-progress")).toHaveAttribute("aria-valuenow", "50"));
  });

  it("stops polling once the socket is connected", async () => {
    server = job({ provisioning_status: 1, events: [event(1)] });
    renderJob();
    await screen.findByTestId("provision-status");
    await connected();
    await new Promise((r) => setTimeout(r, 2300));
    expect(fetch.callsTo("GET /crm/provision/9/events")).toHaveLength(0);
  });
});
