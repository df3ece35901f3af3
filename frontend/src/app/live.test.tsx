import { QueryClientProvider } from "@tanstack/react-query";
import { act, render, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { provisionKeys } from "@/features/provisioning";
import { serviceKeys } from "@/features/services";
import { createQueryClient } from "@/lib/queryClient";
import { login } from "@/test/fixtures";
import { job } from "@/test/provisioning";
import { io, resetSockets, sockets, type FakeSocket } from "@/test/socket";
import { LIVE_NAMESPACE, LiveUpdates } from "./live";

vi.mock("socket.io-client", () => import("@/test/socket"));

beforeEach(() => {
  resetSockets();
  useSession.getState().signIn(login({ permissions: ["service.read", "contract.read", "provision.read"] }));
});

/** The hook mounted over a query cache holding a contract, a service and two job lists. */
function mount() {
  const queryClient = createQueryClient();
  const seed = (key: readonly unknown[], data: unknown) => queryClient.setQueryData(key, data);
  seed(["contracts", "detail", 5], { contract_id: 5 });
  seed(["contracts", "list", {}], { items: [] });
  seed(serviceKeys.detail(21), { service_id: 21 });
  seed(serviceKeys.lists(), { items: [] });
  seed(["customers", "detail", 7], { customer_id: 7 });
  seed(provisionKeys.list({ page_size: 10 }), {
    items: [job({ provision_id: 9, attempts: 1, tasks_done: 0, task_count: 9 })],
  });
  render(
    <QueryClientProvider client={queryClient}>
      <LiveUpdates />
    </QueryClientProvider>,
  );
  const stale = (key: readonly unknown[]) => queryClient.getQueryState(key)?.isInvalidated ?? false;
  return { queryClient, stale };
}

const socketOn = (namespace: string): FakeSocket => {
  const socket = sockets.find((s) => s.url === namespace);
  if (!socket) throw new Error(`no socket on ${namespace}`);
  return socket;
};

describe("useLiveUpdates", () => {
  it("joins /live with the access token and the provisioning dashboard room", async () => {
    mount();
    await waitFor(() => expect(sockets).toHaveLength(2));
    expect(io).toHaveBeenCalledWith(LIVE_NAMESPACE, { auth: { token: "access-1" }, transports: ["websocket"] });
    const live = socketOn(LIVE_NAMESPACE);
    const jobs = socketOn("/provision");
    act(() => {
      live.serverConnect();
      jobs.serverConnect();
    });
    expect(live.joins()).toEqual([{}]);
    expect(jobs.joins()).toEqual([{ room: "dashboard" }]);
  });

  it("a contract's new status invalidates contract lists and details, not unrelated data", async () => {
    const { stale } = mount();
    await waitFor(() => expect(sockets).toHaveLength(2));
    act(() =>
      socketOn(LIVE_NAMESPACE).serverEmit("contract.status_changed", { contract_id: 5, contract_status: "active" }),
    );
    await waitFor(() => expect(stale(["contracts", "detail", 5])).toBe(true));
    expect(stale(["contracts", "list", {}])).toBe(true);
    expect(stale(["customers", "detail", 7])).toBe(false);
  });

  it("a service's new status invalidates service lists and details", async () => {
    const { stale } = mount();
    await waitFor(() => expect(sockets).toHaveLength(2));
    act(() =>
      socketOn(LIVE_NAMESPACE).serverEmit("service.status_changed", { service_id: 21, service_status: "active" }),
    );
    await waitFor(() => expect(stale(serviceKeys.detail(21))).toBe(true));
    expect(stale(serviceKeys.lists())).toBe(true);
    expect(stale(["contracts", "detail", 5])).toBe(false);
  });

  it("a task result moves the job lists' progress at once; a job status invalidates them", async () => {
    const { queryClient, stale } = mount();
    await waitFor(() => expect(sockets).toHaveLength(2));
    const jobs = socketOn("/provision");
    act(() =>
      jobs.serverEmit("provision.event", {
        provision_id: 9,
        provision_event_id: 106,
        attempt: 1,
        tasks_done: 6,
        task_count: 9,
      }),
    );
    const list = queryClient.getQueryData<{ items: { tasks_done: number; task_count: number }[] }>(
      provisionKeys.list({ page_size: 10 }),
    );
    expect(list?.items[0]).toMatchObject({ tasks_done: 6, task_count: 9 });
    act(() => jobs.serverEmit("provision.status", { provision_id: 9, provisioning_status: 0 }));
    await waitFor(() => expect(stale(provisionKeys.list({ page_size: 10 }))).toBe(true));
    expect(stale(serviceKeys.detail(21))).toBe(true);
  });

  it("skips the jobs room without provision.read", async () => {
    useSession.getState().signIn(login({ permissions: ["service.read"] }));
    mount();
    await waitFor(() => expect(sockets).toHaveLength(1));
    expect(sockets[0].url).toBe(LIVE_NAMESPACE);
  });
});
