/**
 * The URL state every list page shares: page, page size and sort, next to its own filters
 * (all kept in the URL by `useUrlParams`, so a list survives a reload and can be shared).
 */
import { useUrlParams } from "./useUrlParams";

export const DEFAULT_PAGE_SIZE = 25;

const PAGING = ["page", "page_size", "sort"] as const;
type PagingKey = (typeof PAGING)[number];

export function useListParams<K extends string>(filters: readonly K[], defaultPageSize = DEFAULT_PAGE_SIZE) {
  const [params, setParams] = useUrlParams<K | PagingKey>([...PAGING, ...filters]);
  // TypeScript cannot see that a paging key alone fits a record over the generic `K | PagingKey`.
  const setPaging = (patch: Partial<Record<PagingKey, string | number | null>>) =>
    setParams(patch as Parameters<typeof setParams>[0]);
  const page = Number(params.page) || 1;
  const pageSize = Number(params.page_size) || defaultPageSize;
  return {
    /** Every key as a string ("" when absent). */
    params,
    /** Merge a patch into the URL; anything but the page goes back to page 1. */
    setParams,
    pageSize,
    /** `page`, `page_size` and `sort` for the list query. */
    paging: { page, page_size: pageSize, sort: params.sort || undefined },
    sort: params.sort,
    setSort: (sort: string) => setPaging({ sort }),
    setPage: (p: number) => setPaging({ page: p === 1 ? null : p }),
    setPageSize: (size: number) => setPaging({ page_size: size === defaultPageSize ? null : size }),
  };
}

export type ListParams<K extends string = string> = ReturnType<typeof useListParams<K>>;

/** A numeric id typed into a filter, or undefined while it is blank or not a number. */
export const idOrUndefined = (value: string) => (/^\d+$/.test(value) ? Number(value) : undefined);

/** A multi-select kept as "a,b" in the URL → ["a", "b"], or undefined when empty. */
export function listOf<T extends string>(value: string): T[] | undefined {
  return value ? (value.split(",") as T[]) : undefined;
}
