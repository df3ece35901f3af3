export { ServiceDetailPage } from "./components/ServiceDetailPage";
export { ServicesPage } from "./components/ServicesPage";
export { ServiceStatusBadge } from "./components/ServiceStatusBadge";
export type { Service, ServiceDetail } from "./api";
// For the tickets feature: a ticket names one of the customer's services.
export { useService, useServices } from "./api";
export { serviceKeys } from "./api/keys";
