import { Anchor, Badge, Table, Text } from "@mantine/core";
import { Link, useNavigate } from "react-router";
import { EmptyRow, SortableTh } from "@/components";
import { formatDate } from "@/lib/format";
import type { Product } from "../api";
import { BILLING_PERIOD_LABELS } from "../constants";
import { formatMoney } from "../money";
import { CategoryBadge } from "./CategoryBadge";

interface ProductsTableProps {
  products: Product[];
  sort: string;
  onSort: (sort: string) => void;
  loading?: boolean;
}

const COLUMNS = 7;

export function ProductsTable({ products, sort, onSort, loading }: ProductsTableProps) {
  const navigate = useNavigate();
  const sortable = { sort, onSort };
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover verticalSpacing="sm" data-testid="products-table" opacity={loading ? 0.6 : 1}>
        <Table.Thead>
          <Table.Tr>
            <SortableTh field="product_name" {...sortable}>
              Name
            </SortableTh>
            <Table.Th>Category</Table.Th>
            <SortableTh field="retail_cost" {...sortable}>
              Price
            </SortableTh>
            <Table.Th>Billing</Table.Th>
            <Table.Th>Sold to</Table.Th>
            <Table.Th>Status</Table.Th>
            <SortableTh field="created_at" {...sortable}>
              Created
            </SortableTh>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {products.length === 0 && <EmptyRow colSpan={COLUMNS}>No products match</EmptyRow>}
          {products.map((p) => (
            <Table.Tr
              key={p.product_id}
              style={{ cursor: "pointer" }}
              onClick={() => navigate(`/products/${p.product_id}`)}
              data-testid={`product-row-${p.product_id}`}
            >
              <Table.Td>
                <Anchor component={Link} to={`/products/${p.product_id}`} fw={500} onClick={(e) => e.stopPropagation()}>
                  {p.product_name}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {p.product_slug}
                </Text>
              </Table.Td>
              <Table.Td>
                <CategoryBadge category={p.category} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatMoney(p.retail_cost, p.currency)}</Text>
                {p.retail_setup_cost && !/^0(\.0*)?$/.test(p.retail_setup_cost) && (
                  <Text size="xs" c="dimmed">
                    + {formatMoney(p.retail_setup_cost)} setup
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{BILLING_PERIOD_LABELS[p.billing_period] ?? p.billing_period}</Table.Td>
              <Table.Td>
                {[p.prepaid_eligible && "Prepaid", p.postpaid_eligible && "Postpaid"].filter(Boolean).join(", ")}
              </Table.Td>
              <Table.Td>
                <Badge color={p.enabled ? "teal" : "gray"} variant="light">
                  {p.enabled ? "Enabled" : "Disabled"}
                </Badge>
              </Table.Td>
              <Table.Td>{formatDate(p.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
