import { fromUnits, toUnits } from "@/features/billing";
import type { DunningAction, Payment, PaymentMethod, PaymentStatus } from "./api/types";

export const PAYMENT_METHODS = ["card", "cash", "bank_transfer", "voucher"] as const satisfies readonly PaymentMethod[];

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = {
  card: "Card",
  cash: "Cash",
  bank_transfer: "Bank transfer",
  voucher: "Voucher",
};

export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = {
  succeeded: "Succeeded",
  partially_refunded: "Partially refunded",
  refunded: "Refunded",
};

export const PAYMENT_STATUS_COLORS: Record<PaymentStatus, string> = {
  succeeded: "teal",
  partially_refunded: "orange",
  refunded: "gray",
};

/** What is left to refund: the amount less what refunds took, exactly ("0.0000" when none). */
export function refundable(payment: Pick<Payment, "amount" | "amount_refunded">): string {
  return fromUnits(toUnits(payment.amount) - toUnits(payment.amount_refunded));
}

/** Whether anything of the payment is left to refund. */
export function canRefund(payment: Pick<Payment, "amount" | "amount_refunded">): boolean {
  return toUnits(refundable(payment)) > 0n;
}

/** Whether the amount (a valid decimal string) is more than `limit`. */
export function exceeds(amount: string, limit: string): boolean {
  return toUnits(amount) > toUnits(limit);
}

export const DUNNING_ACTION_LABELS: Record<DunningAction, string> = {
  reminder: "Reminder",
  suspend: "Suspended",
  termination_request: "Termination requested",
};

export const DUNNING_ACTION_COLORS: Record<DunningAction, string> = {
  reminder: "yellow",
  suspend: "orange",
  termination_request: "red",
};

/** Whole days from a due date ("2026-03-15") to today (local), never below 0. */
export function daysOverdue(dueDate: string, today: Date = new Date()): number {
  const [y, m, d] = dueDate.split("-").map(Number);
  const due = Date.UTC(y, m - 1, d);
  const now = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.max(0, Math.round((now - due) / 86_400_000));
}
