// The customers feature shows the Notifications tab; this feature imports nothing from it (a
// message links to its customer by id), so the two never import each other.
export { CustomerNotificationsTab } from "./components/CustomerNotificationsTab";
export { NotificationPage } from "./components/NotificationPage";
export { OutboxPage } from "./components/OutboxPage";
export { TemplatesPage } from "./components/TemplatesPage";
export type { Notification, NotificationDetail, NotificationStatus } from "./api";
