/** Billing fixtures as the API sends them (used by this feature's *.test.tsx only). */
import { json } from "@/test/http";
import type { BillingProgress, BillingRun, Invoice, InvoiceDetail, Proforma, Statement, Transaction } from "./api";

export const transaction = (overrides: Partial<Transaction> = {}): Transaction => ({
  transaction_id: 101,
  customer_id: 7,
  customer_name: "Acme Telecom",
  service_id: 21,
  service_name: "Mobile 10GB",
  contract_id: null,
  invoice_id: null,
  invoice_number: null,
  billing_run_id: null,
  kind: "recurring",
  description: "Charge: Mobile 10GB, 2026-03-01 to 2026-03-31",
  period_start: "2026-03-01",
  period_end: "2026-04-01",
  currency: "USD",
  amount: "19.9900",
  retail_amount: "19.9900",
  wholesale_amount: "8.0000",
  tax_percentage: "20.00",
  tax_amount: "3.9980",
  total: "23.9880",
  paid_from_balance: false,
  void: false,
  void_reason: null,
  voided_at: null,
  created_by_user_id: null,
  created_at: "2026-03-01T02:00:00Z",
  ...overrides,
});

export const invoice = (overrides: Partial<Invoice> = {}): Invoice => ({
  invoice_id: 55,
  invoice_number: "INV-2026-000055",
  kind: "invoice",
  customer_id: 7,
  customer_name: "Acme Telecom",
  status: "issued",
  currency: "USD",
  issue_date: "2026-03-01",
  due_date: "2026-03-15",
  period_start: "2026-03-01",
  period_end: "2026-04-01",
  subtotal: "19.9900",
  tax_total: "3.9980",
  total: "23.9880",
  amount_paid: "0.0000",
  amount_due: "23.9880",
  paid: false,
  credit_note_for_id: null,
  void_reason: null,
  voided_at: null,
  billing_run_id: 5,
  created_at: "2026-03-01T02:00:00Z",
  ...overrides,
});

export const invoiceDetail = (overrides: Partial<InvoiceDetail> = {}): InvoiceDetail => ({
  ...invoice(),
  credited_by_id: null,
  lines: [
    {
      transaction_id: 101,
      kind: "recurring",
      description: "Charge: Mobile 10GB, 2026-03-01 to 2026-03-31",
      service_id: 21,
      service_name: "Mobile 10GB",
      period_start: "2026-03-01",
      period_end: "2026-04-01",
      amount: "19.9900",
      tax_percentage: "20.00",
      tax_amount: "3.9980",
      total: "23.9880",
      void: false,
    },
  ],
  tax_summary: [{ tax_percentage: "20.00", net: "19.9900", tax: "3.9980" }],
  ...overrides,
});

/** A pro-forma: its lines were never stored, so they have no transaction (`transaction_id` null). */
export const proforma = (overrides: Partial<Proforma> = {}): Proforma => {
  const draft = invoiceDetail({
    status: "draft",
    invoice_number: null,
    issue_date: null,
    due_date: null,
    billing_run_id: null,
  });
  return {
    ...draft,
    invoice_id: null,
    lines: draft.lines.map((line) => ({ ...line, transaction_id: null })),
    ...overrides,
  };
};

export const run = (overrides: Partial<BillingRun> = {}): BillingRun => ({
  billing_run_id: 5,
  status: "queued",
  customer_id: 7,
  period_end: "2026-03-01",
  total: 0,
  processed: 0,
  transactions_created: 0,
  invoices_created: 0,
  error: null,
  requested_by_user_id: 1,
  created_at: "2026-03-01T10:00:00Z",
  started_at: null,
  finished_at: null,
  ...overrides,
});

/** A `billing.progress` message for run 5. */
export const progress = (overrides: Partial<BillingProgress> = {}): BillingProgress => ({
  billing_run_id: 5,
  status: "running",
  total: 4,
  processed: 1,
  transactions_created: 2,
  invoices_created: 1,
  error: null,
  ...overrides,
});

export const statement = (overrides: Partial<Statement> = {}): Statement => ({
  customer_id: 7,
  customer_name: "Acme Telecom",
  currency: "USD",
  date_from: "2026-01-01",
  date_to: "2026-03-31",
  opening_balance: "10.0000",
  closing_balance: "33.9880",
  lines: [
    {
      date: "2026-03-01",
      kind: "invoice",
      invoice_id: 55,
      reference: "INV-2026-000055",
      description: "Invoice, due 2026-03-15",
      debit: "23.9880",
      credit: "0.0000",
      balance: "33.9880",
    },
  ],
  ...overrides,
});

/** A list page as the API sends it: the rows plus the X-Pagination header. */
export const page = (rows: unknown[], pagination = { total: rows.length, total_pages: rows.length ? 1 : 0, page: 1 }) =>
  json(rows, { headers: { "X-Pagination": JSON.stringify(pagination) } });
