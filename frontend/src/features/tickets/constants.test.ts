import { describe, expect, it } from "vitest";
import { placeOnBoard, type Board } from "./api";
import { actionInto, actionsFrom, formatSpan, slaOf, TICKET_STATUSES } from "./constants";
import { ticket } from "./testData";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const at = (hours: number) => new Date(NOW + hours * 3_600_000).toISOString();

describe("the TicketStatus machine", () => {
  it("allows free → active, active → suspended | blocked | closed, suspended → active, blocked → closed", () => {
    expect(Object.fromEntries(TICKET_STATUSES.map((s) => [s, actionsFrom(s)]))).toEqual({
      free: ["activate"],
      active: ["suspend", "block", "close"],
      suspended: ["resume"],
      blocked: ["close"],
      closed: [],
    });
  });

  it("names the action a drop on a column means, from the ticket's allowed actions", () => {
    const free = ticket({ status: "free" });
    const suspended = ticket({ status: "suspended" });
    const active = ticket({ status: "active" });
    expect(actionInto(free, "active")).toBe("activate");
    expect(actionInto(suspended, "active")).toBe("resume");
    expect(actionInto(active, "closed")).toBe("close");
    expect(actionInto(active, "active")).toBeNull();
    expect(actionInto(active, "free")).toBeNull();
    expect(actionInto(suspended, "closed")).toBeNull();
    // The API's word wins over the machine: an action it does not allow is no move.
    expect(actionInto({ allowed_actions: ["suspend"] }, "closed")).toBeNull();
  });
});

describe("slaOf", () => {
  it("counts down to the due time, then up past it", () => {
    expect(slaOf(ticket({ due_at: at(3.5) }), NOW)).toEqual({ text: "due in 3 h", overdue: false });
    expect(slaOf(ticket({ due_at: at(0.25) }), NOW)).toEqual({ text: "due in 15 min", overdue: false });
    expect(slaOf(ticket({ due_at: at(72) }), NOW)).toEqual({ text: "due in 3 d", overdue: false });
    expect(slaOf(ticket({ due_at: at(-2.2), breached: true }), NOW)).toEqual({ text: "overdue 2 h", overdue: true });
    // Past due by our clock before the API flagged it: overdue all the same.
    expect(slaOf(ticket({ due_at: at(-0.01) }), NOW)).toEqual({ text: "overdue 1 min", overdue: true });
  });

  it("shows nothing once closed, or without a due time", () => {
    expect(slaOf(ticket({ status: "closed", due_at: at(-5), breached: false }), NOW)).toBeNull();
    expect(slaOf(ticket({ due_at: null }), NOW)).toBeNull();
    expect(formatSpan(-5)).toBe("1 min");
  });
});

describe("placeOnBoard", () => {
  const empty = () =>
    Object.fromEntries(TICKET_STATUSES.map((s) => [s, { tickets: [], total: 0 }])) as unknown as Board;

  it("takes the ticket out of its column and puts it in its new one, soonest due first", () => {
    const board = empty();
    board.free = { tickets: [ticket({ ticket_id: 1, due_at: at(1) })], total: 1 };
    board.active = {
      tickets: [
        ticket({ ticket_id: 2, status: "active", due_at: at(0) }),
        ticket({ ticket_id: 3, status: "active", due_at: at(5) }),
      ],
      total: 7,
    };
    const moved = placeOnBoard(board, ticket({ ticket_id: 1, status: "active", due_at: at(1) }));
    expect(moved.free).toEqual({ tickets: [], total: 0 });
    expect(moved.active.tickets.map((t) => t.ticket_id)).toEqual([2, 1, 3]);
    expect(moved.active.total).toBe(8);
    // The board it came from is untouched (the cache keeps it for a rollback).
    expect(board.free.tickets).toHaveLength(1);
  });

  it("puts a closed ticket first in the Closed column", () => {
    const board = empty();
    board.active = { tickets: [ticket({ ticket_id: 2, status: "active" })], total: 1 };
    board.closed = { tickets: [ticket({ ticket_id: 9, status: "closed" })], total: 30 };
    const moved = placeOnBoard(board, ticket({ ticket_id: 2, status: "closed" }));
    expect(moved.closed.tickets.map((t) => t.ticket_id)).toEqual([2, 9]);
    expect(moved.closed.total).toBe(31);
  });
});
