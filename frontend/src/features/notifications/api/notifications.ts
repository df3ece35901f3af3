/** The outbox: messages with their status counts, one message, resend, templates, a customer's opt-outs. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { notificationKeys, preferenceKeys, templateKeys } from "./keys";
import type { Notification, NotificationDetail, NotificationListQuery, OptionalCategory, TemplateName } from "./types";

/** How often a list or message is read again while something in it waits for a worker. */
export const OUTBOX_POLL_MS = 10_000;

/** True while `rows` hold a message waiting for the worker (a list then polls). */
const hasQueued = (rows: readonly Pick<Notification, "status">[] | undefined) =>
  rows?.some((n) => n.status === "queued") ?? false;

/** A page of messages, newest first; read again every 10 s while a queued one is shown. */
export function useNotifications(query: NotificationListQuery, enabled = true) {
  return useQuery({
    queryKey: notificationKeys.list(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/notification/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (hasQueued(q.state.data?.items) ? OUTBOX_POLL_MS : false),
  });
}

/** Messages per status (the Outbox reads them again whenever it reads its rows again). */
export function useNotificationSummary() {
  return useQuery({
    queryKey: notificationKeys.summary(),
    queryFn: async ({ signal }) => (await unwrap(api.GET("/crm/notification/summary", { signal }))).counts,
  });
}

/** One message; read again every 10 s while it is queued (after a resend, say). */
export function useNotification(notificationId: number) {
  return useQuery({
    queryKey: notificationKeys.detail(notificationId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/notification/{notification_id}", {
          params: { path: { notification_id: notificationId } },
          signal,
        }),
      ),
    refetchInterval: (q) => (q.state.data?.status === "queued" ? OUTBOX_POLL_MS : false),
  });
}

/** Queue a failed or bounced message again (409 `notification_not_resendable` otherwise). */
export function useResendNotification(notificationId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/crm/notification/{notification_id}/resend", {
          params: { path: { notification_id: notificationId } },
        }),
      ),
    onSuccess: (row: Notification) => {
      // The answer is the row without its bodies: keep the bodies we have.
      queryClient.setQueryData<NotificationDetail>(notificationKeys.detail(notificationId), (detail) =>
        detail ? { ...detail, ...row } : detail,
      );
      void queryClient.invalidateQueries({ queryKey: notificationKeys.summary() });
      return queryClient.invalidateQueries({ queryKey: notificationKeys.lists() });
    },
    // Refused (someone sent it again first, say): read the message again.
    onError: () => queryClient.invalidateQueries({ queryKey: notificationKeys.detail(notificationId) }),
  });
}

/** Every template, by name (they do not change while the app runs). */
export function useTemplates() {
  return useQuery({
    queryKey: templateKeys.all,
    queryFn: ({ signal }) => unwrap(api.GET("/crm/notification/template/", { signal })),
    staleTime: 5 * 60_000,
  });
}

/** A template rendered with its sample facts (null: none chosen). */
export function useTemplatePreview(name: TemplateName | null) {
  return useQuery({
    queryKey: templateKeys.preview(name ?? ""),
    enabled: name !== null,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/notification/template/{template_id}/preview", {
          params: { path: { template_id: name! } },
          signal,
        }),
      ),
  });
}

export function useNotificationPreferences(customerId: number) {
  return useQuery({
    queryKey: preferenceKeys.customer(customerId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/customer/{customer_id}/notification-preferences", {
          params: { path: { customer_id: customerId } },
          signal,
        }),
      ),
  });
}

/** Replace the customer's opt-outs (the whole list). */
export function useSavePreferences(customerId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (optedOut: OptionalCategory[]) =>
      unwrap(
        api.PUT("/crm/customer/{customer_id}/notification-preferences", {
          params: { path: { customer_id: customerId } },
          body: { opted_out: optedOut },
        }),
      ),
    onSuccess: (preferences) => queryClient.setQueryData(preferenceKeys.customer(customerId), preferences),
  });
}
