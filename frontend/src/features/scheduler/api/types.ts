/** Names for the scheduler's shapes, derived from the generated contract (see src/api/types.ts). */
import type { ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

export type PeriodicJob = Item<ResponseOf<"/crm/scheduler/job/", "get">>;
export type JobRun = Item<ResponseOf<"/crm/scheduler/job/{job_id}/run", "get">>;
export type RunOutcome = JobRun["outcome"];

/**
 * A job's last run, or null. (The contract types a nullable nested object as "run, or null, or
 * an empty object"; the server sends a run or null.)
 */
export function lastRunOf(job: PeriodicJob): JobRun | null {
  const run: unknown = job.last_run;
  return run && typeof run === "object" && "run_id" in run ? (run as JobRun) : null;
}
