/** The card gateway's configuration and saved cards: a customer's, the expiring ones, adding, removing, the default. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/api";
import { cardKeys, gatewayKey } from "./keys";
import type { GatewayConfig, SavedCardCreate } from "./types";

/** Which gateway takes card payments (rarely changes: read again after 5 minutes at most). */
export function useGateway(enabled = true) {
  return useQuery({
    queryKey: gatewayKey,
    enabled,
    queryFn: ({ signal }) => unwrap(api.GET("/crm/payment/gateway", { signal })),
    staleTime: 5 * 60_000,
  });
}

/** The publishable key when saved cards can be charged and added (Stripe configured), else null. */
export function cardPaymentsKey(gateway: GatewayConfig | undefined): string | null {
  return gateway?.card_payments && gateway.publishable_key ? gateway.publishable_key : null;
}

/** A customer's saved cards (not the removed ones), the default first. */
export function useSavedCards(customerId: number, enabled = true) {
  return useQuery({
    queryKey: cardKeys.customer(customerId),
    enabled,
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/payment-method/", { params: { query: { customer_id: customerId } }, signal })),
  });
}

/** Every customer's cards that expire within `days` (null: the API's window), soonest first, expired ones too. */
export function useExpiringCards(days: number | null) {
  return useQuery({
    queryKey: cardKeys.expiring(days),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/payment-method/expiring", { params: { query: days === null ? {} : { days } }, signal })),
  });
}

/** A SetupIntent for Stripe Elements to collect a card for the customer (409 when Stripe is not configured). */
export function useCardSetup() {
  return useMutation({
    mutationFn: (customerId: number) =>
      unwrap(api.POST("/crm/payment-method/setup", { body: { customer_id: customerId } })),
  });
}

/** Save the card Stripe.js confirmed (its `pm_…` id). */
export function useSaveCard() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SavedCardCreate) => unwrap(api.POST("/crm/payment-method/", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: cardKeys.all }),
  });
}

/** Remove a card: detached at Stripe, kept here as removed (the payments made with it still name it). */
export function useRemoveCard() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (cardId: number) =>
      unwrap(
        api.DELETE("/crm/payment-method/{payment_method_id}", { params: { path: { payment_method_id: cardId } } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: cardKeys.all }),
  });
}

/** Make a card the customer's default (the one automatic charges use). */
export function useMakeDefaultCard() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (cardId: number) =>
      unwrap(
        api.POST("/crm/payment-method/{payment_method_id}/default", {
          params: { path: { payment_method_id: cardId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: cardKeys.all }),
  });
}
