import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { notifications } from "@mantine/notifications";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { listJob } from "@/test/provisioning";
import { dashboard, event, liveEvent, liveStatus, threshold } from "../testData";
import { io, latestSocket, resetSockets } from "@/test/socket";
import { ProvisioningDashboard } from "./ProvisioningDashboard";

vi.mock("socket.io-client", () => import("@/test/socket"));

let fetch: StubFetch;

beforeEach(() => {
  resetSockets();
  useSession.getState().signIn(login({ permissions: ["provision.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/provision/dashboard", () => json(dashboard()));
  fetch.on("GET /crm/provision/events", () => json([]));
  fetch.on("GET /crm/provision/", () =>
    json(
      [
        listJob({ provision_id: 12, provisioning_status: 1, tasks_done: 1 }),
        listJob({ provision_id: 11, provisioning_status: 2, service_id: null }),
      ],
      { headers: { "X-Pagination": JSON.stringify({ total: 2, total_pages: 1, page: 1 }) } },
    ),
  );
  return () => vi.unstubAllGlobals();
});

const renderDashboard = (path = "/provisioning") =>
  renderRoutes(
    [
      { path: "/provisioning", element: <ProvisioningDashboard /> },
      { path: "/provisioning/:provisionId", element: <div data-testid="job-page" /> },
      { path: "/services/:serviceId", element: <div data-testid="service-page" /> },
    ],
    path,
  );

describe("ProvisioningDashboard", () => {
  it("shows the counts, the success-rate chart and the recent jobs", async () => {
    renderDashboard();
    expect(await screen.findByTestId("provision-count-running")).toHaveTextContent("2");
    expect(screen.getByTestId("provision-count-queued")).toHaveTextContent("5");
    expect(screen.getByTestId("provision-count-failed")).toHaveTextContent("3");
    expect(screen.getByTestId("provision-count-success")).toHaveTextContent("40");
    expect(screen.getByTestId("provision-dashboard")).toBeInTheDocument();

    const chart = screen.getByTestId("provision-rate-chart");
    expect(chart.querySelectorAll("rect[data-rate]")).toHaveLength(2); // the idle hour is a tick
    expect(within(chart).getByTestId("provision-rate-overall")).toHaveTextContent("89% success"); // 16 / 18
    expect(dashboardQuery()).toBe("24");

    const table = await screen.findByTestId("provision-jobs-table");
    const rows = within(table).getAllByTestId("provision-job-row");
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByRole("link", { name: "#12" })).toHaveAttribute("href", "/provisioning/12");
    expect(within(rows[0]).getByText("Running")).toBeInTheDocument();
    expect(within(rows[1]).getByText("Failed")).toBeInTheDocument();
  });

  it("starts the feed with the latest task results, then puts live ones on top (once)", async () => {
    fetch.on("GET /crm/provision/events", () =>
      json([event(2, { event_name: "Write subscriber" }), event(1, { event_name: "Check inputs" })]),
    );
    renderDashboard();
    await waitFor(() => expect(screen.getAllByTestId("provision-feed-item")).toHaveLength(2));
    expect(new URL(fetch.callsTo("GET /crm/provision/events")[0].url).searchParams.get("limit")).toBe("50");
    await waitFor(() => expect(io).toHaveBeenCalled());
    const socket = latestSocket();
    act(() => socket.serverConnect());
    act(() => {
      socket.serverEmit("provision.event", liveEvent(3, { event_name: "Notify" }));
      socket.serverEmit("provision.event", liveEvent(2, { event_name: "Write subscriber" })); // already shown
    });
    const names = screen.getAllByTestId("provision-feed-item").map((i) => i.textContent ?? "");
    expect(names).toHaveLength(3);
    expect(names[0]).toContain("Notify");
    expect(names[1]).toContain("Write subscriber");
    expect(names[2]).toContain("Check inputs");
  });

  it("filters the recent jobs by status (repeated provisioning_status)", async () => {
    renderDashboard("/provisioning?status=2,5");
    await screen.findByTestId("provision-jobs-table");
    const url = new URL(fetch.callsTo("GET /crm/provision/").at(-1)!.url);
    expect(url.searchParams.getAll("provisioning_status")).toEqual(["2", "5"]);
  });

  it("joins the dashboard room, feeds live task results (deduplicated) and refreshes on status", async () => {
    renderDashboard();
    await screen.findByTestId("provision-count-running");
    await waitFor(() => expect(io).toHaveBeenCalled());
    const socket = latestSocket();
    act(() => socket.serverConnect());
    expect(socket.joins()).toEqual([{ room: "dashboard" }]);
    expect(screen.getByTestId("provision-feed")).toHaveTextContent("Waiting for task results");

    act(() => {
      socket.serverEmit("provision.event", liveEvent(1, { event_name: "Attach SIM" }));
      socket.serverEmit("provision.event", liveEvent(2, { event_name: "Set APN", provisioning_status: 2 }));
      socket.serverEmit("provision.event", liveEvent(1, { event_name: "Attach SIM" }));
    });
    const items = screen.getAllByTestId("provision-feed-item");
    expect(items.map((i) => [i.textContent?.includes("#9"), i.dataset.status])).toEqual([
      [true, "Failed"],
      [true, "Success"],
    ]);
    expect(items[0]).toHaveTextContent("Set APN");

    const before = fetch.callsTo("GET /crm/provision/dashboard").length;
    fetch.on("GET /crm/provision/dashboard", () =>
      json(dashboard({ counts: { success: 41, running: 1, failed: 3, failed_ignored: 0, queued: 5, cancelled: 1 } })),
    );
    act(() => {
      socket.serverEmit("provision.status", liveStatus(1));
      socket.serverEmit("provision.status", liveStatus(0));
    });
    await waitFor(() => expect(screen.getByTestId("provision-count-success")).toHaveTextContent("41"));
    // Debounced: one refetch for the burst.
    expect(fetch.callsTo("GET /crm/provision/dashboard")).toHaveLength(before + 1);
  });

  it("opens a job from the feed", async () => {
    renderDashboard();
    await screen.findByTestId("provision-count-running");
    await waitFor(() => expect(io).toHaveBeenCalled());
    act(() => {
      latestSocket().serverConnect();
      latestSocket().serverEmit("provision.event", liveEvent(1));
    });
    const user = userEvent.setup();
    await user.click(within(screen.getByTestId("provision-feed-item")).getByRole("link", { name: "#9" }));
    expect(await screen.findByTestId("job-page")).toBeInTheDocument();
  });
});

describe("charging alerts on the dashboard", () => {
  beforeEach(() => notifications.clean());

  async function connectedDashboard() {
    const view = renderDashboard();
    await screen.findByTestId("provision-count-running");
    await waitFor(() => expect(io).toHaveBeenCalled());
    const socket = latestSocket();
    act(() => socket.serverConnect());
    return { view, socket };
  }

  const listed = () => screen.queryAllByTestId("charging-alert-item").map((i) => i.textContent ?? "");

  it("toasts a charging.threshold and keeps it in the list, newest first", async () => {
    const { socket } = await connectedDashboard();
    expect(screen.getByTestId("charging-alerts")).toHaveTextContent("No charging alerts");

    act(() => socket.serverEmit("charging.threshold", threshold()));
    const toast = await screen.findByTestId("charging-toast");
    expect(toast).toHaveTextContent("Service 42: 80% of data used (100 MB left)");
    expect(listed()).toHaveLength(1);
    expect(listed()[0]).toContain("Service 42");
    expect(listed()[0]).toContain("80% of data used (100 MB left)");

    act(() =>
      socket.serverEmit(
        "charging.threshold",
        threshold({
          service_id: 43,
          threshold: "monetary:below",
          balance_type: "monetary",
          percent_used: null,
          below: "5.0000",
          value: "4.0000",
        }),
      ),
    );
    await waitFor(() =>
      expect(screen.getAllByTestId("charging-toast").map((t) => t.textContent)).toContainEqual(
        expect.stringContaining("Service 43: money 4.00 below 5.00"),
      ),
    );
    expect(listed()[0]).toContain("money 4.00 below 5.00");
    expect(listed()[1]).toContain("80% of data used");
    expect(
      within(screen.getAllByTestId("charging-alert-item")[0]).getByRole("link", { name: "Service 43" }),
    ).toHaveAttribute("href", "/services/43");
  });

  it("keeps only the latest 10 alerts", async () => {
    const { socket } = await connectedDashboard();
    act(() => {
      for (let n = 1; n <= 12; n++) socket.serverEmit("charging.threshold", threshold({ service_id: n }));
    });
    const items = listed();
    expect(items).toHaveLength(10);
    expect(items[0]).toContain("Service 12");
    expect(items[9]).toContain("Service 3");
  });

  it("opens the service page from the toast", async () => {
    const { socket } = await connectedDashboard();
    act(() => socket.serverEmit("charging.threshold", threshold()));
    const toast = await screen.findByTestId("charging-toast");
    const user = userEvent.setup();
    await user.click(within(toast).getByRole("button", { name: "Open service" }));
    expect(await screen.findByTestId("service-page")).toBeInTheDocument();
  });

  it("removes the charging.threshold listener (and closes the socket) on unmount", async () => {
    const { view, socket } = await connectedDashboard();
    expect(socket.listenerCount("charging.threshold")).toBe(1);
    view.unmount();
    expect(socket.listenerCount("charging.threshold")).toBe(0);
    expect(socket.closed).toBe(true);
    expect(io).toHaveBeenCalledTimes(1); // the dashboard's one connection, no second one
  });
});

function dashboardQuery() {
  return new URL(fetch.callsTo("GET /crm/provision/dashboard")[0].url).searchParams.get("hours");
}
