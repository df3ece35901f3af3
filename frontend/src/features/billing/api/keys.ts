import type { InvoiceListQuery, RunListQuery, TransactionListQuery } from "./types";

export const billingKeys = {
  all: ["billing"] as const,
  transactions: () => [...billingKeys.all, "transactions"] as const,
  transactionList: (query: TransactionListQuery) => [...billingKeys.transactions(), query] as const,
  /** Everything that reads invoices (lists, details, balances due, statements): a run or a void changes them all. */
  invoices: () => [...billingKeys.all, "invoices"] as const,
  invoiceList: (query: InvoiceListQuery) => [...billingKeys.invoices(), "list", query] as const,
  invoiceDetail: (id: number) => [...billingKeys.invoices(), "detail", id] as const,
  balanceDue: (customerId: number) => [...billingKeys.invoices(), "balance-due", customerId] as const,
  statement: (customerId: number, from: string, to: string) =>
    [...billingKeys.invoices(), "statement", customerId, from, to] as const,
  /** The next invoice as it stands: any new, voided or invoiced transaction changes it. */
  proformas: () => [...billingKeys.all, "proforma"] as const,
  proforma: (customerId: number, periodEnd: string | null) =>
    [...billingKeys.proformas(), customerId, periodEnd] as const,
  runs: () => [...billingKeys.all, "runs"] as const,
  runList: (query: RunListQuery) => [...billingKeys.runs(), "list", query] as const,
  runDetail: (id: number) => [...billingKeys.runs(), "detail", id] as const,
  services: (customerId: number) => [...billingKeys.all, "services", customerId] as const,
};
