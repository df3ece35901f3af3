export { ProvisionJobPage } from "./components/ProvisionJobPage";
export { ProvisionJobsPage } from "./components/ProvisionJobsPage";
export { ProvisioningDashboard } from "./components/ProvisioningDashboard";
export { ProvisionStatusBadge } from "./components/ProvisionStatusBadge";
export { ServiceProvisioningCard } from "./components/ServiceProvisioningCard";
export { DASHBOARD_ROOM, useLiveProvision, useProvisionSocket } from "./socket";
export { applyLiveProgress } from "./api";
export type { ProvisionDetail, ProvisionJob } from "./api";
export { provisionKeys } from "./api/keys";
