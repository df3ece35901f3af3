/**
 * CSV import upload (POST /crm/inventory/import, multipart).
 *
 * Why not the `api` client: fetch() cannot report upload progress, and a 50,000-row file of up
 * to 5 MB deserves a real progress bar. This is the one raw request in the app; it mirrors the
 * client: same base URL, the session's bearer token, one refresh-and-retry on a 401 (the refresh
 * itself goes through the client's shared single-flight refresh), and errors parsed into the
 * same `ApiError` (`toApiError`), so `code`, `message`, `errors` and extra members
 * (`error_count`, `unknown_headers`, ...) read exactly as elsewhere.
 */
import { api, ApiError, toApiError, useSession } from "@/api";
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

const BASE_URL: string = import.meta.env.VITE_API_BASE_URL ?? "";

function send(options: UploadOptions, token: string | null): Promise<{ status: number; xhr: XMLHttpRequest }> {
  const { file, template, dryRun, onProgress, signal } = options;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const url = `${BASE_URL}/crm/inventory/import${dryRun ? "?dry_run=true" : ""}`;
    xhr.open("POST", url);
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, xhr });
    xhr.onerror = () => reject(new TypeError("Network error: the upload did not reach the server"));
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    const body = new FormData();
    body.append("template", template);
    body.append("file", file, file.name);
    xhr.send(body);
  });
}

function parseBody(xhr: XMLHttpRequest): unknown {
  const text = xhr.responseText;
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorOf(xhr: XMLHttpRequest): ApiError {
  const headers = new Headers();
  const retryAfter = xhr.getResponseHeader("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return toApiError(parseBody(xhr), new Response(null, { status: xhr.status, statusText: xhr.statusText, headers }));
}

/** Upload the CSV; resolves with the summary, rejects with an ApiError (422 invalid_rows / invalid_file, 413, ...). */
export async function uploadInventoryCsv(options: UploadOptions): Promise<ImportResult> {
  const sentToken = useSession.getState().token;
  let { status, xhr } = await send(options, sentToken);
  if (status === 401 && sentToken) {
    // Let the client's middleware refresh the access token (single-flight, shared with every
    // other request); if it got a new one, retry the upload once.
    await api.GET("/crm/auth/me").catch(() => undefined);
    const token = useSession.getState().token;
    if (token && token !== sentToken) {
      options.onProgress?.(0);
      ({ status, xhr } = await send(options, token));
    }
  }
  if (status < 200 || status >= 300) throw errorOf(xhr);
  return parseBody(xhr) as ImportResult;
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
