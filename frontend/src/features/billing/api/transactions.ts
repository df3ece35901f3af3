/** Transactions: a customer's charges and credits, manual ones added by staff, and voiding. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, isApiError, unwrap, unwrapPage } from "@/api";
import { billingKeys } from "./keys";
import type { TransactionCreate, TransactionListQuery } from "./types";

export function useTransactions(query: TransactionListQuery, enabled = true) {
  return useQuery({
    queryKey: billingKeys.transactionList(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/transaction/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** What a new, voided or invoiced transaction changes: the lists and the next invoice. */
export function invalidateTransactions(queryClient: ReturnType<typeof useQueryClient>) {
  void queryClient.invalidateQueries({ queryKey: billingKeys.proformas() });
  return queryClient.invalidateQueries({ queryKey: billingKeys.transactions() });
}

/**
 * A manual charge or credit; the customer's next invoice carries it. The caller makes one
 * Idempotency-Key per opening of its dialog and sends it with every attempt: a double click or
 * a retry after a lost response replays the first transaction instead of charging again (the
 * same key with another body is a 422 `idempotency_key_reused`).
 */
export function useCreateTransaction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: TransactionCreate; idempotencyKey: string }) =>
      unwrap(api.POST("/crm/transaction/", { body, params: { header: { "Idempotency-Key": idempotencyKey } } })),
    onSuccess: () => invalidateTransactions(queryClient),
    // The key's first transaction was written (its answer lost): show it in the lists.
    onError: (error) => {
      if (isApiError(error, "idempotency_key_reused")) void invalidateTransactions(queryClient);
    },
  });
}

/** Void an uninvoiced transaction with a reason (409 `transaction_locked` once it is on an invoice). */
export function useVoidTransaction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ transactionId, reason }: { transactionId: number; reason: string }) =>
      unwrap(
        api.POST("/crm/transaction/{transaction_id}/void", {
          params: { path: { transaction_id: transactionId } },
          body: { reason },
        }),
      ),
    onSuccess: () => invalidateTransactions(queryClient),
  });
}

/** The customer's services, to pick the one a manual charge is about (its tax rate is the default). */
export function useCustomerServices(customerId: number, enabled = true) {
  return useQuery({
    queryKey: billingKeys.services(customerId),
    enabled,
    queryFn: ({ signal }) =>
      unwrapPage(api.GET("/crm/service/", { params: { query: { customer_id: customerId, page_size: 100 } }, signal })),
    select: (page) => page.items,
  });
}
