/**
 * A billing run's live progress over Socket.IO (namespace /billing, websocket only, like
 * /provision): connect with the access token, `join` the room `billing-run:<id>` on every
 * (re)connect (the server then sends the run's current state), and merge each
 * `billing.progress` into the cached run. While the socket is not live and the run is queued
 * or running, the run is polled every 2 s instead. When the run finishes, what it wrote
 * (invoices, transactions, the next invoice) is read again.
 */
import { useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useRoomSocket } from "@/lib/socket";
import { applyProgress, billingKeys, useBillingRun, type BillingProgress, type BillingRun } from "./api";
import { isRunFinished } from "./constants";

export type { JoinAck } from "@/lib/socket";

export const NAMESPACE = "/billing";
export const PROGRESS_EVENT = "billing.progress";
export const runRoom = (runId: number) => `billing-run:${runId}`;
/** How often the fallback polls while the socket is not live (ms). */
export const POLL_INTERVAL = 2000;

/** Connect to /billing and join `room` (null: stay disconnected); true while joined. */
export function useBillingSocket(room: string | null, onProgress: (progress: BillingProgress) => void): boolean {
  return useRoomSocket(NAMESPACE, room, PROGRESS_EVENT, onProgress);
}

export interface LiveRun {
  /** The run's query (loading and error states included). */
  query: UseQueryResult<BillingRun>;
  run: BillingRun | undefined;
  /** Joined to the run's room: updates arrive as they happen (else it is polled). */
  live: boolean;
}

/** Keep one run's cached state current (socket, else polling) until it is done or failed. */
export function useLiveBillingRun(runId: number | null): LiveRun {
  const queryClient = useQueryClient();
  const live = useBillingSocket(runId === null ? null : runRoom(runId), (progress) => {
    if (progress.billing_run_id !== runId) return;
    // Before the run has loaded, the message cannot be merged, and the read in flight may be
    // older than it: read the run again.
    if (!applyProgress(queryClient, progress)) {
      const queryKey = billingKeys.runDetail(runId);
      void queryClient.cancelQueries({ queryKey }).then(() => queryClient.invalidateQueries({ queryKey }));
    }
  });
  const query = useBillingRun(runId, live ? false : POLL_INTERVAL);
  const status = query.data?.status;

  // A run that has just finished wrote invoices and transactions: read them (and the run's
  // finished_at, which the progress message lacks) again, once.
  const previous = useRef(status);
  useEffect(() => {
    const before = previous.current;
    previous.current = status;
    if (runId === null || !before || isRunFinished(before) || !isRunFinished(status)) return;
    void queryClient.invalidateQueries({ queryKey: billingKeys.runs() });
    void queryClient.invalidateQueries({ queryKey: billingKeys.invoices() });
    void queryClient.invalidateQueries({ queryKey: billingKeys.transactions() });
    void queryClient.invalidateQueries({ queryKey: billingKeys.proformas() });
  }, [status, runId, queryClient]);

  return { query, run: query.data, live };
}
