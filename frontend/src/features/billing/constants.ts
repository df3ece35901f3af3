import type { InvoiceKind, InvoiceStatus, RunStatus, TransactionKind } from "./api/types";

export const INVOICE_STATUSES = [
  "draft",
  "issued",
  "partially_paid",
  "paid",
  "overdue",
  "void",
] as const satisfies readonly InvoiceStatus[];

/** Invoices with money still owed on them: their `amount_due` is the customer's balance due. */
export const OPEN_STATUSES = ["issued", "partially_paid", "overdue"] as const satisfies readonly InvoiceStatus[];

export const INVOICE_STATUS_LABELS: Record<InvoiceStatus, string> = {
  draft: "Draft",
  issued: "Issued",
  partially_paid: "Partially paid",
  paid: "Paid",
  overdue: "Overdue",
  void: "Void",
};

export const INVOICE_STATUS_COLORS: Record<InvoiceStatus, string> = {
  draft: "gray",
  issued: "blue",
  partially_paid: "cyan",
  paid: "teal",
  overdue: "red",
  void: "dark",
};

export const INVOICE_KINDS = ["invoice", "credit_note"] as const satisfies readonly InvoiceKind[];

export const INVOICE_KIND_LABELS: Record<InvoiceKind, string> = {
  invoice: "Invoice",
  credit_note: "Credit note",
};

export const TRANSACTION_KINDS = [
  "setup",
  "recurring",
  "promo",
  "proration",
  "usage",
  "addon",
  "charge",
  "credit",
] as const satisfies readonly TransactionKind[];

export const TRANSACTION_KIND_LABELS: Record<TransactionKind, string> = {
  setup: "Setup",
  recurring: "Recurring",
  promo: "Promotion",
  proration: "Proration",
  usage: "Usage",
  addon: "Add-on",
  charge: "Charge",
  credit: "Credit",
};

export const TRANSACTION_KIND_COLORS: Record<TransactionKind, string> = {
  setup: "indigo",
  recurring: "blue",
  promo: "grape",
  proration: "violet",
  usage: "orange",
  addon: "cyan",
  charge: "red",
  credit: "teal",
};

export const RUN_STATUSES = ["queued", "running", "done", "failed"] as const satisfies readonly RunStatus[];

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  failed: "Failed",
};

export const RUN_STATUS_COLORS: Record<RunStatus, string> = {
  queued: "gray",
  running: "blue",
  done: "teal",
  failed: "red",
};

/** A run that will not change any more. */
export function isRunFinished(status: RunStatus | undefined): boolean {
  return status === "done" || status === "failed";
}

/** Only a draft is issued. */
export function canIssue(invoice: { status: InvoiceStatus; kind: InvoiceKind }): boolean {
  return invoice.status === "draft";
}

/** A void invoice and a credit note cannot be voided; paid money also stops it (the API decides that). */
export function canVoid(invoice: { status: InvoiceStatus; kind: InvoiceKind }): boolean {
  return invoice.kind === "invoice" && invoice.status !== "void";
}

/** An invoice's name on screen: its number, or "Draft #12" before it is issued. */
export function invoiceLabel(invoice: { invoice_number: string | null; invoice_id: number | null }): string {
  return invoice.invoice_number ?? (invoice.invoice_id === null ? "Pro-forma" : `Draft #${invoice.invoice_id}`);
}
