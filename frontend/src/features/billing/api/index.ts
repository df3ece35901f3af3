export {
  downloadInvoicePdf,
  sumAmountDue,
  useBalanceDue,
  useInvoice,
  useInvoices,
  useIssueInvoice,
  useProforma,
  useStatement,
  useVoidInvoice,
  type BalanceDue,
} from "./invoices";
export { newIdempotencyKey } from "./idempotency";
export { billingKeys } from "./keys";
export { applyProgress, useBillingRun, useBillingRuns, useStartRun } from "./runs";
export {
  invalidateTransactions,
  useCreateTransaction,
  useCustomerServices,
  useTransactions,
  useVoidTransaction,
} from "./transactions";
export type * from "./types";
