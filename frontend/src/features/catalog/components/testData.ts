/** Test helpers for the catalog (used by *.test.tsx only). */

export const page = <T>(rows: T[], total = rows.length) => ({
  headers: { "X-Pagination": JSON.stringify({ total, total_pages: Math.max(1, Math.ceil(total / 25)), page: 1 }) },
});
