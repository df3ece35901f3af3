import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useDocumentTitle } from "@/lib/useDocumentTitle";
import { PageBreadcrumbs, type Crumb } from "./PageBreadcrumbs";
import { QueryState } from "./QueryState";

interface DetailPageProps<T> {
  /** The levels above (with links), then this record's name (`data?.name ?? "#id"`). */
  breadcrumbs: Crumb[];
  /** The browser tab's title, before " · OmniCRM": "Customer Jane Doe", "Import #12". */
  title: string;
  query: UseQueryResult<T>;
  /** A test id for the whole page. */
  testId?: string;
  /** The page once the record is loaded (header, cards). */
  children: (data: T) => ReactNode;
}

/** A detail page: breadcrumbs, then a spinner, an error with Retry, or the record. */
export function DetailPage<T>({ breadcrumbs, title, query, testId, children }: DetailPageProps<T>) {
  useDocumentTitle(title);
  const body = (
    <>
      <PageBreadcrumbs items={breadcrumbs} />
      <QueryState query={query}>{children}</QueryState>
    </>
  );
  return testId ? <div data-testid={testId}>{body}</div> : body;
}
