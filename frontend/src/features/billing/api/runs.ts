/** Billing runs: the list, one run (its progress), and starting one. */
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { billingKeys } from "./keys";
import type { BillingProgress, BillingRun, RunListQuery, RunRequest } from "./types";

export function useBillingRuns(query: RunListQuery) {
  return useQuery({
    queryKey: billingKeys.runList(query),
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/billing/run", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** One run; with `pollMs`, re-read on that timer while it is queued or running (the socket's fallback). */
export function useBillingRun(runId: number | null, pollMs: number | false = false) {
  return useQuery({
    queryKey: billingKeys.runDetail(runId ?? 0),
    enabled: runId !== null,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/billing/run/{billing_run_id}", { params: { path: { billing_run_id: runId ?? 0 } }, signal }),
      ),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === "queued" || status === "running" ? pollMs : false;
    },
  });
}

/** Start a run (202): it is queued for a worker; follow it with `useLiveBillingRun`. */
export function useStartRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RunRequest) => unwrap(api.POST("/crm/billing/run", { body })),
    onSuccess: (run: BillingRun) => {
      queryClient.setQueryData(billingKeys.runDetail(run.billing_run_id), run);
      return queryClient.invalidateQueries({ queryKey: [...billingKeys.runs(), "list"] });
    },
  });
}

/** Merge a `billing.progress` message into the cached run; false when there is no run cached to merge into. */
export function applyProgress(queryClient: QueryClient, progress: BillingProgress): boolean {
  const key = billingKeys.runDetail(progress.billing_run_id);
  const previous = queryClient.getQueryData<BillingRun>(key);
  if (!previous) return false;
  queryClient.setQueryData<BillingRun>(key, { ...previous, ...progress });
  return true;
}
