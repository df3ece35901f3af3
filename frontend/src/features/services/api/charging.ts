/** A service's charging: its live balances, staff top-ups, the ledger of movements and rated usage. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { serviceKeys } from "./keys";
import type { AddonSaleBody, LedgerQuery, TopUpBody, UsageQuery } from "./types";

export function useServiceBalances(serviceId: number) {
  return useQuery({
    queryKey: serviceKeys.balances(serviceId),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/service/{service_id}/balance", { params: { path: { service_id: serviceId } }, signal })),
  });
}

export function useServiceLedger(serviceId: number, query: LedgerQuery) {
  return useQuery({
    queryKey: serviceKeys.ledger(serviceId, query),
    queryFn: ({ signal }) =>
      unwrapPage(
        api.GET("/crm/service/{service_id}/ledger", { params: { path: { service_id: serviceId }, query }, signal }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** Rated usage between `from` and `to`, summed by type or by day and type. */
export function useServiceUsage(serviceId: number, query: UsageQuery) {
  return useQuery({
    queryKey: serviceKeys.usage(serviceId, query),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/service/{service_id}/usage", { params: { path: { service_id: serviceId }, query }, signal }),
      ),
  });
}

/**
 * Top up the monetary balance. The caller makes one Idempotency-Key per dialog opening, so a
 * double click or a retry after a lost response answers the first top-up instead of adding again.
 */
export function useTopUp(serviceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: TopUpBody; idempotencyKey: string }) =>
      unwrap(
        api.POST("/crm/service/{service_id}/topup", {
          params: { path: { service_id: serviceId }, header: { "Idempotency-Key": idempotencyKey } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serviceKeys.charging(serviceId) }),
  });
}

/**
 * Sell an add-on onto the service (its price taken from the monetary balance, its allowances
 * added as balances). Like a top-up, the caller makes one Idempotency-Key per dialog opening.
 */
export function useSellAddon(serviceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: AddonSaleBody; idempotencyKey: string }) =>
      unwrap(
        api.POST("/crm/service/{service_id}/addon", {
          params: { path: { service_id: serviceId }, header: { "Idempotency-Key": idempotencyKey } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: serviceKeys.charging(serviceId) }),
  });
}
