import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { CustomerDetailPage } from "@/features/customers";
import type { PaymentDetail } from "@/features/payments";
import { customer, login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { formatDate } from "@/lib/format";
import { renderRoutes } from "@/test/render";
import type { Invoice } from "../api";
import { invoice, invoiceDetail, page, progress, proforma, run, statement, transaction } from "../testData";
import { latestSocket, resetSockets } from "@/test/socket";
import { CustomerBillingTab } from "./CustomerBillingTab";

vi.mock("socket.io-client", () => import("@/test/socket"));

const ALL = ["customer.read", "invoice.read", "invoice.write", "invoice.void", "transaction.read", "transaction.write"];

let fetch: StubFetch;
/** The customer's invoices, filtered by the statuses GET /crm/invoice/?status=…&status=… names. */
let invoices: Invoice[];

beforeEach(() => {
  resetSockets();
  useSession.getState().signIn(login({ permissions: ALL }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  invoices = [
    invoice({ invoice_id: 1, invoice_number: "INV-2026-000001", status: "issued", amount_due: "0.10" }),
    invoice({ invoice_id: 2, invoice_number: "INV-2026-000002", status: "overdue", amount_due: "0.2000" }),
    invoice({ invoice_id: 3, invoice_number: "INV-2026-000003", status: "paid", amount_due: "0.0000" }),
  ];
  fetch.on("GET /crm/invoice/", (r) => {
    // status is a list, repeated: status=issued&status=overdue.
    const statuses = new URL(r.url).searchParams.getAll("status");
    return page(statuses.length ? invoices.filter((i) => statuses.includes(i.status)) : invoices);
  });
  fetch.on("GET /crm/transaction/", () =>
    page([
      transaction({ transaction_id: 101, description: "Late fee", kind: "charge" }),
      transaction({ transaction_id: 102, invoice_id: 1, invoice_number: "INV-2026-000001" }),
      transaction({ transaction_id: 103, void: true, void_reason: "typo", description: "Wrong fee" }),
    ]),
  );
  fetch.on("GET /crm/customer/7/statement", () => json(statement()));
  return () => vi.unstubAllGlobals();
});

const renderTab = () => renderRoutes(<CustomerBillingTab customerId={7} currency="USD" />);
const rowOf = (id: number) =>
  screen.getAllByTestId("transaction-row").find((r) => r.dataset.transactionId === String(id))!;

describe("CustomerBillingTab", () => {
  it("sums amount_due of the open invoices exactly, read with one list query for the three open statuses", async () => {
    renderTab();
    // 0.10 + 0.20 in floats is 0.30000000000000004: the sum is made on integers.
    expect(await screen.findByTestId("billing-balance-due")).toHaveTextContent("0.30 USD");
    expect(screen.getByTestId("billing-open-invoices")).toHaveTextContent("On 2 open invoices");
    const asked = fetch
      .callsTo("GET /crm/invoice/")
      .map((r) => new URL(r.url).searchParams)
      .filter((q) => q.has("status"));
    expect(asked).toHaveLength(1);
    expect(asked[0].getAll("status")).toEqual(["issued", "partially_paid", "overdue"]);
    expect(asked[0].get("customer_id")).toBe("7");
    expect(asked[0].get("kind")).toBe("invoice");
    expect(asked[0].get("page")).toBe("1");
    expect(asked[0].get("page_size")).toBe("100");
  });

  it("reads every page of the open invoices into the balance due", async () => {
    const open = (n: number) =>
      invoice({ invoice_id: n, status: n % 2 ? "issued" : "partially_paid", amount_due: "1.01" });
    fetch.on("GET /crm/invoice/", (r) => {
      const query = new URL(r.url).searchParams;
      if (!query.has("status")) return page([]);
      const n = Number(query.get("page"));
      const rows = n === 1 ? [open(1), open(2)] : [open(3)];
      return page(rows, { total: 3, total_pages: 2, page: n });
    });
    renderTab();
    expect(await screen.findByTestId("billing-balance-due")).toHaveTextContent("3.03 USD");
    expect(screen.getByTestId("billing-open-invoices")).toHaveTextContent("On 3 open invoices");
    const pages = fetch
      .callsTo("GET /crm/invoice/")
      .map((r) => new URL(r.url).searchParams)
      .filter((q) => q.has("status"));
    expect(pages.map((q) => q.get("page"))).toEqual(["1", "2"]);
    expect(pages.every((q) => q.getAll("status").join() === "issued,partially_paid,overdue")).toBe(true);
  });

  it("lists invoices with links and PDF buttons, transactions with filters, and the statement", async () => {
    renderTab();
    const table = await screen.findByTestId("customer-invoices-table");
    expect(await within(table).findByRole("link", { name: "INV-2026-000002" })).toHaveAttribute("href", "/invoices/2");
    expect(within(table).getAllByTestId("invoice-row-pdf")).toHaveLength(3);

    await screen.findAllByTestId("transaction-row");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("transactions-filter-invoiced"));
    await user.click(await screen.findByRole("option", { name: "Not invoiced", hidden: true }));
    await waitFor(() =>
      expect(new URL(fetch.callsTo("GET /crm/transaction/").at(-1)!.url).searchParams.get("invoiced")).toBe("false"),
    );
    expect(new URL(fetch.callsTo("GET /crm/transaction/").at(-1)!.url).searchParams.get("customer_id")).toBe("7");

    expect(await screen.findByTestId("statement-closing")).toHaveTextContent("33.988 USD");
    expect(screen.getByTestId("statement-opening")).toHaveTextContent("10.00 USD");
  });

  it("shows a transaction's period up to its last day (period_end is exclusive)", async () => {
    fetch.on("GET /crm/transaction/", () =>
      page([transaction({ transaction_id: 101, period_start: "2026-12-01", period_end: "2027-01-01" })]),
    );
    renderTab();
    await screen.findAllByTestId("transaction-row");
    expect(rowOf(101)).toHaveTextContent(`${formatDate("2026-12-01")} – ${formatDate("2026-12-31")}`);
    expect(rowOf(101)).not.toHaveTextContent(formatDate("2027-01-01"));
  });

  it("shows the statement in the currency it names, not the customer's", async () => {
    fetch.on("GET /crm/customer/7/statement", () => json(statement({ currency: "EUR" })));
    renderTab();
    expect(await screen.findByTestId("statement-closing")).toHaveTextContent("33.988 EUR");
    expect(screen.getByTestId("statement-opening")).toHaveTextContent("10.00 EUR");
    const table = screen.getByTestId("statement-table");
    expect(within(table).getByTestId("statement-line")).toHaveTextContent("23.988 EUR");
    expect(table).not.toHaveTextContent("USD");
  });

  it("voids only uninvoiced live transactions, showing a 409 as the API words it", async () => {
    renderTab();
    await screen.findAllByTestId("transaction-row");
    expect(within(rowOf(102)).queryByTestId("transaction-void")).not.toBeInTheDocument();
    expect(within(rowOf(103)).queryByTestId("transaction-void")).not.toBeInTheDocument();
    expect(within(rowOf(103)).getByTestId("transaction-void-reason")).toHaveTextContent("typo");

    fetch.on("POST /crm/transaction/101/void", () =>
      errorBody(409, "transaction_locked", "transaction 101 is on invoice 9: void the invoice (a credit note) instead"),
    );
    const user = userEvent.setup();
    await user.click(within(rowOf(101)).getByTestId("transaction-void"));
    await user.click(await screen.findByTestId("reason-submit"));
    expect(await screen.findByText("A reason is required")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/transaction/101/void")).toHaveLength(0);

    await user.type(screen.getByTestId("reason-input"), "charged twice");
    await user.click(screen.getByTestId("reason-submit"));
    expect(await screen.findByTestId("reason-error")).toHaveTextContent("transaction 101 is on invoice 9");
    expect(await fetch.callsTo("POST /crm/transaction/101/void")[0].json()).toEqual({ reason: "charged twice" });

    fetch.on("POST /crm/transaction/101/void", () =>
      json(transaction({ transaction_id: 101, void: true, void_reason: "charged twice" })),
    );
    const listed = fetch.callsTo("GET /crm/transaction/").length;
    await user.click(screen.getByTestId("reason-submit"));
    await waitFor(() => expect(screen.queryByTestId("reason-form")).not.toBeInTheDocument());
    await waitFor(() => expect(fetch.callsTo("GET /crm/transaction/").length).toBeGreaterThan(listed));
  });

  it("shows write actions only with the permissions for them", async () => {
    useSession.setState({ permissions: ["customer.read", "invoice.read", "transaction.read"] });
    renderTab();
    await screen.findAllByTestId("transaction-row");
    expect(screen.getByTestId("billing-proforma")).toBeInTheDocument();
    expect(screen.queryByTestId("billing-add-charge")).not.toBeInTheDocument();
    expect(screen.queryByTestId("billing-run-customer")).not.toBeInTheDocument();
    expect(screen.queryByTestId("transaction-void")).not.toBeInTheDocument();
    expect(screen.queryByTestId("billing-record-payment")).not.toBeInTheDocument();
    // No payment.read: no payments card, and nothing asked for it.
    expect(screen.queryByTestId("billing-payments")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/payment/")).toHaveLength(0);
    expect(screen.queryByTestId("billing-cards")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/payment-method/")).toHaveLength(0);
  });

  it("lists the payments and records one against an open invoice, then reads the balance due again", async () => {
    useSession.setState({ permissions: [...ALL, "payment.read", "payment.write", "payment.refund"] });
    const recorded: PaymentDetail = {
      payment_id: 31,
      customer_id: 7,
      customer_name: "Acme Ltd",
      service_id: null,
      invoice_id: 2,
      amount: "0.5000",
      currency: "USD",
      method: "cash",
      status: "succeeded",
      gateway: "manual",
      gateway_reference: "manual-0123456789abcdef",
      payment_method_id: null,
      failure_code: null,
      failure_message: null,
      receipt_number: "RCT-2026-000031",
      amount_refunded: "0.0000",
      credit: "0.3000",
      note: null,
      created_by_user_id: 1,
      created_by_user_name: "Fay Finance",
      created_at: "2026-03-10T09:30:00Z",
      allocations: [{ invoice_id: 2, invoice_number: "INV-2026-000002", amount: "0.2000" }],
      refunds: [],
      client_secret: null,
    };
    const { allocations: _a, refunds: _r, ...row } = recorded;
    let payments: unknown[] = [];
    fetch.on("GET /crm/payment/", () => page(payments));
    fetch.on("GET /crm/payment/31", () => json(recorded));
    fetch.on("GET /crm/payment/gateway", () =>
      json({ gateway: "manual", card_payments: false, publishable_key: null, card_expiry_warning_days: 60 }),
    );
    fetch.on("GET /crm/payment-method/", () => json([]));
    fetch.on("POST /crm/payment/", () => {
      payments = [row];
      invoices = invoices.map((i) => (i.invoice_id === 2 ? { ...i, status: "paid", amount_due: "0.0000" } : i));
      return json(recorded, { status: 201 });
    });
    renderTab();
    const card = await screen.findByTestId("billing-payments");
    expect(await within(card).findByText("No payments yet")).toBeInTheDocument();
    // The saved cards sit beside the payments (no Stripe here: none can be added).
    const cards = screen.getByTestId("billing-cards");
    expect(await within(cards).findByText("No saved cards")).toBeInTheDocument();
    expect(within(cards).getByTestId("cards-not-configured")).toBeInTheDocument();
    expect(await screen.findByTestId("billing-balance-due")).toHaveTextContent("0.30 USD");

    const user = userEvent.setup();
    await user.click(screen.getByTestId("billing-record-payment"));
    await user.type(await screen.findByTestId("payment-amount"), "0.50");
    await user.click(screen.getByTestId("payment-method"));
    await user.click(await screen.findByRole("option", { name: "Cash", hidden: true }));
    await user.click(screen.getByText("One invoice"));
    await user.click(screen.getByTestId("payment-invoice"));
    // Only the open invoices are offered (not INV-2026-000003, paid).
    const options = await screen.findAllByRole("option", { name: /INV-2026/, hidden: true });
    expect(options.map((o) => o.textContent)).toEqual([
      "INV-2026-000001 · due 0.10 USD",
      "INV-2026-000002 · due 0.20 USD",
    ]);
    await user.click(options[1]);
    await user.click(screen.getByTestId("payment-submit"));

    const result = await screen.findByTestId("payment-result");
    expect(within(result).getByTestId("payment-result-allocation")).toHaveTextContent("INV-2026-000002");
    expect(within(result).getByTestId("payment-result-credit")).toHaveTextContent("0.30 USD is kept as account credit");
    expect(await fetch.callsTo("POST /crm/payment/")[0].json()).toEqual({
      customer_id: 7,
      amount: "0.50",
      method: "cash",
      invoice_id: 2,
    });
    await user.click(screen.getByTestId("payment-done"));

    // The payment is listed, and the invoice it paid is no longer due.
    await waitFor(() => expect(screen.getByTestId("billing-balance-due")).toHaveTextContent("0.10 USD"));
    const listed = await within(card).findByTestId("payment-row");
    expect(await within(listed).findByTestId("payment-allocation")).toHaveTextContent("INV-2026-000002");
    expect(within(listed).getByTestId("payment-refund")).toBeInTheDocument();
  });

  it("shows the pro-forma: the next invoice's lines and totals, unnumbered", async () => {
    const [stored] = invoiceDetail().lines;
    // Lines never stored: no transaction id (null), and nothing makes their descriptions unique.
    const april = {
      ...stored,
      transaction_id: null,
      description: "Charge: Mobile 10GB, 2026-04-01 to 2026-04-30",
      period_start: "2026-04-01",
      period_end: "2026-05-01",
    };
    fetch.on("GET /crm/invoice/proforma", () =>
      json(proforma({ period_start: "2026-04-01", period_end: "2026-05-01", lines: [april, april] })),
    );
    const consoleError = vi.spyOn(console, "error");
    renderTab();
    await userEvent.setup().click(await screen.findByTestId("billing-proforma"));
    const shown = await screen.findByTestId("proforma");
    expect(within(shown).getByTestId("proforma-status")).toHaveTextContent("Draft");
    const lines = within(shown).getAllByTestId("invoice-line");
    expect(lines).toHaveLength(2);
    const aprilShown = `${formatDate("2026-04-01")} – ${formatDate("2026-04-30")}`;
    for (const line of lines) {
      expect(line).toHaveTextContent("Charge: Mobile 10GB, 2026-04-01 to 2026-04-30");
      expect(within(line).getByTestId("invoice-line-period")).toHaveTextContent(aprilShown);
    }
    expect(shown).toHaveTextContent(`Acme Telecom · ${aprilShown}`);
    // Keys from description + index: React saw no duplicate keys.
    expect(consoleError.mock.calls.flat().join(" ")).not.toMatch(/same key/);
    consoleError.mockRestore();
    expect(within(shown).getByTestId("invoice-total")).toHaveTextContent("23.988 USD");
    expect(within(shown).queryByTestId("invoice-amount-due")).not.toBeInTheDocument();
    expect(new URL(fetch.callsTo("GET /crm/invoice/proforma")[0].url).searchParams.get("customer_id")).toBe("7");
  });

  it("runs billing for the customer, follows it live and then reads the invoices again", async () => {
    fetch.on("POST /crm/billing/run", () => json(run({ status: "queued" }), { status: 202 }));
    fetch.on("GET /crm/billing/run/5", () => json(run({ status: "queued" })));
    renderTab();
    const user = userEvent.setup();
    await screen.findByTestId("customer-invoices-table");
    await user.click(screen.getByTestId("billing-run-customer"));

    expect(await screen.findByTestId("billing-run-status")).toHaveTextContent("Queued");
    expect(await fetch.callsTo("POST /crm/billing/run")[0].json()).toEqual({ customer_id: 7 });
    await waitFor(() => expect(latestSocket().url).toBe("/billing"));
    const socket = latestSocket();
    act(() => socket.serverConnect());
    expect(socket.joins()).toEqual([{ room: "billing-run:5" }]);

    act(() => socket.serverEmit("billing.progress", progress({ status: "running", total: 1, processed: 0 })));
    await waitFor(() => expect(screen.getByTestId("billing-run-status")).toHaveTextContent("Running"));
    expect(screen.getByTestId("billing-live")).toHaveTextContent("Live");

    const listed = fetch.callsTo("GET /crm/invoice/").length;
    invoices = [...invoices, invoice({ invoice_id: 4, invoice_number: "INV-2026-000004", status: "issued" })];
    fetch.on("GET /crm/billing/run/5", () =>
      json(run({ status: "done", total: 1, processed: 1, transactions_created: 2, invoices_created: 1 })),
    );
    act(() =>
      socket.serverEmit(
        "billing.progress",
        progress({ status: "done", total: 1, processed: 1, transactions_created: 2, invoices_created: 1 }),
      ),
    );
    expect(await screen.findByTestId("billing-run-result")).toHaveTextContent("2 transactions and 1 invoice created.");
    expect(screen.getByTestId("billing-run-progress")).toHaveAttribute("aria-valuenow", "100");
    expect(screen.getByTestId("billing-run-invoices")).toHaveAttribute("href", "/invoices?billing_run_id=5");
    await waitFor(() => expect(fetch.callsTo("GET /crm/invoice/").length).toBeGreaterThan(listed));
    expect(await screen.findByRole("link", { name: "INV-2026-000004" })).toHaveAttribute("href", "/invoices/4");
  });
});

describe("the customer page's Billing tab", () => {
  beforeEach(() => {
    fetch.on("GET /crm/customer/7", () => json(customer()));
  });

  const renderCustomer = (search = "") =>
    renderRoutes([{ path: "/customers/:customerId", element: <CustomerDetailPage /> }], `/customers/7${search}`);

  it("opens on ?tab=billing", async () => {
    renderCustomer("?tab=billing");
    expect(await screen.findByTestId("customer-billing")).toBeInTheDocument();
    expect(await screen.findByTestId("billing-balance-due")).toHaveTextContent("0.30 USD");
  });

  it("is not offered without invoice.read or transaction.read", async () => {
    useSession.setState({ permissions: ["customer.read"] });
    renderCustomer("?tab=billing");
    expect(await screen.findByTestId("tab-contacts")).toBeInTheDocument();
    expect(screen.queryByTestId("tab-billing")).not.toBeInTheDocument();
    expect(screen.queryByTestId("customer-billing")).not.toBeInTheDocument();
  });
});
