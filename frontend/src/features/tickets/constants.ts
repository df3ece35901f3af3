import type { Ticket, TicketAction, TicketPriority, TicketStatus } from "./api/types";

/** The board's columns, in the order work flows. */
export const TICKET_STATUSES = [
  "free",
  "active",
  "suspended",
  "blocked",
  "closed",
] as const satisfies readonly TicketStatus[];

export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  free: "Free",
  active: "Active",
  suspended: "Suspended",
  blocked: "Blocked",
  closed: "Closed",
};

export const TICKET_STATUS_COLORS: Record<TicketStatus, string> = {
  free: "blue",
  active: "teal",
  suspended: "yellow",
  blocked: "orange",
  closed: "gray",
};

export const TICKET_PRIORITIES = ["low", "normal", "high", "urgent"] as const satisfies readonly TicketPriority[];

export const TICKET_PRIORITY_LABELS: Record<TicketPriority, string> = {
  low: "Low",
  normal: "Normal",
  high: "High",
  urgent: "Urgent",
};

export const TICKET_PRIORITY_COLORS: Record<TicketPriority, string> = {
  low: "gray",
  normal: "blue",
  high: "orange",
  urgent: "red",
};

export const TICKET_ACTIONS = [
  "activate",
  "suspend",
  "resume",
  "block",
  "close",
] as const satisfies readonly TicketAction[];

export const TICKET_ACTION_LABELS: Record<TicketAction, string> = {
  activate: "Activate",
  suspend: "Suspend",
  resume: "Resume",
  block: "Block",
  close: "Close",
};

/**
 * The TicketStatus machine (the report's): free → active; active → suspended, blocked or
 * closed; suspended → active; blocked → closed. Each action, where it comes from and where it
 * goes. The API still decides (`allowed_actions`, 409 `invalid_transition`).
 */
export const TICKET_MACHINE: Record<TicketAction, { from: readonly TicketStatus[]; to: TicketStatus }> = {
  activate: { from: ["free"], to: "active" },
  suspend: { from: ["active"], to: "suspended" },
  resume: { from: ["suspended"], to: "active" },
  block: { from: ["active"], to: "blocked" },
  close: { from: ["active", "blocked"], to: "closed" },
};

/** The actions the machine allows from `status`, in the API's order. */
export function actionsFrom(status: TicketStatus): TicketAction[] {
  return TICKET_ACTIONS.filter((a) => TICKET_MACHINE[a].from.includes(status));
}

/**
 * The action that moves the ticket into `column`, if one of its allowed actions does: a drop
 * on the Active column is `activate` from Free and `resume` from Suspended. Null: not a legal
 * move (its own column included).
 */
export function actionInto(ticket: Pick<Ticket, "allowed_actions">, column: TicketStatus): TicketAction | null {
  return ticket.allowed_actions.find((a) => TICKET_MACHINE[a]?.to === column) ?? null;
}

/** Lower-case letters, digits and "-", at most 32 characters (the API's rule). */
export const TAG_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** What an attachment may be (the API checks the content too; the size limit is its setting). */
export const ATTACHMENT_ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.txt,.log,.csv";
export const ATTACHMENT_LIMITS = "PDF, PNG, JPEG, GIF or UTF-8 text (.txt, .log, .csv), at most 5 MB.";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "45 min", "3 h", "2 d": a span in its largest whole unit (a minute at least). */
export function formatSpan(ms: number): string {
  const span = Math.max(ms, 0);
  if (span < HOUR) return `${Math.max(1, Math.floor(span / MINUTE))} min`;
  if (span < 2 * DAY) return `${Math.floor(span / HOUR)} h`;
  return `${Math.floor(span / DAY)} d`;
}

export interface Sla {
  text: string;
  overdue: boolean;
}

/**
 * The SLA countdown: "due in 3 h", or "overdue 2 h" once the ticket is past its due time (or
 * the API says it is breached). None for a closed ticket or one without a due time.
 */
export function slaOf(ticket: Pick<Ticket, "status" | "due_at" | "breached">, now: number): Sla | null {
  if (ticket.status === "closed" || !ticket.due_at) return null;
  const left = new Date(ticket.due_at).getTime() - now;
  if (Number.isNaN(left)) return null;
  const overdue = ticket.breached || left < 0;
  return overdue ? { text: `overdue ${formatSpan(-left)}`, overdue } : { text: `due in ${formatSpan(left)}`, overdue };
}
