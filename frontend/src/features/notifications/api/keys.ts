import type { NotificationListQuery } from "./types";

export const notificationKeys = {
  all: ["notifications"] as const,
  lists: () => [...notificationKeys.all, "list"] as const,
  list: (query: NotificationListQuery) => [...notificationKeys.lists(), query] as const,
  /** Under `all`: a resend changes the counts. */
  summary: () => [...notificationKeys.all, "summary"] as const,
  detail: (id: number) => [...notificationKeys.all, "detail", id] as const,
};

/** The templates and their previews: not under `notificationKeys.all`, a message does not change them. */
export const templateKeys = {
  all: ["notification-templates"] as const,
  preview: (name: string) => [...templateKeys.all, "preview", name] as const,
};

/** A customer's opt-outs. */
export const preferenceKeys = {
  customer: (customerId: number) => ["notification-preferences", customerId] as const,
};
