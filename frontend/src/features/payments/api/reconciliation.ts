/** Reconciliation runs: the list, one run with its items (followed while a worker does it), starting one. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { reconciliationKeys } from "./keys";
import type { Reconciliation, ReconciliationCreate, ReconciliationDetail, ReconciliationListQuery } from "./types";

/** How often a queued or running run is read again. */
export const RECONCILIATION_POLL_MS = 2_000;

const isMoving = (status: Reconciliation["status"] | undefined) => status === "queued" || status === "running";

export function useReconciliations(query: ReconciliationListQuery) {
  return useQuery({
    queryKey: reconciliationKeys.list(query),
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/payment/reconciliation/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
    // A run on the page still being done: its counts change.
    refetchInterval: (q) => (q.state.data?.items.some((r) => isMoving(r.status)) ? RECONCILIATION_POLL_MS : false),
  });
}

/** One run and its items, read again every 2 s while it is queued or running. */
export function useReconciliation(reconciliationId: number) {
  return useQuery({
    queryKey: reconciliationKeys.detail(reconciliationId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/payment/reconciliation/{reconciliation_id}", {
          params: { path: { reconciliation_id: reconciliationId } },
          signal,
        }),
      ),
    refetchInterval: (q) => (isMoving(q.state.data?.status) ? RECONCILIATION_POLL_MS : false),
    refetchIntervalInBackground: true,
  });
}

/** Start a run over a period (202: a worker does it; open it and watch). */
export function useStartReconciliation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ReconciliationCreate) => unwrap(api.POST("/crm/payment/reconciliation/", { body })),
    onSuccess: (run: Reconciliation) => {
      // The run page shows it at once (no items yet) and reads it again while it moves.
      queryClient.setQueryData<ReconciliationDetail>(reconciliationKeys.detail(run.reconciliation_id), {
        ...run,
        items: [],
      });
      return queryClient.invalidateQueries({ queryKey: reconciliationKeys.lists() });
    },
  });
}
