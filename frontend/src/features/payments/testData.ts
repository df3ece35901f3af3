/** Payment fixtures as the API sends them (used by this feature's *.test.tsx only). */
import type { Invoice } from "@/features/billing";
import { json } from "@/test/http";
import type {
  GatewayConfig,
  Payment,
  PaymentDetail,
  Reconciliation,
  ReconciliationDetail,
  ReconciliationItem,
  SavedCard,
} from "./api";

export const payment = (overrides: Partial<Payment> = {}): Payment => ({
  payment_id: 31,
  customer_id: 7,
  customer_name: "Acme Ltd",
  service_id: null,
  invoice_id: null,
  amount: "30.0000",
  currency: "USD",
  method: "card",
  status: "succeeded",
  gateway: "manual",
  gateway_reference: "manual-0123456789abcdef",
  payment_method_id: null,
  failure_code: null,
  failure_message: null,
  receipt_number: "RCT-2026-000031",
  amount_refunded: "0.0000",
  credit: "6.0120",
  note: null,
  created_by_user_id: 1,
  created_by_user_name: "Fay Finance",
  created_at: "2026-03-10T09:30:00Z",
  ...overrides,
});

export const paymentDetail = (overrides: Partial<PaymentDetail> = {}): PaymentDetail => ({
  ...payment(),
  allocations: [{ invoice_id: 55, invoice_number: "INV-2026-000055", amount: "23.9880" }],
  refunds: [],
  client_secret: null,
  ...overrides,
});

/** A card payment through Stripe that is not finished: 3-D Secure asked for, nothing applied. */
export const cardPayment = (overrides: Partial<PaymentDetail> = {}): PaymentDetail =>
  paymentDetail({
    payment_id: 40,
    gateway: "stripe",
    gateway_reference: "pi_3Example",
    payment_method_id: 3,
    status: "requires_action",
    failure_code: "authentication_required",
    receipt_number: null,
    credit: "0.0000",
    allocations: [],
    ...overrides,
  });

export const stripeGateway = (overrides: Partial<GatewayConfig> = {}): GatewayConfig => ({
  gateway: "stripe",
  card_payments: true,
  publishable_key: "pk_test_omnicrm",
  card_expiry_warning_days: 60,
  ...overrides,
});

export const manualGateway = (): GatewayConfig => ({
  gateway: "manual",
  card_payments: false,
  publishable_key: null,
  card_expiry_warning_days: 60,
});

export const savedCard = (overrides: Partial<SavedCard> = {}): SavedCard => ({
  payment_method_id: 3,
  customer_id: 7,
  customer_name: "Acme Telecom",
  gateway: "stripe",
  reference: "pm_1Visa",
  brand: "visa",
  last4: "4242",
  exp_month: 4,
  exp_year: 2029,
  expires_on: "2029-04-30",
  expired: false,
  expires_soon: false,
  is_default: true,
  expiry_reminded_at: null,
  created_at: "2026-01-05T10:00:00Z",
  removed_at: null,
  ...overrides,
});

export const reconciliation = (overrides: Partial<Reconciliation> = {}): Reconciliation => ({
  reconciliation_id: 12,
  gateway: "stripe",
  period_start: "2026-03-28T00:00:00Z",
  period_end: "2026-04-04T00:00:00Z",
  status: "done",
  gateway_records: 40,
  payments_checked: 41,
  matched: 38,
  mismatches: 2,
  resolved: 1,
  error: null,
  created_at: "2026-04-04T08:00:00Z",
  finished_at: "2026-04-04T08:00:09Z",
  ...overrides,
});

export const reconciliationItem = (overrides: Partial<ReconciliationItem> = {}): ReconciliationItem => ({
  item_id: 1,
  kind: "amount_differs",
  payment_id: 31,
  gateway_reference: "pi_3Amount",
  our_amount: "30.0000",
  gateway_amount: "25.0000",
  our_status: "succeeded",
  gateway_status: "succeeded",
  detail: "Stripe charged 25.00, we recorded 30.00",
  ...overrides,
});

export const reconciliationDetail = (overrides: Partial<ReconciliationDetail> = {}): ReconciliationDetail => ({
  ...reconciliation(),
  items: [reconciliationItem()],
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
