import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { formatDate } from "@/lib/format";
import { renderRoutes } from "@/test/render";
import { invoice, invoiceDetail, page } from "../testData";
import { InvoiceDetailPage } from "./InvoiceDetailPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["invoice.read", "invoice.write", "invoice.void"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/invoice/55", () => json(invoiceDetail()));
  return () => vi.unstubAllGlobals();
});

afterEach(() => vi.restoreAllMocks());

const renderInvoice = () =>
  renderRoutes(
    [
      { path: "/invoices/:invoiceId", element: <InvoiceDetailPage /> },
      { path: "/customers/:id", element: <p>customer page</p> },
    ],
    "/invoices/55",
  );

describe("InvoiceDetailPage", () => {
  it("shows the header, the lines, the tax summary and the totals as the API sends them", async () => {
    renderInvoice();
    expect(await screen.findByTestId("invoice-number")).toHaveTextContent("INV-2026-000055");
    expect(screen.getByTestId("invoice-status")).toHaveTextContent("Issued");
    expect(screen.getByTestId("invoice-kind")).toHaveTextContent("Invoice");
    expect(screen.getByTestId("invoice-customer")).toHaveAttribute("href", "/customers/7");
    expect(screen.getByTestId("invoice-customer")).toHaveTextContent("Acme Telecom");
    expect(screen.getByTestId("invoice-due-date")).not.toHaveTextContent("—");

    const line = within(screen.getByTestId("invoice-lines")).getByTestId("invoice-line");
    expect(line).toHaveTextContent("Charge: Mobile 10GB, 2026-03-01 to 2026-03-31");
    expect(within(line).getByTestId("invoice-line-amount")).toHaveTextContent("19.99 USD");
    // period_end 2026-04-01 is exclusive: the period shown ends on the description's last day.
    const march = `${formatDate("2026-03-01")} – ${formatDate("2026-03-31")}`;
    expect(within(line).getByTestId("invoice-line-period")).toHaveTextContent(march);
    expect(screen.getByTestId("invoice-period")).toHaveTextContent(march);
    expect(line).toHaveTextContent("20.00%");
    expect(line).toHaveTextContent("3.998 USD");
    expect(line).toHaveTextContent("23.988 USD");
    expect(within(screen.getByTestId("invoice-tax-summary")).getByTestId("tax-rate")).toHaveTextContent(
      "20.00%19.99 USD3.998 USD",
    );
    expect(screen.getByTestId("invoice-subtotal")).toHaveTextContent("19.99 USD");
    expect(screen.getByTestId("invoice-tax-total")).toHaveTextContent("3.998 USD");
    expect(screen.getByTestId("invoice-total")).toHaveTextContent("23.988 USD");
    expect(screen.getByTestId("invoice-amount-paid")).toHaveTextContent("0.00 USD");
    expect(screen.getByTestId("invoice-amount-due")).toHaveTextContent("23.988 USD");
    // Issued: no Issue button; void allowed.
    expect(screen.queryByTestId("invoice-issue")).not.toBeInTheDocument();
    expect(screen.getByTestId("invoice-void")).toBeInTheDocument();
  });

  it("voids with a reason and links to the credit note that cancels it", async () => {
    fetch.on("POST /crm/invoice/55/void", () => errorBody(409, "invoice_state", "invoice 55 has 5.00 paid on it"));
    renderInvoice();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("invoice-void"));
    await user.type(await screen.findByTestId("reason-input"), "billed the wrong plan");
    await user.click(screen.getByTestId("reason-submit"));
    expect(await screen.findByTestId("reason-error")).toHaveTextContent("invoice 55 has 5.00 paid on it");

    const voided = invoiceDetail({
      status: "void",
      void_reason: "billed the wrong plan",
      voided_at: "2026-03-02T09:00:00Z",
      amount_due: "0.0000",
      credited_by_id: 56,
    });
    fetch.on("POST /crm/invoice/55/void", () => json(voided));
    fetch.on("GET /crm/invoice/55", () => json(voided));
    await user.click(screen.getByTestId("reason-submit"));

    await waitFor(() => expect(screen.getByTestId("invoice-status")).toHaveTextContent("Void"));
    expect(await fetch.callsTo("POST /crm/invoice/55/void")[1].json()).toEqual({ reason: "billed the wrong plan" });
    const notice = screen.getByTestId("invoice-void-notice");
    expect(notice).toHaveTextContent("billed the wrong plan");
    expect(within(notice).getByTestId("invoice-credit-note")).toHaveAttribute("href", "/invoices/56");
    expect(screen.queryByTestId("invoice-void")).not.toBeInTheDocument();
  });

  it("issues a draft after confirmation", async () => {
    const draft = invoiceDetail({ status: "draft", invoice_number: null, issue_date: null, due_date: null });
    fetch.on("GET /crm/invoice/55", () => json(draft));
    fetch.on("POST /crm/invoice/55/issue", () => json(invoiceDetail({ invoice_number: "INV-2026-000060" })));
    renderInvoice();
    const user = userEvent.setup();
    expect(await screen.findByTestId("invoice-number")).toHaveTextContent("Draft #55");
    await user.click(screen.getByTestId("invoice-issue"));
    await user.click(await screen.findByTestId("confirm-action"));
    await waitFor(() => expect(screen.getByTestId("invoice-number")).toHaveTextContent("INV-2026-000060"));
    expect(fetch.callsTo("POST /crm/invoice/55/issue")).toHaveLength(1);
  });

  it("shows Issue and Void only with invoice.write and invoice.void", async () => {
    fetch.on("GET /crm/invoice/55", () => json(invoiceDetail({ status: "draft", invoice_number: null })));
    useSession.setState({ permissions: ["invoice.read"] });
    renderInvoice();
    await screen.findByTestId("invoice-number");
    expect(screen.getByTestId("invoice-pdf")).toBeInTheDocument();
    expect(screen.queryByTestId("invoice-issue")).not.toBeInTheDocument();
    expect(screen.queryByTestId("invoice-void")).not.toBeInTheDocument();
  });

  it("offers no Void on a credit note, and links back to the invoice it credits", async () => {
    fetch.on("GET /crm/invoice/55", () =>
      json(invoiceDetail({ kind: "credit_note", invoice_number: "CN-2026-000001", credit_note_for_id: 54 })),
    );
    renderInvoice();
    expect(await screen.findByTestId("invoice-kind")).toHaveTextContent("Credit note");
    expect(screen.getByTestId("invoice-credits")).toHaveAttribute("href", "/invoices/54");
    expect(screen.queryByTestId("invoice-void")).not.toBeInTheDocument();
  });

  it("records a payment on an open invoice, the invoice picked and its amount due filled in", async () => {
    useSession.setState({ permissions: ["invoice.read", "payment.write"] });
    fetch.on("GET /crm/invoice/", () => page([invoice()]));
    fetch.on("POST /crm/payment/", async (r) => {
      const body = await r.json();
      fetch.on("GET /crm/invoice/55", () =>
        json(invoiceDetail({ status: "paid", paid: true, amount_paid: "23.9880", amount_due: "0.0000" })),
      );
      return json(
        {
          payment_id: 31,
          customer_id: 7,
          service_id: null,
          invoice_id: 55,
          amount: body.amount,
          currency: "USD",
          method: body.method,
          status: "succeeded",
          gateway: "manual",
          gateway_reference: "manual-0123456789abcdef",
          receipt_number: "RCT-2026-000031",
          amount_refunded: "0.0000",
          credit: "0.0000",
          note: null,
          created_by_user_id: 1,
          created_at: "2026-03-10T09:30:00Z",
          allocations: [{ invoice_id: 55, invoice_number: "INV-2026-000055", amount: "23.9880" }],
          refunds: [],
        },
        { status: 201 },
      );
    });
    renderInvoice();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("invoice-record-payment"));
    expect(await screen.findByTestId("payment-amount")).toHaveValue("23.988");
    expect(screen.getByTestId("payment-invoice")).toHaveValue("INV-2026-000055 · due 23.988 USD");
    await user.click(screen.getByTestId("payment-submit"));

    expect(await screen.findByTestId("payment-result-allocation")).toHaveTextContent("INV-2026-000055");
    expect(await fetch.callsTo("POST /crm/payment/")[0].json()).toEqual({
      customer_id: 7,
      amount: "23.988",
      method: "card",
      invoice_id: 55,
    });
    // The invoice is read again: paid, so no more payments are offered on it.
    await waitFor(() => expect(screen.getByTestId("invoice-status")).toHaveTextContent("Paid"));
    expect(screen.queryByTestId("invoice-record-payment")).not.toBeInTheDocument();
  });

  it("offers Record payment only on an open invoice and with payment.write", async () => {
    useSession.setState({ permissions: ["invoice.read", "payment.write"] });
    for (const status of ["draft", "paid", "void"] as const) {
      fetch.on("GET /crm/invoice/55", () => json(invoiceDetail({ status })));
      const { unmount } = renderInvoice();
      await waitFor(() => expect(screen.getByTestId("invoice-status")).toHaveAttribute("data-status", status));
      expect(screen.queryByTestId("invoice-record-payment")).not.toBeInTheDocument();
      unmount();
    }
    fetch.on("GET /crm/invoice/55", () => json(invoiceDetail({ kind: "credit_note", status: "issued" })));
    const creditNote = renderInvoice();
    await screen.findByTestId("invoice-kind");
    expect(screen.queryByTestId("invoice-record-payment")).not.toBeInTheDocument();
    creditNote.unmount();

    fetch.on("GET /crm/invoice/55", () => json(invoiceDetail({ status: "overdue" })));
    const overdue = renderInvoice();
    expect(await screen.findByTestId("invoice-record-payment")).toBeInTheDocument();
    overdue.unmount();

    useSession.setState({ permissions: ["invoice.read"] });
    renderInvoice();
    await screen.findByTestId("invoice-number");
    expect(screen.queryByTestId("invoice-record-payment")).not.toBeInTheDocument();
  });

  it("downloads the PDF with the bearer token and saves it under the server's file name", async () => {
    fetch.on(
      "GET /crm/invoice/55/pdf",
      () =>
        // A string body: a jsdom Blob would reach undici's Response as "[object Blob]".
        new Response("%PDF-1.4 INV-2026-000055", {
          headers: {
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="INV-2026-000055.pdf"',
          },
        }),
    );
    const createObjectURL = vi.fn<(blob: Blob) => string>(() => "blob:pdf");
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderInvoice();
    await userEvent.setup().click(await screen.findByTestId("invoice-pdf"));

    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    const [blob] = createObjectURL.mock.calls[0];
    expect(blob.type).toBe("application/pdf");
    expect(await blob.text()).toBe("%PDF-1.4 INV-2026-000055");
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("INV-2026-000055.pdf");
    const [request] = fetch.callsTo("GET /crm/invoice/55/pdf");
    expect(request.headers.get("Authorization")).toBe("Bearer access-1");
  });
});
