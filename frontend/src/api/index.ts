export { api, createApiClient, type ApiClient } from "./client";
export { ApiError, fieldErrorsOf, isApiError, toApiError, unwrap, type ErrorBody, type FieldErrors } from "./errors";
export { parsePagination, unwrapPage, type Page, type Pagination } from "./pagination";
export { grants, usePermission, useSession } from "./session";
export type * from "./types";
