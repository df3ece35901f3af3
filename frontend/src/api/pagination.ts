/** flask-smorest pagination: a JSON array body plus the `X-Pagination` header. */
import { toApiError } from "./errors";
import type { Dumped } from "./types";

export interface Pagination {
  total: number;
  total_pages: number;
  first_page?: number;
  last_page?: number;
  page: number;
  previous_page?: number;
  next_page?: number;
}

export interface Page<T> {
  items: Dumped<T>[];
  pagination: Pagination;
}

export function parsePagination(header: string | null, count: number): Pagination {
  if (header) {
    try {
      const parsed = JSON.parse(header) as Partial<Pagination>;
      return {
        ...parsed,
        total: parsed.total ?? count,
        total_pages: parsed.total_pages ?? (count ? 1 : 0),
        page: parsed.page ?? 1,
      };
    } catch {
      // fall through: a malformed header is treated as a single page
    }
  }
  return { total: count, total_pages: count ? 1 : 0, page: 1 };
}

/** Await a list call and return its items with the pagination header parsed. */
export async function unwrapPage<T>(
  call: Promise<{ data?: T[]; error?: unknown; response: Response }>,
): Promise<Page<T>> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(error, response);
  const items = (data ?? []) as Dumped<T>[];
  return { items, pagination: parsePagination(response.headers.get("X-Pagination"), items.length) };
}
