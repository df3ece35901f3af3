/**
 * The one HTTP client: openapi-fetch typed by the generated contract.
 *
 * Every request carries the access token; a 401 triggers a single shared refresh
 * (POST /crm/auth/refresh) and the request is retried once with the new token. When the
 * server refuses the refresh the session is expired (cleared, marked `expired`) and the route
 * guard sends the user to /login, which says the session has ended and returns to the page.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import { useSession } from "./session";
import type { TokenPair } from "./types";

export type ApiClient = Client<paths>;

/** Calls that must neither carry a bearer token nor trigger a refresh. */
const UNAUTHENTICATED_PATHS: ReadonlySet<string> = new Set(["/crm/auth/login", "/crm/auth/refresh"]);

/**
 * 401 codes that are about the request, not the access token (a wrong 2FA code, say):
 * refreshing would not help, so they pass straight through.
 */
const NON_TOKEN_401_CODES: ReadonlySet<string> = new Set([
  "totp_required",
  "invalid_totp",
  "invalid_code",
  "invalid_credentials",
]);

export interface ApiClientOptions {
  /** "" (same origin) in the browser; an absolute origin in tests. */
  baseUrl?: string;
  /** Defaults to the global fetch, looked up per call so tests can stub it. */
  fetch?: (request: Request) => Promise<Response>;
}

function bearerOf(request: Request): string | null {
  const header = request.headers.get("Authorization");
  return header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : null;
}

async function errorCodeOf(response: Response): Promise<string | null> {
  try {
    const body: unknown = await response.clone().json();
    return body && typeof body === "object" && "code" in body && typeof body.code === "string" ? body.code : null;
  } catch {
    return null;
  }
}

export function createApiClient({
  baseUrl = "",
  fetch: fetchImpl = (request) => globalThis.fetch(request),
}: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>({ baseUrl, fetch: fetchImpl });

  /** The refresh in flight, shared by every request that hit a 401 meanwhile. */
  let refreshing: Promise<string | null> | null = null;

  async function refreshAccessToken(): Promise<string | null> {
    const { refreshToken, setTokens, expire } = useSession.getState();
    if (!refreshToken) {
      expire();
      return null;
    }
    let result;
    try {
      result = await client.POST("/crm/auth/refresh", { body: { refresh_token: refreshToken } });
    } catch {
      // Network failure: the server did not refuse us, so keep the session and let the
      // original 401 surface; the next request will try again.
      return null;
    }
    if (result.data?.token) {
      const tokens = result.data as TokenPair;
      setTokens(tokens);
      return tokens.token;
    }
    expire();
    return null;
  }

  function refreshOnce(): Promise<string | null> {
    refreshing ??= refreshAccessToken().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /** Unsent copies of authenticated requests, by openapi-fetch request id, for the retry. */
  const replayable = new Map<string, Request>();

  const auth: Middleware = {
    onRequest({ request, schemaPath, id }) {
      if (UNAUTHENTICATED_PATHS.has(schemaPath)) return undefined;
      const token = useSession.getState().token;
      if (token && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      replayable.set(id, request.clone());
      return request;
    },

    async onResponse({ response, id, options }) {
      const original = replayable.get(id);
      replayable.delete(id);
      if (response.status !== 401 || !original) return undefined;

      const sentToken = bearerOf(original);
      if (!sentToken) return undefined; // anonymous call: nothing to refresh
      const code = await errorCodeOf(response);
      if (code && NON_TOKEN_401_CODES.has(code)) return undefined;

      // Another request may already have refreshed while this one was in flight.
      const current = useSession.getState().token;
      const token = current && current !== sentToken ? current : await refreshOnce();
      if (!token) return undefined;

      original.headers.set("Authorization", `Bearer ${token}`);
      return options.fetch(original);
    },

    onError({ id }) {
      replayable.delete(id);
      return undefined;
    },
  };

  client.use(auth);
  return client;
}

/** The application's client. Same origin: Vite proxies /crm in dev, Flask serves the SPA. */
export const api = createApiClient({ baseUrl: import.meta.env.VITE_API_BASE_URL ?? "" });
