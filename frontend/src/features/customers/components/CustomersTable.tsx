import { Badge, Group, Text } from "@mantine/core";
import type { Customer } from "@/api";
import { ListTable, RowLink, type Column } from "@/components";
import { formatDate, orDash } from "@/lib/format";
import { PAYMENT_TYPE_LABELS } from "../constants";
import { CustomerStatusBadge } from "./CustomerStatusBadge";

interface CustomersTableProps {
  customers: Customer[];
  sort: string;
  onSort: (sort: string) => void;
  loading?: boolean;
  /** Filter the list by a tag when its badge is clicked. */
  onTag?: (tag: string) => void;
}

// The API sorts by customer_name, created_at, updated_at and customer_id only.
function columns(onTag?: (tag: string) => void): Column<Customer>[] {
  return [
    {
      header: "Name",
      sort: "customer_name",
      cell: (c) => (
        <>
          <RowLink to={`/customers/${c.customer_id}`} fw={500}>
            {c.customer_name}
          </RowLink>
          <Text size="xs" c="dimmed">
            #{c.customer_id}
          </Text>
        </>
      ),
    },
    { header: "Type", cell: (c) => c.customer_account_type },
    { header: "Status", cell: (c) => <CustomerStatusBadge status={c.customer_status} /> },
    { header: "Payment", cell: (c) => PAYMENT_TYPE_LABELS[c.customer_payment_type] ?? c.customer_payment_type },
    {
      header: "Contact",
      cell: (c) => (
        <>
          <Text size="sm">{orDash(c.email)}</Text>
          <Text size="xs" c="dimmed">
            {c.phone ?? ""}
          </Text>
        </>
      ),
    },
    {
      header: "Tags",
      cell: (c) => (
        <Group gap={4}>
          {c.tags.map((tag) => (
            <Badge
              key={tag}
              size="sm"
              variant="outline"
              style={onTag ? { cursor: "pointer" } : undefined}
              onClick={(e) => {
                if (!onTag) return;
                e.stopPropagation();
                onTag(tag);
              }}
            >
              {tag}
            </Badge>
          ))}
        </Group>
      ),
    },
    { header: "Created", sort: "created_at", cell: (c) => formatDate(c.created_at) },
  ];
}

export function CustomersTable({ customers, sort, onSort, loading, onTag }: CustomersTableProps) {
  return (
    <ListTable
      rows={customers}
      columns={columns(onTag)}
      rowKey={(c) => c.customer_id}
      href={(c) => `/customers/${c.customer_id}`}
      rowData={(c) => ({ "data-testid": `customer-row-${c.customer_id}` })}
      empty="No customers match"
      testId="customers-table"
      minWidth={900}
      loading={loading}
      sort={sort}
      onSort={onSort}
    />
  );
}
