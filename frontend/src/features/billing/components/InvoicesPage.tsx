import { Badge, CloseButton, MultiSelect, Select } from "@mantine/core";
import { ListPage, SearchBox } from "@/components";
import { CustomerSelect } from "@/features/customers";
import { idOrUndefined, listOf, useListParams } from "@/lib/listParams";
import { useInvoices, type InvoiceKind, type InvoiceStatus } from "../api";
import { INVOICE_KIND_LABELS, INVOICE_KINDS, INVOICE_STATUS_LABELS, INVOICE_STATUSES } from "../constants";
import { InvoicesTable } from "./InvoicesTable";

const FILTERS = ["q", "status", "kind", "customer_id", "billing_run_id"] as const;

const oneOf = <T extends string>(values: readonly T[], value: string): T | undefined =>
  (values as readonly string[]).includes(value) ? (value as T) : undefined;

/** The statuses kept in the URL ("overdue,issued"), those the API knows; [] for none. */
const statusesOf = (value: string): InvoiceStatus[] =>
  (listOf(value) ?? []).filter((s): s is InvoiceStatus => oneOf(INVOICE_STATUSES, s) !== undefined);

/** Every invoice and credit note: by status, kind, customer or run, searched by number. */
export function InvoicesPage() {
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  const runId = idOrUndefined(params.billing_run_id);
  const statuses = statusesOf(params.status);
  const invoices = useInvoices({
    q: params.q || undefined,
    // Several statuses are one query: status=issued&status=overdue.
    status: statuses.length ? statuses : undefined,
    kind: oneOf<InvoiceKind>(INVOICE_KINDS, params.kind),
    customer_id: idOrUndefined(params.customer_id),
    billing_run_id: runId,
    ...list.paging,
  });

  return (
    <ListPage
      title="Invoices"
      description="Invoices and credit notes, newest first."
      query={invoices}
      list={list}
      noun="invoices"
      filters={
        <>
          <SearchBox
            value={params.q}
            onSearch={(q) => setParams({ q })}
            placeholder="Number, e.g. INV-2026-"
            testId="invoice-search"
          />
          <MultiSelect
            placeholder={statuses.length ? undefined : "Status"}
            aria-label="Status"
            data={INVOICE_STATUSES.map((value) => ({ value, label: INVOICE_STATUS_LABELS[value] }))}
            value={statuses}
            onChange={(values) => setParams({ status: values.join(",") })}
            clearable
            miw={160}
            maw={360}
            data-testid="invoice-filter-status"
          />
          <Select
            placeholder="Kind"
            aria-label="Kind"
            data={INVOICE_KINDS.map((value) => ({ value, label: INVOICE_KIND_LABELS[value] }))}
            value={params.kind || null}
            onChange={(kind) => setParams({ kind })}
            clearable
            w={150}
            data-testid="invoice-filter-kind"
          />
          <CustomerSelect
            value={idOrUndefined(params.customer_id) ?? null}
            onChange={(customerId) => setParams({ customer_id: customerId })}
            placeholder="Customer"
            w={220}
            testId="invoice-filter-customer"
          />
          {runId !== undefined && (
            <Badge
              size="lg"
              variant="light"
              rightSection={
                <CloseButton
                  size="xs"
                  aria-label="Any billing run"
                  onClick={() => setParams({ billing_run_id: null })}
                />
              }
              data-testid="invoice-filter-run"
            >
              Billing run #{runId}
            </Badge>
          )}
        </>
      }
    >
      {(rows, loading) => (
        <InvoicesTable rows={rows} empty="No invoices match" loading={loading} sort={list.sort} onSort={list.setSort} />
      )}
    </ListPage>
  );
}
