/** Outbox fixtures as the API sends them (used by this feature's *.test.tsx only). */
import { json } from "@/test/http";
import type {
  Notification,
  NotificationDetail,
  NotificationPreferences,
  NotificationTemplate,
  TemplatePreview,
} from "./api";

export const notification = (overrides: Partial<Notification> = {}): Notification => ({
  notification_id: 41,
  channel: "email",
  recipient: "ops@acme.test",
  customer_id: 7,
  customer_name: "Acme Ltd",
  category: "tickets",
  subject: "[ticket #5] Re: No data since Monday",
  template: "ticket_replied",
  status: "sent",
  attempts: 1,
  last_error: null,
  provider: "file",
  provider_id: "41.eml",
  created_at: "2026-03-10T09:30:00Z",
  last_attempt_at: "2026-03-10T09:30:02Z",
  sent_at: "2026-03-10T09:30:02Z",
  delivered_at: null,
  ...overrides,
});

export const notificationDetail = (overrides: Partial<NotificationDetail> = {}): NotificationDetail => ({
  ...notification(),
  body_hidden: false,
  body_text: "Dear Acme Telecom,\n\nWe reset your data session.\n",
  body_html: "<p>Dear Acme Telecom,</p><div>We reset your data session.</div>",
  ...overrides,
});

export const summary = (counts: Partial<Record<string, number>> = {}) =>
  json({ counts: { queued: 0, sent: 0, delivered: 0, bounced: 0, failed: 0, suppressed: 0, ...counts } });

export const template = (overrides: Partial<NotificationTemplate> = {}): NotificationTemplate => ({
  name: "ticket_replied",
  category: "tickets",
  required: false,
  sensitive: false,
  description: "Staff replied on a ticket",
  channels: ["email"],
  overridden: [],
  ...overrides,
});

export const templates = (): NotificationTemplate[] => [
  template({
    name: "invoice_issued",
    category: "billing",
    required: true,
    description: "An invoice was issued",
    overridden: ["subject", "html"],
  }),
  template({
    name: "reset_password",
    category: "account",
    required: true,
    sensitive: true,
    description: "A password reset link",
  }),
  template({
    name: "service_suspended",
    category: "contract",
    description: "A contract's service was suspended (A24)",
    channels: ["email", "sms"],
  }),
  template(),
];

export const preview = (overrides: Partial<TemplatePreview> = {}): TemplatePreview => ({
  name: "service_suspended",
  subject: "Your service Mobile 20 GB is suspended",
  text: "Dear Ada Lovelace,\n\nYour service is suspended.\n",
  html: "<p>Dear Ada Lovelace,</p><script>alert(1)</script>",
  sms: "OmniCRM: Mobile 20 GB is suspended.",
  sample: { customer_name: "Ada Lovelace", contract_number: "C-2026-000042", percent_used: 80 },
  ...overrides,
});

export const preferences = (optedOut: string[] = []): NotificationPreferences => ({
  customer_id: 7,
  preferences: [
    { category: "account", label: "Sign-in and account security", required: true },
    { category: "billing", label: "Invoices, credit notes and payment reminders", required: true },
    { category: "contract", label: "Contract and service status changes", required: false },
    { category: "payments", label: "Payment receipts and saved cards", required: false },
    { category: "usage", label: "Balance and allowance alerts", required: false },
    { category: "tickets", label: "Support tickets", required: false },
  ].map((p) => ({ ...p, subscribed: p.required || !optedOut.includes(p.category) })),
});

export const page = (rows: unknown[], pagination = { total: rows.length, total_pages: rows.length ? 1 : 0, page: 1 }) =>
  json(rows, { headers: { "X-Pagination": JSON.stringify(pagination) } });
