export {
  OUTBOX_POLL_MS,
  useNotification,
  useNotificationPreferences,
  useNotifications,
  useNotificationSummary,
  useResendNotification,
  useSavePreferences,
  useTemplatePreview,
  useTemplates,
} from "./notifications";
export { notificationKeys, preferenceKeys, templateKeys } from "./keys";
export type * from "./types";
