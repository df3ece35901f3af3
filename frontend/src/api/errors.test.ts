import { describe, expect, it } from "vitest";
import { errorBody, json } from "@/test/http";
import { ApiError, fieldErrorsOf, isApiError, toApiError, unwrap } from "./errors";
import { parsePagination, unwrapPage } from "./pagination";

describe("fieldErrorsOf", () => {
  it("maps errors.json fields to one message each", () => {
    expect(
      fieldErrorsOf({
        errors: { json: { email: ["Not a valid email address."], customer_name: ["Missing data.", "Too short."] } },
      }),
    ).toEqual({ email: "Not a valid email address.", customer_name: "Missing data. Too short." });
  });

  it("reads the query location too, json winning on a clash", () => {
    expect(
      fieldErrorsOf({ errors: { query: { page: ["Must be >= 1."], email: ["q"] }, json: { email: ["j"] } } }),
    ).toEqual({ page: "Must be >= 1.", email: "j" });
  });

  it("flattens nested errors into dot paths and drops _schema", () => {
    expect(
      fieldErrorsOf({
        errors: {
          json: { contact_types: { "1": ["Must be one of: Primary, Billing, Technical."] }, _schema: ["Bad"] },
        },
      }),
    ).toEqual({ "contact_types.1": "Must be one of: Primary, Billing, Technical." });
  });

  it("is empty without errors", () => {
    expect(fieldErrorsOf({})).toEqual({});
  });
});

describe("toApiError", () => {
  it("keeps code, status, message and extra members", () => {
    const err = toApiError(
      { code: "duplicate_customer", status: 409, message: "Customer exists", existing_customer_id: 12 },
      new Response(null, { status: 409 }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: "duplicate_customer", message: "Customer exists" });
    expect(err.body.existing_customer_id).toBe(12);
    expect(isApiError(err, "duplicate_customer")).toBe(true);
    expect(isApiError(err, "other")).toBe(false);
  });

  it("reads Retry-After in seconds or as a date", () => {
    const secs = toApiError(
      { code: "rate_limited", status: 429, message: "x" },
      new Response(null, { status: 429, headers: { "Retry-After": "42" } }),
    );
    expect(secs.retryAfter).toBe(42);
    const date = new Date(Date.now() + 30_000).toUTCString();
    const fromDate = toApiError(
      { code: "rate_limited", status: 429, message: "x" },
      new Response(null, { status: 429, headers: { "Retry-After": date } }),
    );
    expect(fromDate.retryAfter).toBeGreaterThanOrEqual(28);
    expect(fromDate.retryAfter).toBeLessThanOrEqual(30);
  });

  it("copes with a non-JSON error (a proxy's HTML page)", () => {
    const err = toApiError("<html>Bad gateway</html>", new Response(null, { status: 502, statusText: "Bad Gateway" }));
    expect(err).toMatchObject({ status: 502, code: "http_error" });
    expect(err.fieldErrors).toEqual({});
  });
});

describe("unwrap", () => {
  const call = (response: Response, data?: unknown, error?: unknown) => Promise.resolve({ data, error, response });

  it("returns data on success", async () => {
    await expect(unwrap(call(json({ a: 1 }), { a: 1 }))).resolves.toEqual({ a: 1 });
  });

  it("throws an ApiError with field errors on a 422", async () => {
    const body = {
      code: "validation_error",
      status: 422,
      message: "Invalid",
      errors: { json: { phone: ["Bad phone"] } },
    };
    const err = await unwrap(call(errorBody(422, "validation_error"), undefined, body)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).fieldErrors).toEqual({ phone: "Bad phone" });
  });
});

describe("pagination", () => {
  it("parses the X-Pagination header", async () => {
    const header = JSON.stringify({
      total: 53,
      total_pages: 6,
      first_page: 1,
      last_page: 6,
      page: 2,
      previous_page: 1,
      next_page: 3,
    });
    const page = await unwrapPage(
      Promise.resolve({ data: [{ id: 1 }], response: json([], { headers: { "X-Pagination": header } }) }),
    );
    expect(page.items).toEqual([{ id: 1 }]);
    expect(page.pagination).toMatchObject({ total: 53, total_pages: 6, page: 2 });
  });

  it("falls back to one page without the header", () => {
    expect(parsePagination(null, 3)).toEqual({ total: 3, total_pages: 1, page: 1 });
    expect(parsePagination("not json", 0)).toEqual({ total: 0, total_pages: 0, page: 1 });
  });
});
