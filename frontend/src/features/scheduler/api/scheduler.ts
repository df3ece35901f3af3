/** Periodic jobs: the list (schedule, next and last run) and "run now". */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { schedulerKeys } from "./keys";
import { lastRunOf, type JobRun } from "./types";

/** Every job (a handful: one page). Polled while a run is queued or running, so its outcome shows. */
export function usePeriodicJobs(pollMs = 3000) {
  return useQuery({
    queryKey: schedulerKeys.jobs(),
    queryFn: ({ signal }) =>
      unwrapPage(api.GET("/crm/scheduler/job/", { params: { query: { page_size: 100 } }, signal })),
    refetchInterval: (query) =>
      query.state.data?.items.some((job) => {
        const outcome = lastRunOf(job)?.outcome;
        return outcome === "queued" || outcome === "running";
      })
        ? pollMs
        : false,
  });
}

/** Queue a run of the job now; the server answers with the queued run. */
export function useRunJobNow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (jobName: string): Promise<JobRun> =>
      unwrap(api.POST("/crm/scheduler/job/{job_id}/run", { params: { path: { job_id: jobName } } })),
    onSuccess: (_run, jobName) => {
      void queryClient.invalidateQueries({ queryKey: schedulerKeys.runs(jobName) });
      return queryClient.invalidateQueries({ queryKey: schedulerKeys.jobs() });
    },
  });
}
