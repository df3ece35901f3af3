import type { BoardQuery, TicketListQuery } from "./types";

export const ticketKeys = {
  all: ["tickets"] as const,
  lists: () => [...ticketKeys.all, "list"] as const,
  list: (query: TicketListQuery) => [...ticketKeys.lists(), query] as const,
  /** The board, one entry per filter set: a move or a new ticket reads them all again. */
  boards: () => [...ticketKeys.all, "board"] as const,
  board: (query: BoardQuery) => [...ticketKeys.boards(), query] as const,
  detail: (id: number) => [...ticketKeys.all, "detail", id] as const,
};

/** The staff who can be named and assigned: not under `ticketKeys.all`, a ticket does not change them. */
export const staffUsersKey = ["users", "staff"] as const;
