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
