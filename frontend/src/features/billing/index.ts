export { BillingRunPage } from "./components/BillingRunPage";
export { BillingRunsPage } from "./components/BillingRunsPage";
export { CustomerBillingTab, useCanSeeBilling } from "./components/CustomerBillingTab";
export { InvoiceDetailPage } from "./components/InvoiceDetailPage";
export { InvoicesPage } from "./components/InvoicesPage";
export type { BillingRun, Invoice, InvoiceDetail, Transaction } from "./api";
