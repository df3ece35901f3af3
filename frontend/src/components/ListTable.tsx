import { Anchor, Table, type AnchorProps, type TableTdProps } from "@mantine/core";
import type { MouseEvent, ReactNode } from "react";
import { Link, useNavigate } from "react-router";
import { EmptyRow } from "./EmptyRow";
import { SortableTh } from "./SortableTh";

export interface Column<Row> {
  header: string;
  /** The server-side sort field (`?sort=`); its header cycles the sort when the table is sortable. */
  sort?: string;
  cell: (row: Row) => ReactNode;
  /** Props for every cell of the column (`ff: "monospace"`, `miw`, …). */
  td?: TableTdProps;
}

type DataAttributes = { [attribute: `data-${string}`]: string | number };

interface ListTableProps<Row> {
  rows: Row[];
  columns: Column<Row>[];
  rowKey: (row: Row) => string | number;
  /** Where a click anywhere on the row goes. */
  href?: (row: Row) => string;
  /** `data-*` attributes of each row (its test id). */
  rowData?: (row: Row) => DataAttributes;
  /** Shown in a single row when there are no rows. */
  empty: string;
  testId: string;
  minWidth?: number;
  /** Dims the rows while a new page loads over the previous one. */
  loading?: boolean;
  /** Current server-side sort; without `onSort` the headers are plain. */
  sort?: string;
  onSort?: (sort: string) => void;
}

/** The table of a list page: optional sortable headers, clickable rows, an empty row. */
export function ListTable<Row>({
  rows,
  columns,
  rowKey,
  href,
  rowData,
  empty,
  testId,
  minWidth = 800,
  loading,
  sort,
  onSort,
}: ListTableProps<Row>) {
  const navigate = useNavigate();
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table highlightOnHover verticalSpacing="sm" data-testid={testId} opacity={loading ? 0.6 : 1}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((column) =>
              column.sort && onSort ? (
                <SortableTh key={column.header} field={column.sort} sort={sort ?? ""} onSort={onSort}>
                  {column.header}
                </SortableTh>
              ) : (
                <Table.Th key={column.header}>{column.header}</Table.Th>
              ),
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 && <EmptyRow colSpan={columns.length}>{empty}</EmptyRow>}
          {rows.map((row) => {
            const to = href?.(row);
            return (
              <Table.Tr
                key={rowKey(row)}
                style={to ? { cursor: "pointer" } : undefined}
                onClick={to ? () => navigate(to) : undefined}
                {...rowData?.(row)}
              >
                {columns.map((column) => (
                  <Table.Td key={column.header} {...column.td}>
                    {column.cell(row)}
                  </Table.Td>
                ))}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const stop = (event: MouseEvent) => event.stopPropagation();

/** A link inside a clickable row: it goes where it points, not where the row does. */
export function RowLink({ to, children, ...props }: AnchorProps & { to: string; children: ReactNode }) {
  return (
    <Anchor component={Link} to={to} onClick={stop} {...props}>
      {children}
    </Anchor>
  );
}
