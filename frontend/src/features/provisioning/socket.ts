/**
 * Live provisioning over Socket.IO (namespace /provision, websocket only: long-polling would
 * need sticky sessions across server processes).
 *
 * `useProvisionSocket(room, handlers)` connects with the current access token, joins the room
 * on every (re)connect and hands `provision.event` / `provision.status` (and, in the dashboard
 * room, `charging.threshold`) to the handlers. A new access token (after a refresh) reconnects
 * with it. `useLiveProvision(id)` merges a job's room into the TanStack Query cache and polls
 * the events endpoint while the socket is down.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useEffectEvent, useState } from "react";
import { io } from "socket.io-client";
import { useSession } from "@/api";
import {
  applyLiveEvent,
  applyLiveStatus,
  applyPolledEvents,
  fetchEventsAfter,
  lastEventNumber,
  provisionKeys,
  type ChargingThreshold,
  type LiveEvent,
  type LiveStatus,
  type ProvisionDetail,
} from "./api";
import { isFinal } from "./constants";

export const NAMESPACE = "/provision";
export const DASHBOARD_ROOM = "dashboard";
export const jobRoom = (provisionId: number) => `provision:${provisionId}`;
/** How often the fallback polls while the socket is not connected (ms). */
export const POLL_INTERVAL = 2000;

export type JoinAck = { ok: true; room: string; replayed?: number } | { ok: false; code: string; message: string };

export interface ProvisionSocketHandlers {
  onEvent?: (event: LiveEvent) => void;
  onStatus?: (status: LiveStatus) => void;
  onJoin?: (ack: JoinAck) => void;
  /** `charging.threshold`: only sent to the dashboard room. */
  onThreshold?: (alert: ChargingThreshold) => void;
}

export interface ProvisionSocketState {
  /** Connected and joined to the room. */
  connected: boolean;
  /** The server refused the join (no permission, no such job). */
  error: string | null;
}

/** Connect to /provision and join `room` (null: stay disconnected). */
export function useProvisionSocket(room: string | null, handlers: ProvisionSocketHandlers): ProvisionSocketState {
  const token = useSession((s) => s.token);
  // Which connection the state is about: a replaced socket's state (other room or token) does not count.
  const key = room && token ? `${room}\n${token}` : null;
  const [state, setState] = useState<ProvisionSocketState & { key: string | null }>({
    connected: false,
    error: null,
    key: null,
  });
  const onEvent = useEffectEvent((event: LiveEvent) => handlers.onEvent?.(event));
  const onStatus = useEffectEvent((status: LiveStatus) => handlers.onStatus?.(status));
  const onJoin = useEffectEvent((ack: JoinAck) => handlers.onJoin?.(ack));
  const onThreshold = useEffectEvent((alert: ChargingThreshold) => handlers.onThreshold?.(alert));

  useEffect(() => {
    if (!room || !token) return undefined;
    const socket = io(NAMESPACE, { auth: { token }, transports: ["websocket"] });
    const set = (connected: boolean, error: string | null = null) =>
      setState({ connected, error, key: `${room}\n${token}` });
    // Re-join on every connect: a reconnect is a new server-side session without rooms.
    socket.on("connect", () => {
      socket.emit("join", { room }, (ack: JoinAck) => {
        set(ack.ok, ack.ok ? null : ack.message);
        onJoin(ack);
      });
    });
    socket.on("disconnect", () => set(false));
    socket.on("connect_error", () => set(false));
    socket.on("provision.event", (event: LiveEvent) => onEvent(event));
    socket.on("provision.status", (status: LiveStatus) => onStatus(status));
    socket.on("charging.threshold", (alert: ChargingThreshold) => onThreshold(alert));
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [room, token]);

  const current = key !== null && state.key === key;
  return { connected: current && state.connected, error: current ? state.error : null };
}

/**
 * Keep one job's cached detail live: socket replay + live events merged (deduplicated) into
 * the cache, statuses applied; while the socket is down, poll `events?after=N` every 2 s (and
 * the job itself, for its status) until the job is final.
 */
export function useLiveProvision(provisionId: number, job: ProvisionDetail | undefined): ProvisionSocketState {
  const queryClient = useQueryClient();
  const socket = useProvisionSocket(jobRoom(provisionId), {
    onEvent: (event) => {
      if (event.provision_id === provisionId) applyLiveEvent(queryClient, event);
    },
    onStatus: (status) => {
      if (status.provision_id !== provisionId) return;
      const previous = applyLiveStatus(queryClient, status);
      // A job that ended has more to show (finished_at, config): read it once.
      if (isFinal(status.provisioning_status) && previous !== status.provisioning_status) {
        void queryClient.invalidateQueries({ queryKey: provisionKeys.detail(provisionId) });
        void queryClient.invalidateQueries({ queryKey: provisionKeys.lists() });
      }
    },
  });

  const loaded = job !== undefined;
  const final = job ? isFinal(job.provisioning_status) : false;
  const poll = loaded && !socket.connected && !final;
  useEffect(() => {
    if (!poll) return undefined;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      fetchEventsAfter(provisionId, lastEventNumber(queryClient, provisionId))
        .then((events) => {
          applyPolledEvents(queryClient, provisionId, events);
          return queryClient.invalidateQueries({ queryKey: provisionKeys.detail(provisionId) });
        })
        .catch(() => undefined) // the next tick tries again
        .finally(() => {
          busy = false;
        });
    }, POLL_INTERVAL);
    return () => clearInterval(timer);
  }, [poll, provisionId, queryClient]);

  return socket;
}
