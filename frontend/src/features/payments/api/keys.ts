import type { PaymentListQuery, ReconciliationListQuery } from "./types";

export const paymentKeys = {
  all: ["payments"] as const,
  lists: () => [...paymentKeys.all, "list"] as const,
  list: (query: PaymentListQuery) => [...paymentKeys.lists(), query] as const,
  detail: (id: number) => [...paymentKeys.all, "detail", id] as const,
  /** Under `all`: a recorded payment reads the queue again. */
  dunning: () => [...paymentKeys.all, "dunning"] as const,
};

/** The gateway's configuration: not under `paymentKeys.all`, a payment does not change it. */
export const gatewayKey = ["payment-gateway"] as const;

/** Saved cards: a card added, removed or made the default reads them all again (customer, expiring). */
export const cardKeys = {
  all: ["payment-methods"] as const,
  customer: (customerId: number) => [...cardKeys.all, "customer", customerId] as const,
  expiring: (days: number | null) => [...cardKeys.all, "expiring", days] as const,
};

export const reconciliationKeys = {
  all: ["reconciliations"] as const,
  lists: () => [...reconciliationKeys.all, "list"] as const,
  list: (query: ReconciliationListQuery) => [...reconciliationKeys.lists(), query] as const,
  detail: (id: number) => [...reconciliationKeys.all, "detail", id] as const,
};
