/** Names for the billing shapes, derived from the generated contract (see src/api/types.ts). */
import type { BodyOf, Dumped, QueryOf, ResponseOf } from "@/api";
import type { paths } from "@/api/schema";

type Item<T> = T extends readonly (infer I)[] ? I : T;

export type Transaction = ResponseOf<"/crm/transaction/{transaction_id}", "get">;
export type TransactionKind = Transaction["kind"];
export type TransactionListQuery = QueryOf<"/crm/transaction/", "get">;
export type TransactionCreate = BodyOf<"/crm/transaction/", "post">;
export type VoidBody = BodyOf<"/crm/transaction/{transaction_id}/void", "post">;

export type Invoice = Item<ResponseOf<"/crm/invoice/", "get">>;
export type InvoiceDetail = ResponseOf<"/crm/invoice/{invoice_id}", "get">;
export type InvoiceLine = InvoiceDetail["lines"][number];
export type TaxRate = InvoiceDetail["tax_summary"][number];
export type InvoiceStatus = Invoice["status"];
export type InvoiceKind = Invoice["kind"];
export type InvoiceListQuery = QueryOf<"/crm/invoice/", "get">;
/** What the next invoice would hold: invoice-shaped, status "draft", no id and no number. */
export type Proforma = ResponseOf<"/crm/invoice/proforma", "get">;
/** A pro-forma line: never stored, so its `transaction_id` is always null. */
export type ProformaLine = Proforma["lines"][number];
/** A line of either document: `transaction_id` is null on a pro-forma. */
export type DocumentLine = InvoiceLine | ProformaLine;
export type ProformaQuery = QueryOf<"/crm/invoice/proforma", "get">;

export type Statement = ResponseOf<"/crm/customer/{customer_id}/statement", "get">;
export type StatementLine = Statement["lines"][number];

export type BillingRun = ResponseOf<"/crm/billing/run/{billing_run_id}", "get">;
export type RunStatus = BillingRun["status"];
export type RunListQuery = QueryOf<"/crm/billing/run", "get">;
/** POST /crm/billing/run answers 202 (which `ResponseOf` does not pick): the body is a BillingRun. */
export type RunRequest = BodyOf<"/crm/billing/run", "post">;
export type StartedRun = Dumped<paths["/crm/billing/run"]["post"]["responses"][202]["content"]["application/json"]>;

/**
 * Socket.IO `billing.progress` (namespace /billing, room `billing-run:<id>`): a run's progress
 * after each committed chunk, and its current state on join. Not in the OpenAPI document (it is
 * not HTTP), so written out here from the backend's `billing/realtime.py` `payload`.
 */
export interface BillingProgress {
  billing_run_id: number;
  status: RunStatus;
  total: number;
  processed: number;
  transactions_created: number;
  invoices_created: number;
  error: string | null;
}
