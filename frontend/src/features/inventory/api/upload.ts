/**
 * CSV import upload (POST /crm/inventory/import, multipart) with upload progress: a 50,000-row
 * file of up to 5 MB deserves a real progress bar, which fetch() cannot give
 * (`uploadWithProgress` in src/lib/upload.ts: bearer token, one refresh-and-retry on a 401,
 * errors as the same `ApiError`, with extra members such as `error_count`, `unknown_headers`).
 */
import { ApiError } from "@/api";
import { uploadWithProgress } from "@/lib/upload";
import type { ImportResult, ImportRowError } from "./types";

export interface UploadOptions {
  file: File;
  template: string;
  /** Validate only: nothing is written (200 instead of 201). */
  dryRun: boolean;
  /** Fraction 0..1 of the request body sent, when the browser knows the total. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** Upload the CSV; resolves with the summary, rejects with an ApiError (422 invalid_rows / invalid_file, 413, ...). */
export function uploadInventoryCsv({
  file,
  template,
  dryRun,
  onProgress,
  signal,
}: UploadOptions): Promise<ImportResult> {
  return uploadWithProgress<ImportResult>({
    path: "/crm/inventory/import",
    query: { dry_run: dryRun },
    form: () => {
      const body = new FormData();
      body.append("template", template);
      body.append("file", file, file.name);
      return body;
    },
    onProgress,
    signal,
  });
}

/** The per-row errors of a 422 `invalid_rows`, or null for any other error. */
export function rowErrorsOf(error: unknown): { rows: ImportRowError[]; total: number } | null {
  if (!(error instanceof ApiError) || error.code !== "invalid_rows") return null;
  const raw = (error.body.errors as { rows?: unknown } | undefined)?.rows;
  const rows = Array.isArray(raw)
    ? raw.filter(
        (r): r is ImportRowError => !!r && typeof r === "object" && typeof (r as ImportRowError).message === "string",
      )
    : [];
  const total = typeof error.body.error_count === "number" ? error.body.error_count : rows.length;
  return { rows, total };
}
