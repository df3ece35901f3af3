/** Names for the outbox shapes, derived from the generated contract (see src/api/types.ts). */
import type { BodyOf, QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

/** A message in the outbox (the list row): no bodies. */
export type Notification = Item<ResponseOf<"/crm/notification/", "get">>;
/** One message with its bodies, unless it holds a one-time link (`body_hidden`). */
export type NotificationDetail = ResponseOf<"/crm/notification/{notification_id}", "get">;
export type NotificationStatus = Notification["status"];
export type NotificationListQuery = QueryOf<"/crm/notification/", "get">;
export type TemplateName = NonNullable<NotificationListQuery["template"]>;
export type NotificationCategory = NonNullable<NotificationListQuery["category"]>;
export type NotificationChannel = NonNullable<NotificationListQuery["channel"]>;
/** Messages per status (every status present). */
export type StatusCounts = ResponseOf<"/crm/notification/summary", "get">;

/** A message OmniCRM sends: its category, channels, and the parts the operator overrode. */
export type NotificationTemplate = Item<ResponseOf<"/crm/notification/template/", "get">>;
/** A template rendered with its sample facts. */
export type TemplatePreview = ResponseOf<"/crm/notification/template/{template_id}/preview", "get">;

/** Which categories a customer receives (required ones always). */
export type NotificationPreferences = ResponseOf<"/crm/customer/{customer_id}/notification-preferences", "get">;
export type NotificationPreference = NotificationPreferences["preferences"][number];
export type PreferencesUpdate = BodyOf<"/crm/customer/{customer_id}/notification-preferences", "put">;
export type OptionalCategory = PreferencesUpdate["opted_out"][number];
