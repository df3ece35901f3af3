/**
 * A multipart upload with progress (the subscriber and stock CSV imports).
 *
 * Why not the `api` client: fetch() cannot report upload progress, and a file of several MB
 * deserves a real progress bar. These are the only raw requests in the app; they mirror the
 * client: same base URL, the session's bearer token, one refresh-and-retry on a 401 (the refresh
 * itself goes through the client's shared single-flight refresh), and errors parsed into the
 * same `ApiError` (`toApiError`), so `code`, `message`, `errors` and extra members
 * (`problems`, `import_id`, ...) read exactly as elsewhere. The path is one of the contract's
 * (`paths` of `schema.d.ts`), so a renamed endpoint fails the type check.
 */
import { api, toApiError, useSession } from "@/api";
import type { paths } from "@/api/schema";

export interface UploadRequest {
  /** An upload endpoint of the contract, e.g. "/crm/import/subscribers". */
  path: keyof paths;
  /** Query parameters (`?dry_run=true`); undefined and false values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** The multipart body; built again for the retry after a refresh. */
  form: () => FormData;
  /** Fraction 0..1 of the request body sent, when the browser knows the total. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

const BASE_URL: string = import.meta.env.VITE_API_BASE_URL ?? "";

function urlOf({ path, query }: UploadRequest): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== false) search.set(name, String(value));
  }
  const qs = search.toString();
  return `${BASE_URL}${path}${qs ? `?${qs}` : ""}`;
}

function send(request: UploadRequest, token: string | null): Promise<XMLHttpRequest> {
  const { onProgress, signal } = request;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", urlOf(request));
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(new TypeError("Network error: the upload did not reach the server"));
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(request.form());
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

function errorOf(xhr: XMLHttpRequest) {
  const headers = new Headers();
  const retryAfter = xhr.getResponseHeader("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return toApiError(parseBody(xhr), new Response(null, { status: xhr.status, statusText: xhr.statusText, headers }));
}

/** POST the form; resolves with the 2xx JSON body, rejects with an ApiError (422, 409, 413, ...). */
export async function uploadWithProgress<T>(request: UploadRequest): Promise<T> {
  const sentToken = useSession.getState().token;
  let xhr = await send(request, sentToken);
  if (xhr.status === 401 && sentToken) {
    // Let the client's middleware refresh the access token (single-flight, shared with every
    // other request); if it got a new one, retry the upload once.
    await api.GET("/crm/auth/me").catch(() => undefined);
    const token = useSession.getState().token;
    if (token && token !== sentToken) {
      request.onProgress?.(0);
      xhr = await send(request, token);
    }
  }
  if (xhr.status < 200 || xhr.status >= 300) throw errorOf(xhr);
  return parseBody(xhr) as T;
}
