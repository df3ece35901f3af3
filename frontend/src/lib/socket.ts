/**
 * Follow one background job's room on a Socket.IO namespace (billing runs on /billing, imports
 * on /imports): the server's `register_progress_namespace` pattern. Websocket transport only
 * (long-polling would need sticky sessions across server processes), the session's access
 * token in `auth`; the room is joined on every (re)connect (a reconnect is a new server-side
 * session without rooms) and the server answers the join with the job's current state, then
 * sends `event` after every committed chunk. A new access token (after a refresh) reconnects
 * with it.
 */
import { useEffect, useEffectEvent, useState } from "react";
import { io } from "socket.io-client";
import { useSession } from "@/api";

/** The server's answer to `join`. */
export type JoinAck = { ok: true; room: string } | { ok: false; code: string; message: string };

/**
 * Connect to `namespace`, join `room` (null: stay disconnected) and hand every `event` to
 * `onMessage`. True while joined; a replaced connection (another room or token) does not count.
 */
export function useRoomSocket<T>(
  namespace: string,
  room: string | null,
  event: string,
  onMessage: (payload: T) => void,
): boolean {
  const token = useSession((s) => s.token);
  const key = room && token ? `${room}\n${token}` : null;
  // Which connection the flag is about: a replaced socket (other room or token) does not count.
  const [joined, setJoined] = useState<string | null>(null);
  const handle = useEffectEvent((payload: T) => onMessage(payload));

  useEffect(() => {
    if (!room || !token) return undefined;
    const socket = io(namespace, { auth: { token }, transports: ["websocket"] });
    const me = `${room}\n${token}`;
    socket.on("connect", () => {
      socket.emit("join", { room }, (ack: JoinAck) => setJoined(ack.ok ? me : null));
    });
    socket.on("disconnect", () => setJoined(null));
    socket.on("connect_error", () => setJoined(null));
    socket.on(event, (payload: T) => handle(payload));
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [namespace, room, event, token]);

  return key !== null && joined === key;
}
