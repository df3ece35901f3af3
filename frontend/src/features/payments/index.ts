// The billing feature shows these on the customer's Billing tab and the invoice page, and this
// feature uses billing's invoices and helpers: the two import each other, so use billing's
// exports inside functions only, never at a module's top level.
export { DunningPage } from "./components/DunningPage";
export { ExpiringCardsPage } from "./components/ExpiringCardsPage";
export { PaymentDetailPage } from "./components/PaymentDetailPage";
export { PaymentsCard } from "./components/PaymentsCard";
export { ReconciliationPage } from "./components/ReconciliationPage";
export { ReconciliationsPage } from "./components/ReconciliationsPage";
export { RecordPaymentModal, type PayableInvoice } from "./components/RecordPaymentModal";
export { RefundModal } from "./components/RefundModal";
export { SavedCardsCard } from "./components/SavedCardsCard";
export type { Payment, PaymentDetail } from "./api";
