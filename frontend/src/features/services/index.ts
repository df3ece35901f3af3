export { Field, PriceSnapshot, allowance } from "./components/PriceSnapshot";
export { ReasonModal } from "./components/ReasonModal";
export { IdFilter, idOrUndefined } from "./components/IdFilter";
export { ServiceDetailPage } from "./components/ServiceDetailPage";
export { ServicesPage } from "./components/ServicesPage";
export { ServiceStatusBadge } from "./components/ServiceStatusBadge";
