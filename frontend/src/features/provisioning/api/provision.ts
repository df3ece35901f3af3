/** Provisioning jobs: list, read (with task events), dashboard, retry and cancel. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { isFinal } from "../constants";
import { mergeEvents } from "./cache";
import { provisionKeys } from "./keys";
import type { ProvisionDetail, ProvisionListQuery } from "./types";

interface ListOptions {
  enabled?: boolean;
  /** Poll while a listed job is still queued or running (ms), e.g. on a service page. */
  refetchWhileActive?: number;
}

export function useProvisions(query: ProvisionListQuery, { enabled = true, refetchWhileActive }: ListOptions = {}) {
  return useQuery({
    queryKey: provisionKeys.list(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/provision/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      refetchWhileActive && q.state.data?.items.some((j) => !isFinal(j.provisioning_status))
        ? refetchWhileActive
        : false,
  });
}

export function useProvision(provisionId: number) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: provisionKeys.detail(provisionId),
    queryFn: async ({ signal }) => {
      const job = await unwrap(
        api.GET("/crm/provision/{provision_id}", { params: { path: { provision_id: provisionId } }, signal }),
      );
      // A live event may have landed while this response was on its way: keep it.
      const cached = queryClient.getQueryData<ProvisionDetail>(provisionKeys.detail(provisionId));
      return cached ? { ...job, events: mergeEvents(job.events, cached.events) } : job;
    },
  });
}

export function fetchEventsAfter(provisionId: number, after: number) {
  return unwrap(
    api.GET("/crm/provision/{provision_id}/events", {
      params: { path: { provision_id: provisionId }, query: { after } },
    }),
  );
}

/** The latest task results across jobs, newest first: where the dashboard's live feed starts. */
export function useRecentProvisionEvents(limit = 50) {
  return useQuery({
    queryKey: provisionKeys.recentEvents(limit),
    queryFn: ({ signal }) => unwrap(api.GET("/crm/provision/events", { params: { query: { limit } }, signal })),
  });
}

export function useProvisionDashboard(hours = 24, refetchInterval: number | false = false) {
  return useQuery({
    queryKey: provisionKeys.dashboard(hours),
    queryFn: ({ signal }) => unwrap(api.GET("/crm/provision/dashboard", { params: { query: { hours } }, signal })),
    refetchInterval,
  });
}

export type JobAction = "retry" | "cancel";

function postAction(provisionId: number, action: JobAction) {
  const init = { params: { path: { provision_id: provisionId } } };
  return action === "retry"
    ? unwrap(api.POST("/crm/provision/{provision_id}/retry", init))
    : unwrap(api.POST("/crm/provision/{provision_id}/cancel", init));
}

/** Retry (failed/cancelled) or cancel (queued/running); the server answers with the job. */
export function useProvisionAction(provisionId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: JobAction) => postAction(provisionId, action),
    onSuccess: (job: ProvisionDetail) => {
      queryClient.setQueryData(provisionKeys.detail(provisionId), job);
      void queryClient.invalidateQueries({ queryKey: ["services"] });
      void queryClient.invalidateQueries({ queryKey: ["contracts"] });
      return queryClient.invalidateQueries({ queryKey: provisionKeys.lists() });
    },
  });
}
