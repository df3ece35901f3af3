/**
 * Every open page shows what just changed, without a reload: one connection to the server's
 * `/live` Socket.IO namespace (a service's or a contract's status, sent after the change
 * committed, only to users who may read it) and the provisioning dashboard room (jobs and
 * their task results), each message invalidating the TanStack Query caches it concerns.
 * Mounted once, in AppProviders. Websocket only (long-polling would need sticky sessions);
 * every (re)connect joins again and re-reads, since messages sent while down are lost.
 */
import { useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { useEffect, useEffectEvent, useRef } from "react";
import { io } from "socket.io-client";
import { usePermission, useSession } from "@/api";
import { applyLiveProgress, DASHBOARD_ROOM, provisionKeys, useProvisionSocket } from "@/features/provisioning";
import { serviceKeys } from "@/features/services";

export const LIVE_NAMESPACE = "/live";
/** Messages come in bursts (a job's end activates a service and its contract): one refetch. */
export const LIVE_BATCH_MS = 100;

/** The contracts feature's key prefix (its lists and details all start with it). */
const CONTRACTS: QueryKey = ["contracts"];

/** `service.status_changed` on `/live` (backend services/handlers.py). */
export interface ServiceStatusChanged {
  service_id: number;
  customer_id: number;
  bundled_parent_id: number | null;
  from_status: string;
  service_status: string;
  start_date: string | null;
  end_date: string | null;
}

/** `contract.status_changed` on `/live` (backend contracts/handlers.py). */
export interface ContractStatusChanged {
  contract_id: number;
  customer_id: number;
  service_id: number;
  from_status: string;
  contract_status: string;
  start_date: string | null;
  end_date: string | null;
  closed_at: string | null;
}

/** What each live message makes stale (by key prefix: lists and details alike). */
export const liveKeys = {
  service: (): QueryKey[] => [serviceKeys.all, provisionKeys.lists()],
  contract: (): QueryKey[] => [CONTRACTS, serviceKeys.all],
  jobStatus: (): QueryKey[] => [provisionKeys.all, serviceKeys.all, CONTRACTS],
  reconnect: (): QueryKey[] => [provisionKeys.all, serviceKeys.all, CONTRACTS],
};

/** Invalidate keys, batched over LIVE_BATCH_MS. */
function useBatchedInvalidation(queryClient: QueryClient) {
  const pending = useRef(new Map<string, QueryKey>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return (keys: QueryKey[]) => {
    for (const key of keys) pending.current.set(JSON.stringify(key), key);
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      const keysNow = [...pending.current.values()];
      pending.current.clear();
      for (const queryKey of keysNow) void queryClient.invalidateQueries({ queryKey });
    }, LIVE_BATCH_MS);
  };
}

/** Follow `/live` and the provisioning dashboard room; invalidate what their messages change. */
export function useLiveUpdates(): void {
  const queryClient = useQueryClient();
  const token = useSession((s) => s.token);
  const readsJobs = usePermission("provision.read");
  const invalidate = useBatchedInvalidation(queryClient);
  const stale = useEffectEvent((keys: QueryKey[]) => invalidate(keys));

  useEffect(() => {
    if (!token) return undefined;
    const socket = io(LIVE_NAMESPACE, { auth: { token }, transports: ["websocket"] });
    let connectedBefore = false;
    socket.on("connect", () => {
      socket.emit("join", {}, () => undefined);
      // What changed while the socket was down was not sent: read it again.
      if (connectedBefore) stale(liveKeys.reconnect());
      connectedBefore = true;
    });
    socket.on("service.status_changed", () => stale(liveKeys.service()));
    socket.on("contract.status_changed", () => stale(liveKeys.contract()));
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [token]);

  useProvisionSocket(token && readsJobs ? DASHBOARD_ROOM : null, {
    // A task result: the job lists' progress at once (no refetch per task).
    onEvent: (event) => applyLiveProgress(queryClient, event),
    onStatus: () => invalidate(liveKeys.jobStatus()),
  });
}

/** Mount point for the hook (renders nothing). */
export function LiveUpdates() {
  useLiveUpdates();
  return null;
}
