/** Names for the ticket shapes, derived from the generated contract (see src/api/types.ts). */
import type { BodyOf, QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

/** What each transition endpoint is called (`POST /crm/ticket/<id>/<action>`). */
export type TicketAction = "activate" | "suspend" | "resume" | "block" | "close";

/**
 * `allowed_actions` and `breached` are marshmallow Method fields: the contract cannot type
 * them (`unknown`). The server sends a list of actions and a boolean.
 */
interface Computed {
  /** The actions allowed from its status. */
  allowed_actions: TicketAction[];
  /** Open and past its due time. */
  breached: boolean;
}

type RawTicket = Item<ResponseOf<"/crm/ticket/", "get">>;
type RawTicketDetail = ResponseOf<"/crm/ticket/{ticket_id}", "get">;

/** A list row: no history (that comes with one ticket, `TicketDetail`). */
export type Ticket = Omit<RawTicket, keyof Computed> & Computed;
export type TicketDetail = Omit<RawTicketDetail, keyof Computed> & Computed;
export type TicketStatus = Ticket["status"];
export type TicketPriority = Ticket["priority"];
export type TicketTransition = TicketDetail["transitions"][number];
export type TicketComment = TicketDetail["comments"][number];
export type TicketAttachment = TicketDetail["attachments"][number];
export type TicketListQuery = QueryOf<"/crm/ticket/", "get">;
export type TicketCreate = BodyOf<"/crm/ticket/", "post">;
export type TicketUpdate = BodyOf<"/crm/ticket/{ticket_id}", "patch">;
export type CommentCreate = BodyOf<"/crm/ticket/{ticket_id}/comment", "post">;

/** A staff user (for the assignee picker and to name who did what). */
export type StaffUser = Item<ResponseOf<"/crm/user/", "get">>;

/** One column of the board: its tickets as shown, and how many match in all. */
export interface BoardColumn {
  tickets: Ticket[];
  total: number;
}
export type Board = Record<TicketStatus, BoardColumn>;
/** The list filters the board applies to every column (no status, no paging). */
export type BoardQuery = Omit<TicketListQuery, "status" | "page" | "page_size">;
