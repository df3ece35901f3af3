/** Tickets: the board and lists, one ticket with its history, opening, editing, moving, comments, files. */
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, toApiError, unwrap, unwrapPage } from "@/api";
import { filenameFromResponse, saveBlob } from "@/lib/download";
import { actionsFrom, TICKET_MACHINE, TICKET_STATUSES } from "../constants";
import { ticketKeys } from "./keys";
import type {
  Board,
  BoardColumn,
  BoardQuery,
  CommentCreate,
  Ticket,
  TicketAction,
  TicketAttachment,
  TicketComment,
  TicketCreate,
  TicketDetail,
  TicketListQuery,
  TicketStatus,
  TicketUpdate,
} from "./types";

/** The largest page the API serves: an open column shows up to this many tickets. */
export const COLUMN_PAGE_SIZE = 100;
/** The Closed column shows the most recently closed tickets only. */
export const CLOSED_SHOWN = 20;

// The contract types `allowed_actions` and `breached` as unknown; the server sends these shapes.
const asTickets = (items: unknown[]) => items as Ticket[];
const asDetail = (ticket: unknown) => ticket as TicketDetail;

export function useTickets(query: TicketListQuery, enabled = true) {
  return useQuery({
    queryKey: ticketKeys.list(query),
    enabled,
    queryFn: async ({ signal }) => {
      const page = await unwrapPage(api.GET("/crm/ticket/", { params: { query }, signal }));
      return { items: asTickets(page.items), pagination: page.pagination };
    },
    placeholderData: keepPreviousData,
  });
}

function listPage(query: TicketListQuery, signal: AbortSignal) {
  return unwrapPage(api.GET("/crm/ticket/", { params: { query }, signal }));
}

async function openColumn(query: BoardQuery, status: TicketStatus, signal: AbortSignal): Promise<BoardColumn> {
  const page = await listPage({ ...query, status: [status], page_size: COLUMN_PAGE_SIZE }, signal);
  return { tickets: asTickets(page.items), total: page.pagination.total };
}

const byClosedDesc = (a: Ticket, b: Ticket) => (b.closed_at ?? "").localeCompare(a.closed_at ?? "");

/**
 * The most recently closed tickets. The list comes soonest due first and cannot be sorted by
 * closing time: the last two pages of 20 (the latest due, which are most of the latest closed)
 * are read and sorted by `closed_at`.
 */
async function closedColumn(query: BoardQuery, signal: AbortSignal): Promise<BoardColumn> {
  // Breached means open and past due: no closed ticket matches.
  if (query.breached) return { tickets: [], total: 0 };
  const closed = { ...query, status: ["closed" as const], page_size: CLOSED_SHOWN };
  const first = await listPage(closed, signal);
  const last = first.pagination.total_pages;
  const wanted = [last - 1, last].filter((page) => page >= 1);
  const pages = await Promise.all(wanted.map((page) => (page === 1 ? first : listPage({ ...closed, page }, signal))));
  const tickets = asTickets(pages.flatMap((p) => p.items));
  return { tickets: tickets.sort(byClosedDesc).slice(0, CLOSED_SHOWN), total: first.pagination.total };
}

/** The board: one list request per open column (up to 100 each), the latest 20 closed. */
export function useBoard(query: BoardQuery) {
  return useQuery({
    queryKey: ticketKeys.board(query),
    queryFn: async ({ signal }): Promise<Board> => {
      const open = TICKET_STATUSES.filter((s) => s !== "closed");
      const [columns, closed] = await Promise.all([
        Promise.all(open.map((status) => openColumn(query, status, signal))),
        closedColumn(query, signal),
      ]);
      return { ...Object.fromEntries(open.map((s, i) => [s, columns[i]])), closed } as Board;
    },
    placeholderData: keepPreviousData,
  });
}

