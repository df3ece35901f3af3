/**
 * The API's error body (`{code, status, message, errors}`) turned into something the UI can
 * show: a message for a notification and a flat field → message map for form inputs.
 */
import type { Dumped } from "./types";

export interface ErrorBody {
  code: string;
  status: number;
  message: string;
  /** Validation errors by location ("json", "query", ...), then field. */
  errors?: Record<string, unknown>;
  /** Extra members, e.g. `existing_customer_id` on a duplicate. */
  [extra: string]: unknown;
}

/** Field path ("email", "contacts.0.phone") → message, ready for `form.setErrors`. */
export type FieldErrors = Record<string, string>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: ErrorBody;
  readonly fieldErrors: FieldErrors;
  /** Seconds to wait, from the Retry-After header (429). */
  readonly retryAfter: number | null;

  constructor(body: ErrorBody, retryAfter: number | null = null) {
    super(body.message);
    this.name = "ApiError";
    this.status = body.status;
    this.code = body.code;
    this.body = body;
    this.fieldErrors = fieldErrorsOf(body);
    this.retryAfter = retryAfter;
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** Locations in the order their messages should win when two name the same field. */
const LOCATIONS = ["json", "form", "files", "query", "path", "headers"];

function messagesOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  return [];
}

/** Flatten marshmallow's nested error dicts into dot paths. */
function flatten(value: unknown, prefix: string, out: FieldErrors): void {
  const messages = messagesOf(value);
  if (messages.length) {
    if (prefix && !(prefix in out)) out[prefix] = messages.join(" ");
    return;
  }
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      flatten(inner, prefix ? `${prefix}.${key}` : key, out);
    }
  }
}

export function fieldErrorsOf(body: Pick<ErrorBody, "errors">): FieldErrors {
  const out: FieldErrors = {};
  const errors = body.errors;
  if (!errors || typeof errors !== "object") return out;
  const known = LOCATIONS.filter((l) => l in errors);
  const others = Object.keys(errors).filter((l) => !LOCATIONS.includes(l));
  for (const location of [...known, ...others]) flatten(errors[location], "", out);
  // marshmallow's schema-level errors are not about one field.
  delete out._schema;
  return out;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    !!value &&
    typeof value === "object" &&
    typeof (value as ErrorBody).code === "string" &&
    typeof (value as ErrorBody).message === "string"
  );
}

function parseRetryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Build an ApiError from whatever openapi-fetch parsed out of a non-2xx response. */
export function toApiError(error: unknown, response: Response): ApiError {
  const body: ErrorBody = isErrorBody(error)
    ? { ...error, status: typeof error.status === "number" ? error.status : response.status }
    : {
        code: "http_error",
        status: response.status,
        message:
          typeof error === "string" && error.trim() && error.length < 200
            ? error
            : response.statusText || `Request failed (${response.status})`,
      };
  return new ApiError(body, parseRetryAfter(response.headers.get("Retry-After")));
}

/** Await an openapi-fetch call and return its data as the server sends it (`Dumped`); throw an ApiError on a non-2xx. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Dumped<T>> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(error, response);
  return data as Dumped<T>;
}
