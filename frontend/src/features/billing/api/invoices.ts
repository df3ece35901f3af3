/** Invoices and credit notes: lists, one with its lines, issue, void, the PDF, pro-forma, statement, balance due. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, toApiError, unwrap, unwrapPage } from "@/api";
import { filenameFromResponse, saveBlob } from "@/lib/download";
import { OPEN_STATUSES } from "../constants";
import { fromUnits, toUnits } from "../decimal";
import { billingKeys } from "./keys";
import type { Invoice, InvoiceDetail, InvoiceListQuery } from "./types";

export function useInvoices(query: InvoiceListQuery, enabled = true) {
  return useQuery({
    queryKey: billingKeys.invoiceList(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/invoice/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useInvoice(invoiceId: number) {
  return useQuery({
    queryKey: billingKeys.invoiceDetail(invoiceId),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/invoice/{invoice_id}", { params: { path: { invoice_id: invoiceId } }, signal })),
  });
}

/** The list page size the API allows at most. */
const MAX_PAGE_SIZE = 100;

/** Every invoice matching `query`, page after page. */
async function allInvoices(query: InvoiceListQuery, signal: AbortSignal): Promise<Invoice[]> {
  const items: Invoice[] = [];
  for (let page = 1; ; page += 1) {
    const result = await unwrapPage(
      api.GET("/crm/invoice/", { params: { query: { ...query, page, page_size: MAX_PAGE_SIZE } }, signal }),
    );
    items.push(...result.items);
    if (page >= result.pagination.total_pages) return items;
  }
}

export interface BalanceDue {
  /** Currency → the exact sum of `amount_due` (a decimal string), in the order first seen. */
  byCurrency: { currency: string; amount: string }[];
  /** How many open invoices make it up. */
  count: number;
}

/** Sum `amount_due` per currency, exactly (see decimal.ts). */
export function sumAmountDue(invoices: readonly Pick<Invoice, "amount_due" | "currency">[]): BalanceDue {
  const totals = new Map<string, bigint>();
  for (const invoice of invoices) {
    totals.set(invoice.currency, (totals.get(invoice.currency) ?? 0n) + toUnits(invoice.amount_due));
  }
  return {
    byCurrency: [...totals].map(([currency, units]) => ({ currency, amount: fromUnits(units) })),
    count: invoices.length,
  };
}

/**
 * What the customer owes: the `amount_due` of their open invoices (issued, partially paid,
 * overdue). One list query names the three statuses (`status=issued&status=partially_paid&…`),
 * read page after page.
 */
export function useBalanceDue(customerId: number, enabled = true) {
  return useQuery({
    queryKey: billingKeys.balanceDue(customerId),
    enabled,
    queryFn: async ({ signal }) =>
      sumAmountDue(await allInvoices({ customer_id: customerId, kind: "invoice", status: [...OPEN_STATUSES] }, signal)),
  });
}

/** After an issue or a void: the record, and every list, balance and statement that shows it. */
function useInvoiceUpdated(invoiceId: number) {
  const queryClient = useQueryClient();
  return (invoice: InvoiceDetail) => {
    queryClient.setQueryData(billingKeys.invoiceDetail(invoiceId), invoice);
    // A voided draft returns its lines to be invoiced again.
    void queryClient.invalidateQueries({ queryKey: billingKeys.transactions() });
    void queryClient.invalidateQueries({ queryKey: billingKeys.proformas() });
    return queryClient.invalidateQueries({
      queryKey: billingKeys.invoices(),
      predicate: (q) => q.queryKey[3] !== invoiceId || q.queryKey[2] !== "detail",
    });
  };
}

/** Issue a draft: it gets its number, issue and due dates, and the customer is e-mailed. */
export function useIssueInvoice(invoiceId: number) {
  const onSuccess = useInvoiceUpdated(invoiceId);
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/crm/invoice/{invoice_id}/issue", { params: { path: { invoice_id: invoiceId } } })),
    onSuccess,
  });
}

/** Void with a reason: an issued invoice by a credit note (`credited_by_id`), a draft by discarding it. */
export function useVoidInvoice(invoiceId: number) {
  const onSuccess = useInvoiceUpdated(invoiceId);
  return useMutation({
    mutationFn: ({ reason }: { action: "void"; reason: string }) =>
      unwrap(
        api.POST("/crm/invoice/{invoice_id}/void", { params: { path: { invoice_id: invoiceId } }, body: { reason } }),
      ),
    onSuccess,
  });
}

/** Fetch the invoice PDF through the client (bearer token, refresh) and save it as a file. */
export async function downloadInvoicePdf(invoiceId: number, fallbackName: string): Promise<void> {
  const { data, error, response } = await api.GET("/crm/invoice/{invoice_id}/pdf", {
    params: { path: { invoice_id: invoiceId } },
    parseAs: "blob",
  });
  if (!response.ok || !data) throw toApiError(error, response);
  saveBlob(data, filenameFromResponse(response, fallbackName));
}

/** The customer's next invoice if billed up to `periodEnd` (today when null): computed, nothing written. */
export function useProforma(customerId: number, periodEnd: string | null, enabled = true) {
  return useQuery({
    queryKey: billingKeys.proforma(customerId, periodEnd),
    enabled,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/invoice/proforma", {
          params: { query: { customer_id: customerId, period_end: periodEnd } },
          signal,
        }),
      ),
  });
}

/** The account statement between two days (YYYY-MM-DD, both included). */
export function useStatement(customerId: number, from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: billingKeys.statement(customerId, from, to),
    enabled,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/customer/{customer_id}/statement", {
          params: { path: { customer_id: customerId }, query: { date_from: from, date_to: to } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
