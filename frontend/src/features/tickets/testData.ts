/** Ticket fixtures as the API sends them (used by this feature's *.test.tsx only). */
import { json } from "@/test/http";
import type { StaffUser, Ticket, TicketDetail } from "./api";
import { actionsFrom } from "./constants";

const HOUR = 3_600_000;
/** An ISO time `hours` from now (negative: in the past). */
export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

export const ticket = (overrides: Partial<Ticket> = {}): Ticket => {
  const status = overrides.status ?? "free";
  return {
    ticket_id: 5,
    customer_id: 7,
    customer_name: null,
    contract_id: null,
    service_id: null,
    subject: "No data since Monday",
    description: "The customer's SIM shows no data.",
    priority: "normal",
    category: null,
    status,
    allowed_actions: actionsFrom(status),
    assignee_user_id: null,
    assignee_name: null,
    team: null,
    tags: [],
    source: null,
    due_at: hoursFromNow(3.1),
    breached: false,
    breached_at: null,
    customer_visible: true,
    created_by_user_id: 1,
    created_by_name: null,
    created_at: hoursFromNow(-20),
    updated_at: hoursFromNow(-20),
    closed_at: status === "closed" ? hoursFromNow(-1) : null,
    ...overrides,
  };
};

export const ticketDetail = (overrides: Partial<TicketDetail> = {}): TicketDetail => ({
  ...ticket(overrides),
  transitions: [
    {
      transition_id: 1,
      action: "open",
      from_status: null,
      to_status: "free",
      reason: null,
      user_id: 1,
      user_name: null,
      created_at: "2026-03-01T09:00:00Z",
    },
  ],
  comments: [],
  attachments: [],
  ...overrides,
});

export const staffUser = (overrides: Partial<StaffUser> = {}): StaffUser => ({
  id: 4,
  email: "grace@example.com",
  username: "grace",
  full_name: "Grace Hopper",
  is_2fa_enabled: false,
  email_verified: true,
  is_active: true,
  contact_id: null,
  roles: ["support"],
  created_at: "2024-01-01T00:00:00Z",
  last_login_at: null,
  ...overrides,
});

/** A list page as the API sends it: the rows plus the X-Pagination header. */
export const page = (rows: unknown[], pagination = { total: rows.length, total_pages: rows.length ? 1 : 0, page: 1 }) =>
  json(rows, { headers: { "X-Pagination": JSON.stringify(pagination) } });
