import { fromUnits, toUnits } from "@/features/billing";
import type {
  DunningAction,
  Payment,
  PaymentMethod,
  PaymentStatus,
  ReconciliationKind,
  ReconciliationStatus,
  SavedCard,
} from "./api/types";

export const PAYMENT_METHODS = ["card", "cash", "bank_transfer", "voucher"] as const satisfies readonly PaymentMethod[];

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = {
  card: "Card",
  cash: "Cash",
  bank_transfer: "Bank transfer",
  voucher: "Voucher",
};

export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = {
  pending: "Pending",
  requires_action: "Needs authentication",
  unknown: "Unknown",
  failed: "Failed",
  succeeded: "Succeeded",
  partially_refunded: "Partially refunded",
  refunded: "Refunded",
};

/** Red: declined; amber: not finished (3-D Secure, Stripe's answer lost, pending). */
export const PAYMENT_STATUS_COLORS: Record<PaymentStatus, string> = {
  pending: "yellow",
  requires_action: "yellow",
  unknown: "yellow",
  failed: "red",
  succeeded: "teal",
  partially_refunded: "orange",
  refunded: "gray",
};

/** Whether the payment's money is in (it has a receipt and was applied): only those are refunded. */
export function isPaid(status: PaymentStatus): boolean {
  return status === "succeeded" || status === "partially_refunded" || status === "refunded";
}

/** A card payment still waiting for the customer (3-D Secure) or for Stripe. */
export function isUnsettled(status: PaymentStatus | undefined): boolean {
  return status === "requires_action" || status === "pending";
}

/** What is left to refund: the amount less what refunds took, exactly ("0.0000" when none). */
export function refundable(payment: Pick<Payment, "amount" | "amount_refunded">): string {
  return fromUnits(toUnits(payment.amount) - toUnits(payment.amount_refunded));
}

/** Whether the payment can be refunded: its money is in (succeeded, partly refunded) and some is left. */
export function canRefund(payment: Pick<Payment, "status" | "amount" | "amount_refunded">): boolean {
  const refundableStatus = payment.status === "succeeded" || payment.status === "partially_refunded";
  return refundableStatus && toUnits(refundable(payment)) > 0n;
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

const BRAND_LABELS: Record<string, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
  diners: "Diners Club",
  jcb: "JCB",
  unionpay: "UnionPay",
  cartes_bancaires: "Cartes Bancaires",
  eftpos_au: "eftpos",
  interac: "Interac",
};

/** "Visa •••• 4242". */
export function cardLabel(card: Pick<SavedCard, "brand" | "last4">): string {
  const brand =
    BRAND_LABELS[card.brand?.toLowerCase()] ??
    (card.brand ? card.brand[0].toUpperCase() + card.brand.slice(1) : "Card");
  return `${brand} •••• ${card.last4}`;
}

/** "04/2027". */
export function cardExpiry(card: Pick<SavedCard, "exp_month" | "exp_year">): string {
  return `${String(card.exp_month).padStart(2, "0")}/${card.exp_year}`;
}

export const RECONCILIATION_STATUS_LABELS: Record<ReconciliationStatus, string> = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  failed: "Failed",
};

export const RECONCILIATION_STATUS_COLORS: Record<ReconciliationStatus, string> = {
  queued: "gray",
  running: "blue",
  done: "teal",
  failed: "red",
};

/** A run a worker still has to finish. */
export function isReconciliationMoving(status: ReconciliationStatus): boolean {
  return status === "queued" || status === "running";
}

export const RECONCILIATION_KIND_LABELS: Record<ReconciliationKind, string> = {
  missing_here: "Charge not recorded here",
  missing_at_gateway: "Not found at Stripe",
  amount_differs: "Amount differs",
  refund_differs: "Refund differs",
  status_differs: "Status differs",
  resolved: "Settled from Stripe",
};

export const RECONCILIATION_KIND_COLORS: Record<ReconciliationKind, string> = {
  missing_here: "red",
  missing_at_gateway: "red",
  amount_differs: "orange",
  refund_differs: "orange",
  status_differs: "yellow",
  resolved: "teal",
};
