import type { PaymentListQuery } from "./types";

export const paymentKeys = {
  all: ["payments"] as const,
  lists: () => [...paymentKeys.all, "list"] as const,
  list: (query: PaymentListQuery) => [...paymentKeys.lists(), query] as const,
  detail: (id: number) => [...paymentKeys.all, "detail", id] as const,
  /** Under `all`: a recorded payment reads the queue again. */
  dunning: () => [...paymentKeys.all, "dunning"] as const,
};
