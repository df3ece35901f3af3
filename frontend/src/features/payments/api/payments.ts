/** Payments: a customer's list, one with where it went, recording one, refunding, the receipt PDF. */
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, isApiError, toApiError, unwrap, unwrapPage } from "@/api";
import { billingKeys, useInvoices, OPEN_STATUSES } from "@/features/billing";
import { provisionKeys } from "@/features/provisioning";
import { serviceKeys } from "@/features/services";
import { filenameFromResponse, saveBlob } from "@/lib/download";
import { isUnsettled } from "../constants";
import { paymentKeys } from "./keys";
import type { PaymentCreate, PaymentDetail, PaymentListQuery, RefundCreate } from "./types";

export function usePayments(query: PaymentListQuery, enabled = true) {
  return useQuery({
    queryKey: paymentKeys.list(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/payment/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

const paymentQuery = (paymentId: number) => ({
  queryKey: paymentKeys.detail(paymentId),
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    unwrap(api.GET("/crm/payment/{payment_id}", { params: { path: { payment_id: paymentId } }, signal })),
});

export function usePayment(paymentId: number, enabled = true) {
  return useQuery({ ...paymentQuery(paymentId), enabled });
}

/**
 * The details (allocations, refunds) of several payments, in the order of `paymentIds`: the
 * list rows do not say which invoices a payment settled. One request per payment, cached by id
 * (a recorded or refunded payment's answer is put there directly).
 */
export function usePaymentDetails(paymentIds: readonly number[]) {
  return useQueries({ queries: paymentIds.map(paymentQuery) });
}

/** How often, and for how long at most, a card payment waiting for 3-D Secure is read again. */
export const POLL_EVERY_MS = 2_000;
export const POLL_FOR_MS = 60_000;

/**
 * Follow a card payment while the customer authenticates it (3-D Secure): from `since` (a
 * `Date.now()`; null: not yet) it is read every 2 s while it requires action or is pending, for
 * a minute at most. `dataUpdatedAt - since` tells how long it has been followed.
 */
export function usePaymentPoll(paymentId: number, since: number | null) {
  const queryClient = useQueryClient();
  const { queryKey, queryFn } = paymentQuery(paymentId);
  return useQuery({
    queryKey,
    queryFn: async (context: { signal: AbortSignal }) => {
      const payment = await queryFn(context);
      // Settled (3-D Secure passed or failed): what its money changed is read again, not the payment.
      if (!isUnsettled(payment.status)) void invalidateMoney(queryClient, { details: false });
      return payment;
    },
    enabled: since !== null,
    refetchInterval: (query) =>
      since !== null && isUnsettled(query.state.data?.status) && Date.now() - since < POLL_FOR_MS
        ? POLL_EVERY_MS
        : false,
    refetchIntervalInBackground: true,
  });
}

/** The dunning queue: customers with overdue money, oldest first (one unpaged list). */
export function useDunning() {
  return useQuery({
    queryKey: paymentKeys.dunning(),
    queryFn: ({ signal }) => unwrap(api.GET("/crm/payment/dunning", { signal })),
  });
}

/**
 * The customer's invoices a payment can be applied to (issued, partially paid, overdue), at
 * most 100 (the largest page): older ones are still settled by "oldest first".
 */
export function useOpenInvoices(customerId: number, enabled = true) {
  return useInvoices({ customer_id: customerId, kind: "invoice", status: [...OPEN_STATUSES], page_size: 100 }, enabled);
}

/**
 * What a payment or a refund changes: the payments, every invoice (status, amount due), the
 * balance due and the statement (all under `billingKeys.invoices()`), the transactions and
 * the next invoice (account credit). A payment that clears overdue money also resumes the
 * services dunning suspended and queues their provisioning jobs; a top-up changes a balance:
 * services and provisioning jobs are read again too.
 */
function invalidateMoney(queryClient: ReturnType<typeof useQueryClient>, { details = true } = {}) {
  void queryClient.invalidateQueries({ queryKey: serviceKeys.all });
  void queryClient.invalidateQueries({ queryKey: provisionKeys.lists() });
  void queryClient.invalidateQueries({ queryKey: billingKeys.transactions() });
  void queryClient.invalidateQueries({ queryKey: billingKeys.proformas() });
  void queryClient.invalidateQueries({ queryKey: billingKeys.invoices() });
  if (!details) {
    void queryClient.invalidateQueries({ queryKey: paymentKeys.dunning() });
    return queryClient.invalidateQueries({ queryKey: paymentKeys.lists() });
  }
  return queryClient.invalidateQueries({ queryKey: paymentKeys.all });
}

/**
 * Record a payment, or charge a saved card. The caller makes one Idempotency-Key per opening of
 * its dialog and sends it with every attempt: a double click or a retry after a lost response
 * replays the first payment instead of taking the money twice (the same key with another body
 * is a 422 `idempotency_key_reused`).
 *
 * A card charge answers 201 (the money is in), 202 (not finished: `requires_action` for 3-D
 * Secure, with a `client_secret` when the customer is present; `unknown` when Stripe did not
 * answer; `pending`) or 402 `payment_declined` (kept as a `failed` payment).
 */
export function useRecordPayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: PaymentCreate; idempotencyKey: string }) =>
      unwrap(api.POST("/crm/payment/", { body, params: { header: { "Idempotency-Key": idempotencyKey } } })),
    onSuccess: (payment: PaymentDetail) => {
      // The 3-D Secure client secret is for this answer only: not kept with the payment.
      queryClient.setQueryData(paymentKeys.detail(payment.payment_id), { ...payment, client_secret: null });
      return invalidateMoney(queryClient);
    },
    onError: (error) => {
      // The key's first payment was written (its answer lost): show it. An invoice that is no
      // longer open (paid or voided meanwhile): read the invoices again. A declined card is
      // kept as a failed payment: list it.
      if (
        isApiError(error, "idempotency_key_reused") ||
        isApiError(error, "invoice_not_open") ||
        isApiError(error, "payment_declined")
      ) {
        void invalidateMoney(queryClient);
      }
    },
  });
}

/** Refund all or part of a payment (409 `refund_exceeds_payment` / `insufficient_balance`). */
export function useRefundPayment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ paymentId, body }: { paymentId: number; body: RefundCreate }) =>
      unwrap(api.POST("/crm/payment/{payment_id}/refund", { params: { path: { payment_id: paymentId } }, body })),
    onSuccess: (payment: PaymentDetail) => {
      queryClient.setQueryData(paymentKeys.detail(payment.payment_id), payment);
      return invalidateMoney(queryClient);
    },
    onError: (error, { paymentId }) => {
      // Refunded meanwhile (by someone else): what is left has changed.
      if (isApiError(error, "refund_exceeds_payment")) {
        void queryClient.invalidateQueries({ queryKey: paymentKeys.detail(paymentId) });
        void queryClient.invalidateQueries({ queryKey: paymentKeys.lists() });
      }
    },
  });
}

/** Fetch the receipt PDF through the client (bearer token, refresh) and save it as a file. */
export async function downloadReceipt(paymentId: number, fallbackName: string): Promise<void> {
  const { data, error, response } = await api.GET("/crm/payment/{payment_id}/receipt", {
    params: { path: { payment_id: paymentId } },
    parseAs: "blob",
  });
  if (!response.ok || !data) throw toApiError(error, response);
  saveBlob(data, filenameFromResponse(response, fallbackName));
}
