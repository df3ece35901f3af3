/** Imports (subscribers, stock): the list, one import (its progress), the upload and the error file. */
import { keepPreviousData, useQuery, type QueryClient } from "@tanstack/react-query";
import { api, isApiError, toApiError, unwrap, unwrapPage } from "@/api";
import { filenameFromResponse, saveBlob } from "@/lib/download";
import { uploadWithProgress } from "@/lib/upload";
import { importKeys } from "./keys";
import type {
  FileRefusal,
  HeaderProblem,
  ImportDetail,
  ImportKind,
  ImportListQuery,
  ImportProgress,
  ImportStatus,
} from "./types";

/** How often the list is read again while it shows a queued or running import (ms). */
export const LIST_POLL_MS = 5000;

export const isFinished = (status: ImportStatus | undefined) => status === "done" || status === "failed";

/** Imports, newest first; polled while one on the page is still queued or running. */
export function useImports(query: ImportListQuery) {
  return useQuery({
    queryKey: importKeys.list(query),
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/import/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((i) => !isFinished(i.status)) ? LIST_POLL_MS : false),
  });
}

/** One import; with `pollMs`, re-read on that timer while it is queued or running (the socket's fallback). */
export function useImport(importId: number, pollMs: number | false = false) {
  return useQuery({
    queryKey: importKeys.detail(importId),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/import/{import_id}", { params: { path: { import_id: importId } }, signal })),
    refetchInterval: (query) => (isFinished(query.state.data?.status) ? false : pollMs),
  });
}

/**
 * Merge an `import.progress` message into the cached import; false when there is none cached
 * to merge into. A message older than what is cached (fewer rows, or running after the end) is
 * dropped: a poll may have answered after it was sent.
 */
export function applyProgress(queryClient: QueryClient, progress: ImportProgress): boolean {
  const key = importKeys.detail(progress.import_id);
  const previous = queryClient.getQueryData<ImportDetail>(key);
  if (!previous) return false;
  const stale =
    progress.processed < previous.processed || (isFinished(previous.status) && !isFinished(progress.status));
  if (!stale) queryClient.setQueryData<ImportDetail>(key, { ...previous, ...progress });
  return true;
}

/** What an upload imports: subscribers, or stock items of one inventory template (by name). */
export type UploadTarget = { kind: "subscribers" } | { kind: "stock"; template: string };

export interface UploadOptions {
  target: UploadTarget;
  file: File;
  /** Check every row (stock included) and write nothing. */
  dryRun: boolean;
  /** Fraction 0..1 of the file sent. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

const UPLOAD_PATHS = {
  subscribers: "/crm/import/subscribers",
  stock: "/crm/import/stock",
} as const satisfies Record<ImportKind, string>;

/**
 * Upload a CSV of subscribers or of stock (the template goes in the form with the file); 202:
 * queued for a worker. Rejects with an ApiError: 422 `invalid_file` (its structure: encoding,
 * headers, no rows; `fileRefusal`), 409 `import_in_progress` (`importInProgress`), 413 (too
 * large), 404 (no such template).
 */
export function uploadImport({ target, file, dryRun, onProgress, signal }: UploadOptions): Promise<ImportDetail> {
  return uploadWithProgress<ImportDetail>({
    path: UPLOAD_PATHS[target.kind],
    query: { dry_run: dryRun },
    form: () => {
      const body = new FormData();
      if (target.kind === "stock") body.append("template", target.template);
      body.append("file", file, file.name);
      return body;
    },
    onProgress,
    signal,
  });
}

/** The import already running for this file (409 `import_in_progress`), or null for any other error. */
export function importInProgress(error: unknown): { importId: number | null; message: string } | null {
  if (!isApiError(error, "import_in_progress")) return null;
  const id = error.body.import_id;
  return { importId: typeof id === "number" ? id : null, message: error.message };
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

function problemOf(value: unknown): HeaderProblem | null {
  if (!value || typeof value !== "object") return null;
  const { problem, headers, message } = value as Record<string, unknown>;
  if (typeof problem !== "string") return null;
  return { problem, headers: strings(headers), message: typeof message === "string" ? message : problem };
}

/**
 * Why the file was refused as a whole (422 `invalid_file`), or null for any other error: the
 * header problems (`problems`, each with the headers concerned) and the headers the import
 * knows; a file refused for another reason (not UTF-8, empty, no rows) has only its message.
 */
export function fileRefusal(error: unknown): FileRefusal | null {
  if (!isApiError(error, "invalid_file")) return null;
  const body = error.body;
  const problems = Array.isArray(body.problems)
    ? body.problems.map(problemOf).filter((p): p is HeaderProblem => p !== null)
    : [];
  return {
    message: error.message,
    problems,
    expectedHeaders: strings(body.expected_headers),
    requiredHeaders: strings(body.required_headers),
  };
}

/** Fetch the failed rows (as uploaded, plus line, field and error) through the client and save them. */
export async function downloadErrorCsv(importId: number): Promise<void> {
  const { data, error, response } = await api.GET("/crm/import/{import_id}/errors.csv", {
    params: { path: { import_id: importId } },
    parseAs: "blob",
  });
  if (!response.ok || !data) throw toApiError(error, response);
  saveBlob(data, filenameFromResponse(response, `import-${importId}-errors.csv`));
}

/**
 * A sample CSV with the headers the importer accepts (the server builds it from its own header
 * list) and a few rows that import cleanly: for subscribers, or for a stock template.
 */
export async function downloadSampleCsv(target: UploadTarget): Promise<void> {
  const { data, error, response } =
    target.kind === "stock"
      ? await api.GET("/crm/import/stock/sample.csv", {
          params: { query: { template: target.template } },
          parseAs: "blob",
        })
      : await api.GET("/crm/import/subscribers/sample.csv", { parseAs: "blob" });
  if (!response.ok || !data) throw toApiError(error, response);
  saveBlob(data, filenameFromResponse(response, `${target.kind}-sample.csv`));
}
