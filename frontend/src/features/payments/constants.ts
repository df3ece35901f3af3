import { fromUnits, toUnits } from "@/features/billing";
import type { Payment, PaymentMethod, PaymentStatus } from "./api/types";

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
