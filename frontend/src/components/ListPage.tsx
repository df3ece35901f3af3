import { Card, Group } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { Pagination } from "@/api";
import type { ListParams } from "@/lib/listParams";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { ListFooter } from "./ListFooter";
import { PageBreadcrumbs, type Crumb } from "./PageBreadcrumbs";
import { PageHeader } from "./PageHeader";
import { QueryState } from "./QueryState";

interface ListPageProps<Row> {
  /** The header, and the browser tab's title ("Customers · OmniCRM"). */
  title: string;
  description?: ReactNode;
  /** Header buttons ("New product", exports). */
  actions?: ReactNode;
  breadcrumbs?: Crumb[];
  /** The filter inputs above the table, bound to `list.params`. */
  filters?: ReactNode;
  /** A page of rows (`unwrapPage`: the body plus the `X-Pagination` header). */
  query: UseQueryResult<{ items: Row[]; pagination: Pagination }>;
  /** From `useListParams`: page size and the page/page-size setters. */
  list: Pick<ListParams, "pageSize" | "setPage" | "setPageSize">;
  /** "contracts", in "120 contracts". */
  noun: string;
  /** The table; `loading` is true while a new page loads over the previous one. */
  children: (rows: Row[], loading: boolean) => ReactNode;
}

/**
 * A list page: breadcrumbs, header, filters, the table with loading and error states, and the
 * pagination footer. Filters, sort and page live in the URL (`useListParams`).
 */
export function ListPage<Row>({
  title,
  description,
  actions,
  breadcrumbs,
  filters,
  query,
  list,
  noun,
  children,
}: ListPageProps<Row>) {
  useDocumentTitle(title);
  return (
    <>
      {breadcrumbs && <PageBreadcrumbs items={breadcrumbs} />}
      <PageHeader title={title} description={description} actions={actions} />
      <Card withBorder radius="md" padding="md">
        {filters && (
          <Group mb="md" gap="sm" wrap="wrap">
            {filters}
          </Group>
        )}
        <QueryState query={query}>{({ items }) => children(items, query.isPlaceholderData)}</QueryState>
        <ListFooter
          pagination={query.data?.pagination}
          pageSize={list.pageSize}
          noun={noun}
          onPage={list.setPage}
          onPageSize={list.setPageSize}
        />
      </Card>
    </>
  );
}
