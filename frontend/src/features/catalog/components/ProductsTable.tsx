import { Badge, Text } from "@mantine/core";
import { ListTable, RowLink, type Column } from "@/components";
import { formatDate } from "@/lib/format";
import { formatMoney } from "@/lib/money";
import type { Product } from "../api";
import { BILLING_PERIOD_LABELS } from "../constants";
import { CategoryBadge } from "./CategoryBadge";

interface ProductsTableProps {
  products: Product[];
  sort: string;
  onSort: (sort: string) => void;
  loading?: boolean;
}

const COLUMNS: Column<Product>[] = [
  {
    header: "Name",
    sort: "product_name",
    cell: (p) => (
      <>
        <RowLink to={`/products/${p.product_id}`} fw={500}>
          {p.product_name}
        </RowLink>
        <Text size="xs" c="dimmed">
          {p.product_slug}
        </Text>
      </>
    ),
  },
  { header: "Category", cell: (p) => <CategoryBadge category={p.category} /> },
  {
    header: "Price",
    sort: "retail_cost",
    cell: (p) => (
      <>
        <Text size="sm">{formatMoney(p.retail_cost, p.currency)}</Text>
        {p.retail_setup_cost && !/^0(\.0*)?$/.test(p.retail_setup_cost) && (
          <Text size="xs" c="dimmed">
            + {formatMoney(p.retail_setup_cost)} setup
          </Text>
        )}
      </>
    ),
  },
  { header: "Billing", cell: (p) => BILLING_PERIOD_LABELS[p.billing_period] ?? p.billing_period },
  {
    header: "Sold to",
    cell: (p) => [p.prepaid_eligible && "Prepaid", p.postpaid_eligible && "Postpaid"].filter(Boolean).join(", "),
  },
  {
    header: "Status",
    cell: (p) => (
      <Badge color={p.enabled ? "teal" : "gray"} variant="light">
        {p.enabled ? "Enabled" : "Disabled"}
      </Badge>
    ),
  },
  { header: "Created", sort: "created_at", cell: (p) => formatDate(p.created_at) },
];

export function ProductsTable({ products, sort, onSort, loading }: ProductsTableProps) {
  return (
    <ListTable
      rows={products}
      columns={COLUMNS}
      rowKey={(p) => p.product_id}
      href={(p) => `/products/${p.product_id}`}
      rowData={(p) => ({ "data-testid": `product-row-${p.product_id}` })}
      empty="No products match"
      testId="products-table"
      minWidth={900}
      loading={loading}
      sort={sort}
      onSort={onSort}
    />
  );
}
