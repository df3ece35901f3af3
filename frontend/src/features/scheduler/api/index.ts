export { usePeriodicJobs, useRunJobNow } from "./scheduler";
export { schedulerKeys } from "./keys";
export { lastRunOf, type JobRun, type PeriodicJob, type RunOutcome } from "./types";
