import { Text } from "@mantine/core";
import { ListTable, RowLink, type Column } from "@/components";
import { formatDate } from "@/lib/format";
import { formatMoney } from "@/lib/money";
import type { Invoice } from "../api";
import { invoiceLabel } from "../constants";
import { InvoiceKindBadge, InvoiceStatusBadge } from "./Badges";
import { InvoicePdfButton } from "./InvoicePdfButton";

const number: Column<Invoice> = {
  header: "Number",
  sort: "invoice_id",
  cell: (i) => (
    <RowLink to={`/invoices/${i.invoice_id}`} ff="monospace" data-testid="invoice-link">
      {invoiceLabel(i)}
    </RowLink>
  ),
};
const customer: Column<Invoice> = {
  header: "Customer",
  cell: (i) => <RowLink to={`/customers/${i.customer_id}`}>{i.customer_name || `#${i.customer_id}`}</RowLink>,
};
const rest: Column<Invoice>[] = [
  { header: "Kind", cell: (i) => <InvoiceKindBadge kind={i.kind} /> },
  { header: "Status", cell: (i) => <InvoiceStatusBadge status={i.status} /> },
  { header: "Issued", sort: "issue_date", cell: (i) => formatDate(i.issue_date) },
  { header: "Due", sort: "due_date", cell: (i) => formatDate(i.due_date) },
  {
    header: "Total",
    sort: "total",
    cell: (i) => formatMoney(i.total, i.currency),
    td: { style: { whiteSpace: "nowrap" }, ta: "right" },
  },
  {
    header: "Amount due",
    cell: (i) => (
      <Text size="sm" fw={i.amount_due.replace(/[0.]/g, "") ? 600 : undefined}>
        {formatMoney(i.amount_due, i.currency)}
      </Text>
    ),
    td: { style: { whiteSpace: "nowrap" }, ta: "right" },
  },
  { header: "PDF", cell: (i) => <InvoicePdfButton invoice={i} compact testId="invoice-row-pdf" /> },
];

interface InvoicesTableProps {
  rows: Invoice[];
  /** The customer column, left out on the customer's own page. */
  withCustomer?: boolean;
  empty: string;
  loading?: boolean;
  sort?: string;
  onSort?: (sort: string) => void;
  testId?: string;
}

/** Invoices and credit notes: number (to the invoice), status, dates, money, and the PDF. */
export function InvoicesTable({
  rows,
  withCustomer = true,
  empty,
  loading,
  sort,
  onSort,
  testId = "invoices-table",
}: InvoicesTableProps) {
  return (
    <ListTable
      rows={rows}
      columns={withCustomer ? [number, customer, ...rest] : [number, ...rest]}
      rowKey={(i) => i.invoice_id}
      href={(i) => `/invoices/${i.invoice_id}`}
      rowData={(i) => ({
        "data-testid": "invoice-row",
        "data-invoice-id": i.invoice_id,
        "data-status": i.status,
      })}
      empty={empty}
      testId={testId}
      minWidth={withCustomer ? 960 : 820}
      loading={loading}
      sort={sort}
      onSort={onSort}
    />
  );
}
