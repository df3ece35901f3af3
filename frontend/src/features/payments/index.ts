// The billing feature shows these on the customer's Billing tab and the invoice page, and this
// feature uses billing's invoices and helpers: the two import each other, so use billing's
// exports inside functions only, never at a module's top level.
export { DunningPage } from "./components/DunningPage";
export { PaymentsCard } from "./components/PaymentsCard";
export { RecordPaymentModal, type PayableInvoice } from "./components/RecordPaymentModal";
export { RefundModal } from "./components/RefundModal";
export type { Payment, PaymentDetail } from "./api";
