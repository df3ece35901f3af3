/** Names for the import shapes, derived from the generated contract (see src/api/types.ts). */
import type { QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

/** A row of the imports list: counts, no row errors. */
export type Import = Item<ResponseOf<"/crm/import/", "get">>;
/**
 * One import with its first 100 row errors. POST /crm/import/subscribers answers 202 (which
 * `ResponseOf` does not pick) with this same body.
 */
export type ImportDetail = ResponseOf<"/crm/import/{import_id}", "get">;
export type ImportRowError = ImportDetail["errors"][number];
export type ImportStatus = Import["status"];
export type ImportListQuery = QueryOf<"/crm/import/", "get">;

/**
 * Socket.IO `import.progress` (namespace /imports, room `import:<id>`): the job's state on
 * join, then after every committed chunk. Not in the OpenAPI document (it is not HTTP), so
 * written out here from the backend's `imports/realtime.py` `payload`.
 */
export interface ImportProgress {
  import_id: number;
  status: ImportStatus;
  dry_run: boolean;
  total: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  error: string | null;
  started_at: string | null;
}
