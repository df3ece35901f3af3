import type { MantineColor } from "@mantine/core";
import type {
  Notification,
  NotificationCategory,
  NotificationChannel,
  NotificationDetail,
  NotificationStatus,
} from "./api/types";

/** The statuses in the order a message goes through them. */
export const NOTIFICATION_STATUSES = [
  "queued",
  "sent",
  "delivered",
  "bounced",
  "failed",
  "suppressed",
] as const satisfies readonly NotificationStatus[];

export const NOTIFICATION_STATUS_LABELS: Record<NotificationStatus, string> = {
  queued: "Queued",
  sent: "Sent",
  delivered: "Delivered",
  bounced: "Bounced",
  failed: "Failed",
  suppressed: "Suppressed",
};

/** Queued gray, sent blue, delivered green, bounced orange, failed red; suppressed is dimmed (outlined). */
export const NOTIFICATION_STATUS_COLORS: Record<NotificationStatus, MantineColor> = {
  queued: "gray",
  sent: "blue",
  delivered: "green",
  bounced: "orange",
  failed: "red",
  suppressed: "gray",
};

/** What each status means, for the badge's tooltip. */
export const NOTIFICATION_STATUS_HINTS: Record<NotificationStatus, string> = {
  queued: "Waiting for an attempt",
  sent: "The mail server or provider took it",
  delivered: "The provider reports it reached the recipient's server",
  bounced: "The provider reports the recipient's server refused it",
  failed: "Every attempt failed, or it was refused for good",
  suppressed: "Not sent: the customer opted out of its category",
};

export const CHANNELS = ["email", "sms"] as const satisfies readonly NotificationChannel[];

export const CHANNEL_LABELS: Record<string, string> = { email: "E-mail", sms: "SMS" };

export const CATEGORIES = [
  "account",
  "billing",
  "contract",
  "payments",
  "usage",
  "tickets",
  "staff",
] as const satisfies readonly NotificationCategory[];

export const CATEGORY_LABELS: Record<string, string> = {
  account: "Account",
  billing: "Billing",
  contract: "Contract",
  payments: "Payments",
  usage: "Usage",
  tickets: "Tickets",
  staff: "Staff",
};

export const categoryLabel = (category: string) => CATEGORY_LABELS[category] ?? category;
export const channelLabel = (channel: string) => CHANNEL_LABELS[channel] ?? channel;

/** "ticket_replied" → "Ticket replied". */
export const templateLabel = (name: string) => {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Failed or bounced messages are sent again; never one holding a one-time link. */
export const canResend = (note: Pick<NotificationDetail, "status" | "body_hidden">) =>
  (note.status === "failed" || note.status === "bounced") && !note.body_hidden;

export const isNotificationStatus = (value: string): value is NotificationStatus =>
  (NOTIFICATION_STATUSES as readonly string[]).includes(value);

/** Where a message is shown. */
export const notificationPath = (note: Pick<Notification, "notification_id">) => `/outbox/${note.notification_id}`;
