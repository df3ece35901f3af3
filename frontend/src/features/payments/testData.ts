/** Payment fixtures as the API sends them (used by this feature's *.test.tsx only). */
import type { Invoice } from "@/features/billing";
import { json } from "@/test/http";
import type { Payment, PaymentDetail } from "./api";

export const payment = (overrides: Partial<Payment> = {}): Payment => ({
  payment_id: 31,
  customer_id: 7,
  service_id: null,
  invoice_id: null,
  amount: "30.0000",
  currency: "USD",
  method: "card",
  status: "succeeded",
  gateway: "manual",
  gateway_reference: "manual-0123456789abcdef",
  receipt_number: "RCT-2026-000031",
  amount_refunded: "0.0000",
  credit: "6.0120",
  note: null,
  created_by_user_id: 1,
  created_at: "2026-03-10T09:30:00Z",
  ...overrides,
});

export const paymentDetail = (overrides: Partial<PaymentDetail> = {}): PaymentDetail => ({
  ...payment(),
  allocations: [{ invoice_id: 55, invoice_number: "INV-2026-000055", amount: "23.9880" }],
  refunds: [],
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

/** A list page as the API sends it: the rows plus the X-Pagination header. */
export const page = (rows: unknown[], pagination = { total: rows.length, total_pages: rows.length ? 1 : 0, page: 1 }) =>
  json(rows, { headers: { "X-Pagination": JSON.stringify(pagination) } });
