export { BillingRunPage } from "./components/BillingRunPage";
export { BillingRunsPage } from "./components/BillingRunsPage";
export { CustomerBillingTab, useCanSeeBilling } from "./components/CustomerBillingTab";
export { InvoiceDetailPage } from "./components/InvoiceDetailPage";
export { InvoicesPage } from "./components/InvoicesPage";
export type { BillingRun, Invoice, InvoiceDetail, InvoiceStatus, Transaction } from "./api";
// For the payments feature (recording a payment against invoices, refunding one). Use these
// inside functions only, never at a module's top level: payments and billing import each other.
export { billingKeys, newIdempotencyKey, useCustomerServices, useInvoices } from "./api";
export { invoiceLabel, OPEN_STATUSES } from "./constants";
export { fromUnits, toUnits } from "./decimal";
export { amountProblem, normalizeAmount } from "./validation";
