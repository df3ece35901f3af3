/**
 * A stand-in for socket.io-client in tests of the pages that follow a job's room
 * (`src/lib/socket.ts`): `vi.mock("socket.io-client", () => import("@/test/socket"))`. Every
 * `io()` makes a FakeSocket; the test plays the server (connect, emit, disconnect).
 */
import { vi } from "vitest";

type Listener = (...args: unknown[]) => void;

export class FakeSocket {
  connected = false;
  closed = false;
  readonly emitted: { event: string; data: unknown }[] = [];
  private listeners = new Map<string, Listener[]>();
  /** What the server answers to `join`. */
  joinAck: (data: { room: string }) => unknown = (data) => ({ ok: true, room: data.room });

  constructor(
    readonly url: string,
    readonly options: unknown,
  ) {}

  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  off(event: string) {
    this.listeners.delete(event);
    return this;
  }

  removeAllListeners() {
    this.listeners.clear();
    return this;
  }

  emit(event: string, data: unknown, ack?: (response: unknown) => void) {
    this.emitted.push({ event, data });
    if (event === "join" && ack) ack(this.joinAck(data as { room: string }));
    return this;
  }

  disconnect() {
    this.connected = false;
    this.closed = true;
    return this;
  }

  /** Server side: the connection is up (the client then joins). */
  serverConnect() {
    this.connected = true;
    this.fire("connect");
  }

  serverDisconnect() {
    this.connected = false;
    this.fire("disconnect", "transport close");
  }

  /** The connection cannot be made (the server is unreachable, or refused the token). */
  serverConnectError() {
    this.fire("connect_error", new Error("websocket error"));
  }

  serverEmit(event: string, payload: unknown) {
    this.fire(event, payload);
  }

  /** How many listeners the client has on `event` (0 once it cleaned up). */
  listenerCount(event: string) {
    return this.listeners.get(event)?.length ?? 0;
  }

  joins() {
    return this.emitted.filter((e) => e.event === "join").map((e) => e.data);
  }

  private fire(event: string, ...args: unknown[]) {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

export const sockets: FakeSocket[] = [];

export const io = vi.fn((url: string, options: unknown) => {
  const socket = new FakeSocket(url, options);
  sockets.push(socket);
  return socket;
});

export function resetSockets() {
  sockets.length = 0;
  io.mockClear();
}

/** The socket opened last (fails the test when there is none). */
export function latestSocket(): FakeSocket {
  const socket = sockets.at(-1);
  if (!socket) throw new Error("no socket was opened");
  return socket;
}
