export { useServiceBalances, useServiceLedger, useServiceUsage, useTopUp } from "./charging";
export { serviceKeys } from "./keys";
export { useService, useServiceAction, useServices, type ServiceAction } from "./services";
export type * from "./types";
