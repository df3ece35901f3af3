import { Anchor, Badge, Group, Table, Text } from "@mantine/core";
import { Link, useNavigate } from "react-router";
import type { Customer } from "@/api";
import { EmptyRow, SortableTh } from "@/components";
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

const COLUMNS = 7;

// The API sorts by customer_name, created_at, updated_at and customer_id only.

export function CustomersTable({ customers, sort, onSort, loading, onTag }: CustomersTableProps) {
  const navigate = useNavigate();
  const sortable = { sort, onSort };
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover verticalSpacing="sm" data-testid="customers-table" opacity={loading ? 0.6 : 1}>
        <Table.Thead>
          <Table.Tr>
            <SortableTh field="customer_name" {...sortable}>
              Name
            </SortableTh>
            <Table.Th>Type</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Payment</Table.Th>
            <Table.Th>Contact</Table.Th>
            <Table.Th>Tags</Table.Th>
            <SortableTh field="created_at" {...sortable}>
              Created
            </SortableTh>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {customers.length === 0 && <EmptyRow colSpan={COLUMNS}>No customers match</EmptyRow>}
          {customers.map((c) => (
            <Table.Tr
              key={c.customer_id}
              style={{ cursor: "pointer" }}
              onClick={() => navigate(`/customers/${c.customer_id}`)}
              data-testid={`customer-row-${c.customer_id}`}
            >
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/customers/${c.customer_id}`}
                  fw={500}
                  onClick={(e) => e.stopPropagation()}
                >
                  {c.customer_name}
                </Anchor>
                <Text size="xs" c="dimmed">
                  #{c.customer_id}
                </Text>
              </Table.Td>
              <Table.Td>{c.customer_account_type}</Table.Td>
              <Table.Td>
                <CustomerStatusBadge status={c.customer_status} />
              </Table.Td>
              <Table.Td>{PAYMENT_TYPE_LABELS[c.customer_payment_type] ?? c.customer_payment_type}</Table.Td>
              <Table.Td>
                <Text size="sm">{orDash(c.email)}</Text>
                <Text size="xs" c="dimmed">
                  {c.phone ?? ""}
                </Text>
              </Table.Td>
              <Table.Td>
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
              </Table.Td>
              <Table.Td>{formatDate(c.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
