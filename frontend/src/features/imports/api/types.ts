/** Names for the import shapes, derived from the generated contract (see src/api/types.ts). */
import type { QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

/** A row of the imports list: counts, no row errors. */
export type Import = Item<ResponseOf<"/crm/import/", "get">>;
/**
 * One import with its first 100 row errors. POST /crm/import/subscribers and /crm/import/stock
 * answer 202 (which `ResponseOf` does not pick) with this same body.
 */
export type ImportDetail = ResponseOf<"/crm/import/{import_id}", "get">;
export type ImportRowError = ImportDetail["errors"][number];
export type ImportStatus = Import["status"];
/** What an import makes: subscribers, or stock items of one inventory template (`template`). */
export type ImportKind = Import["kind"];
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

/**
 * One thing wrong with a file's header row, from a 422 `invalid_file`'s `problems` (the 422
 * body is not in the OpenAPI document; see the backend's `imports/csvfile.py`).
 */
export interface HeaderProblem {
  /** `unknown_headers`, `missing_headers`, `missing_key` (none of a set), `repeated_headers`. */
  problem: string;
  /** The headers concerned (for `missing_key`: the set, one of which is needed). */
  headers: string[];
  /** The server's sentence, e.g. "unknown headers: nmae". */
  message: string;
}

/** Why a file was refused before any row was read (422 `invalid_file`). */
export interface FileRefusal {
  message: string;
  /** The header problems; empty when the file was refused for another reason (encoding, no rows). */
  problems: HeaderProblem[];
  /** Every header the import knows, and those it requires (sent with header problems). */
  expectedHeaders: string[];
  requiredHeaders: string[];
}
