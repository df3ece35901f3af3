export { useSellAddon, useServiceBalances, useServiceLedger, useServiceUsage, useTopUp } from "./charging";
export { newIdempotencyKey } from "./idempotency";
export { changePlan, useChangePlan, type ChangePlanBody } from "./planChange";
export { serviceKeys } from "./keys";
export { useService, useServiceAction, useServices, type ServiceAction } from "./services";
export type * from "./types";
