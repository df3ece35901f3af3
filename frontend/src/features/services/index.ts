export { ServiceDetailPage } from "./components/ServiceDetailPage";
export { ServicesPage } from "./components/ServicesPage";
export { ServiceStatusBadge } from "./components/ServiceStatusBadge";
export type { ServiceDetail } from "./api";
export { serviceKeys } from "./api/keys";
