export {
  applyLiveEvent,
  applyLiveProgress,
  applyLiveStatus,
  applyPolledEvents,
  lastEventNumber,
  mergeEvents,
} from "./cache";
export { provisionKeys } from "./keys";
export {
  fetchEventsAfter,
  useProvision,
  useProvisionAction,
  useProvisionDashboard,
  useProvisions,
  useRecentProvisionEvents,
  type JobAction,
} from "./provision";
export type * from "./types";
