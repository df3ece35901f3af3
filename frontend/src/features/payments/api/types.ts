/** Names for the payment shapes, derived from the generated contract (see src/api/types.ts). */
import type { BodyOf, QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

/** A list row: no allocations or refunds (those come with one payment, `PaymentDetail`). */
export type Payment = Item<ResponseOf<"/crm/payment/", "get">>;
export type PaymentDetail = ResponseOf<"/crm/payment/{payment_id}", "get">;
export type Allocation = PaymentDetail["allocations"][number];
export type Refund = PaymentDetail["refunds"][number];
export type PaymentStatus = Payment["status"];
export type PaymentMethod = Payment["method"];
export type PaymentListQuery = QueryOf<"/crm/payment/", "get">;
export type PaymentCreate = BodyOf<"/crm/payment/", "post">;
export type RefundCreate = BodyOf<"/crm/payment/{payment_id}/refund", "post">;
/** A customer in the dunning queue: overdue money, the last step taken, the services it holds suspended. */
export type DunningEntry = Item<ResponseOf<"/crm/payment/dunning", "get">>;
export type DunningAction = NonNullable<DunningEntry["last_action"]>;

/** Which gateway takes card payments, and the publishable key Stripe.js needs (null without Stripe). */
export type GatewayConfig = ResponseOf<"/crm/payment/gateway", "get">;
/** A saved card: brand, last 4 and expiry kept here, the card itself at Stripe (`reference`). */
export type SavedCard = Item<ResponseOf<"/crm/payment-method/", "get">>;
export type SavedCardCreate = BodyOf<"/crm/payment-method/", "post">;
/** A Stripe SetupIntent for Elements to collect a card with (`client_secret`). */
export type CardSetup = ResponseOf<"/crm/payment-method/setup", "post">;

/** A reconciliation run (the list row): Stripe's charges in a period against our payments. */
export type Reconciliation = Item<ResponseOf<"/crm/payment/reconciliation/", "get">>;
export type ReconciliationDetail = ResponseOf<"/crm/payment/reconciliation/{reconciliation_id}", "get">;
export type ReconciliationItem = ReconciliationDetail["items"][number];
export type ReconciliationKind = ReconciliationItem["kind"];
export type ReconciliationStatus = Reconciliation["status"];
export type ReconciliationCreate = BodyOf<"/crm/payment/reconciliation/", "post">;
export type ReconciliationListQuery = QueryOf<"/crm/payment/reconciliation/", "get">;