export function useTicket(ticketId: number) {
  return useQuery({
    queryKey: ticketKeys.detail(ticketId),
    queryFn: async ({ signal }) =>
      asDetail(await unwrap(api.GET("/crm/ticket/{ticket_id}", { params: { path: { ticket_id: ticketId } }, signal }))),
  });
}

/** Lists and boards read again (a ticket opened, moved or changed). */
function invalidateLists(queryClient: QueryClient) {
  void queryClient.invalidateQueries({ queryKey: ticketKeys.boards() });
  return queryClient.invalidateQueries({ queryKey: ticketKeys.lists() });
}

export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: TicketCreate) => asDetail(await unwrap(api.POST("/crm/ticket/", { body }))),
    onSuccess: (ticket: TicketDetail) => {
      queryClient.setQueryData(ticketKeys.detail(ticket.ticket_id), ticket);
      return invalidateLists(queryClient);
    },
  });
}

export function useUpdateTicket(ticketId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: TicketUpdate) =>
      asDetail(await unwrap(api.PATCH("/crm/ticket/{ticket_id}", { params: { path: { ticket_id: ticketId } }, body }))),
    onSuccess: (ticket: TicketDetail) => {
      queryClient.setQueryData(ticketKeys.detail(ticketId), ticket);
      return invalidateLists(queryClient);
    },
  });
}

export interface TransitionRequest {
  ticketId: number;
  action: TicketAction;
  /** Why (optional; blank sends none). */
  reason?: string | null;
}

function postTransition({ ticketId, action, reason }: TransitionRequest) {
  const init = { params: { path: { ticket_id: ticketId } }, body: reason?.trim() ? { reason: reason.trim() } : {} };
  switch (action) {
    case "activate":
      return unwrap(api.POST("/crm/ticket/{ticket_id}/activate", init));
    case "suspend":
      return unwrap(api.POST("/crm/ticket/{ticket_id}/suspend", init));
    case "resume":
      return unwrap(api.POST("/crm/ticket/{ticket_id}/resume", init));
    case "block":
      return unwrap(api.POST("/crm/ticket/{ticket_id}/block", init));
    case "close":
      return unwrap(api.POST("/crm/ticket/{ticket_id}/close", init));
  }
}

/** Where a ticket goes in a board once it is `moved` (its new status): out of its column, into the other. */
export function placeOnBoard(board: Board, moved: Ticket): Board {
  const next = { ...board };
  for (const status of TICKET_STATUSES) {
    const column = board[status];
    const tickets = column.tickets.filter((t) => t.ticket_id !== moved.ticket_id);
    if (tickets.length !== column.tickets.length) next[status] = { tickets, total: Math.max(0, column.total - 1) };
  }
  const target = next[moved.status];
  const tickets =
    moved.status === "closed"
      ? [moved, ...target.tickets].slice(0, CLOSED_SHOWN)
      : [...target.tickets, moved].sort(
          (a, b) => (a.due_at ?? "\uffff").localeCompare(b.due_at ?? "\uffff") || a.ticket_id - b.ticket_id,
        );
  next[moved.status] = { tickets, total: target.total + 1 };
  return next;
}

/** The ticket as it will be after `action`, before the API says so. */
function predicted(ticket: Ticket, action: TicketAction): Ticket {
  const status = TICKET_MACHINE[action].to;
  const now = new Date().toISOString();
  return {
    ...ticket,
    status,
    allowed_actions: actionsFrom(status),
    breached: status === "closed" ? false : ticket.breached,
    closed_at: status === "closed" ? now : null,
    updated_at: now,
  };
}

/** Drop the detail's history: the board holds list rows. */
function rowOf(detail: TicketDetail): Ticket {
  const { transitions: _t, comments: _c, attachments: _a, ...row } = detail;
  return row;
}

/**
 * Move a ticket (activate, suspend, resume, block, close). The boards show the move at once;
 * a refusal (409 `invalid_transition`: someone moved it first) puts them back as they were.
 * Either way the boards, lists and the ticket are read again.
 */
