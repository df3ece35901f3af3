export { ProvisionJobPage } from "./components/ProvisionJobPage";
export { ProvisionJobsPage } from "./components/ProvisionJobsPage";
export { ProvisioningDashboard } from "./components/ProvisioningDashboard";
export { ProvisionStatusBadge } from "./components/ProvisionStatusBadge";
export { ServiceProvisioningCard } from "./components/ServiceProvisioningCard";
export { useLiveProvision, useProvisionSocket } from "./socket";
export type { ProvisionDetail, ProvisionJob } from "./api";
export { provisionKeys } from "./api/keys";