export function useTicketTransition() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (request: TransitionRequest) => asDetail(await postTransition(request)),
    onMutate: async ({ ticketId, action }) => {
      await queryClient.cancelQueries({ queryKey: ticketKeys.boards() });
      const boards = queryClient.getQueriesData<Board>({ queryKey: ticketKeys.boards() });
      for (const [key, board] of boards) {
        const ticket = board && TICKET_STATUSES.flatMap((s) => board[s].tickets).find((t) => t.ticket_id === ticketId);
        if (board && ticket) queryClient.setQueryData<Board>(key, placeOnBoard(board, predicted(ticket, action)));
      }
      return { boards };
    },
    onError: (_error, _request, context) => {
      for (const [key, board] of context?.boards ?? []) queryClient.setQueryData(key, board);
    },
    onSuccess: (ticket: TicketDetail) => {
      queryClient.setQueryData(ticketKeys.detail(ticket.ticket_id), ticket);
      queryClient.setQueriesData<Board>({ queryKey: ticketKeys.boards() }, (board) =>
        board ? placeOnBoard(board, rowOf(ticket)) : board,
      );
    },
    onSettled: (_data, _error, { ticketId }) => {
      void queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) });
      return invalidateLists(queryClient);
    },
  });
}

/**
 * A move from the ticket's page, with its reason (blank: none): the shape `useReasonAction`
 * drives. A refusal (409) is shown in the dialog; the ticket and the lists are read again.
 */
export function useTicketAction(ticketId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ action, reason }: { action: TicketAction; reason: string }) =>
      asDetail(await postTransition({ ticketId, action, reason })),
    onSuccess: (ticket: TicketDetail) => {
      queryClient.setQueryData(ticketKeys.detail(ticketId), ticket);
      return invalidateLists(queryClient);
    },
    onError: () => queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) }),
  });
}

/** Add an internal note or (`internal: false`) a reply the customer is e-mailed. */
export function useAddComment(ticketId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CommentCreate) =>
      unwrap(api.POST("/crm/ticket/{ticket_id}/comment", { params: { path: { ticket_id: ticketId } }, body })),
    onSuccess: (comment: TicketComment) => {
      queryClient.setQueryData<TicketDetail>(ticketKeys.detail(ticketId), (ticket) =>
        ticket ? { ...ticket, comments: [...ticket.comments, comment] } : ticket,
      );
      return queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) });
    },
  });
}

/**
 * Attach a file (multipart `file`). 413 when it is larger than the server takes, 422 when its
 * type is refused or its content is not of its type, 409 when the ticket is closed.
 */
export function useUploadAttachment(ticketId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (file: File) =>
      unwrap(
        api.POST("/crm/ticket/{ticket_id}/attachment", {
          params: { path: { ticket_id: ticketId } },
          // The contract names the part; the file itself goes as multipart form data.
          body: { file: file.name },
          bodySerializer: () => {
            const form = new FormData();
            form.append("file", file, file.name);
            return form;
          },
        }),
      ),
    onSuccess: (attachment: TicketAttachment) => {
      queryClient.setQueryData<TicketDetail>(ticketKeys.detail(ticketId), (ticket) =>
        ticket ? { ...ticket, attachments: [...ticket.attachments, attachment] } : ticket,
      );
      return queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) });
    },
  });
}

/** Fetch an attachment through the client (bearer token, refresh) and save it as a file. */
export async function downloadAttachment(
  ticketId: number,
  attachment: Pick<TicketAttachment, "attachment_id" | "filename">,
): Promise<void> {
  const { data, error, response } = await api.GET("/crm/ticket/{ticket_id}/attachment/{attachment_id}", {
    params: { path: { ticket_id: ticketId, attachment_id: attachment.attachment_id } },
    parseAs: "blob",
  });
  if (!response.ok || !data) throw toApiError(error, response);
  saveBlob(data, filenameFromResponse(response, attachment.filename));
}
