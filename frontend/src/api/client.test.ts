import { beforeEach, describe, expect, it } from "vitest";
import { deferred, errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { login } from "@/test/fixtures";
import { createApiClient, type ApiClient } from "./client";
import { unwrap } from "./errors";
import { useSession } from "./session";

const BASE = "http://api.test";

let fetch: StubFetch;
let api: ApiClient;

beforeEach(() => {
  useSession.getState().clear();
  fetch = stubFetch();
  api = createApiClient({ baseUrl: BASE, fetch });
});

const bearer = (r: Request) => r.headers.get("Authorization");

/** /crm/auth/me answers 200 to `validToken` and 401 to anything else. */
function meAccepts(validToken: string) {
  fetch.on("GET /crm/auth/me", (r) =>
    bearer(r) === `Bearer ${validToken}`
      ? json({ user: login().user, roles: [], permissions: [], customer_id: null })
      : errorBody(401, "token_expired", "Token has expired"),
  );
}

describe("auth middleware", () => {
  it("adds the bearer token of the session", async () => {
    useSession.getState().signIn(login({ token: "abc" }));
    meAccepts("abc");

    const { data } = await api.GET("/crm/auth/me");

    expect(data?.user?.email).toBe("ada@example.com");
    expect(bearer(fetch.calls[0])).toBe("Bearer abc");
  });

  it("sends no Authorization header without a session, nor on login", async () => {
    fetch.on("POST /crm/auth/login", () => json(login()));
    useSession.getState().signIn(login({ token: "stale" }));

    await api.POST("/crm/auth/login", { body: { email: "a@b.c", password: "pw" } });

    expect(bearer(fetch.calls[0])).toBeNull();
  });

  it("uses the base URL and path parameters from the contract", async () => {
    fetch.on("GET /crm/customer/42", () => json({}));
    await api.GET("/crm/customer/{customer_id}", { params: { path: { customer_id: 42 } } });
    expect(fetch.calls[0].url).toBe(`${BASE}/crm/customer/42`);
  });
});

describe("401 → refresh → retry", () => {
  it("refreshes once for concurrent 401s and retries each request with the new token", async () => {
    useSession.getState().signIn(login({ token: "old", refresh_token: "r-old" }));
    meAccepts("new");
    const gate = deferred();
    fetch.on("POST /crm/auth/refresh", async () => {
      await gate.promise; // hold the refresh until every request has hit its 401
      return json({ token: "new", refresh_token: "r-new" });
    });

    const calls = [api.GET("/crm/auth/me"), api.GET("/crm/auth/me"), api.GET("/crm/auth/me")];
    await new Promise((r) => setTimeout(r, 10));
    gate.resolve();
    const results = await Promise.all(calls);

    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200]);
    const refreshes = fetch.callsTo("POST /crm/auth/refresh");
    expect(refreshes).toHaveLength(1);
    expect(await refreshes[0].json()).toEqual({ refresh_token: "r-old" });
    expect(bearer(refreshes[0])).toBeNull();

    const meCalls = fetch.callsTo("GET /crm/auth/me").map(bearer);
    expect(meCalls).toEqual(["Bearer old", "Bearer old", "Bearer old", "Bearer new", "Bearer new", "Bearer new"]);
    expect(useSession.getState()).toMatchObject({ token: "new", refreshToken: "r-new" });
  });

  it("replays the request body on the retry", async () => {
    useSession.getState().signIn(login({ token: "old" }));
    fetch.on("POST /crm/auth/refresh", () => json({ token: "new", refresh_token: "r2" }));
    fetch.on("POST /crm/customer/", async (r) =>
      bearer(r) === "Bearer new"
        ? json({ customer_id: 1, ...(await r.json()) }, { status: 201 })
        : errorBody(401, "token_expired"),
    );

    const { data, response } = await api.POST("/crm/customer/", { body: { customer_name: "Acme" } });

    expect(response.status).toBe(201);
    expect(data).toMatchObject({ customer_id: 1, customer_name: "Acme" });
  });

  it("does not refresh again when a request was sent before another one refreshed", async () => {
    useSession.getState().signIn(login({ token: "old" }));
    meAccepts("new");
    fetch.on("POST /crm/auth/refresh", () => json({ token: "new", refresh_token: "r2" }));

    await api.GET("/crm/auth/me"); // refreshes
    // Simulate a straggler: a request that went out with the old token.
    const { response } = await api.GET("/crm/auth/me", { headers: { Authorization: "Bearer old" } });

    expect(response.status).toBe(200);
    expect(fetch.callsTo("POST /crm/auth/refresh")).toHaveLength(1);
  });

  it("retries only once: a second 401 is returned to the caller", async () => {
    useSession.getState().signIn(login({ token: "old" }));
    meAccepts("nobody");
    fetch.on("POST /crm/auth/refresh", () => json({ token: "new", refresh_token: "r2" }));

    const { response, error } = await api.GET("/crm/auth/me");

    expect(response.status).toBe(401);
    expect(error).toMatchObject({ code: "token_expired" });
    expect(fetch.callsTo("GET /crm/auth/me")).toHaveLength(2);
    expect(fetch.callsTo("POST /crm/auth/refresh")).toHaveLength(1);
  });

  it("clears the session when the refresh is refused", async () => {
    useSession.getState().signIn(login({ token: "old", refresh_token: "reused" }));
    meAccepts("new");
    fetch.on("POST /crm/auth/refresh", () => errorBody(401, "token_revoked", "Refresh token reused"));

    const results = await Promise.all([api.GET("/crm/auth/me"), api.GET("/crm/auth/me")]);

    expect(results.map((r) => r.response.status)).toEqual([401, 401]);
    expect(fetch.callsTo("POST /crm/auth/refresh")).toHaveLength(1);
    expect(useSession.getState()).toMatchObject({
      token: null,
      refreshToken: null,
      user: null,
      permissions: [],
      expired: true,
    });
    expect(JSON.parse(localStorage.getItem("omnicrm.session") ?? "{}").state).toMatchObject({
      token: null,
      expired: true,
    });
  });

  it("clears the session without calling refresh when there is no refresh token", async () => {
    useSession.setState({ token: "old", refreshToken: null });
    meAccepts("new");

    await expect(unwrap(api.GET("/crm/auth/me"))).rejects.toMatchObject({ status: 401 });

    expect(fetch.callsTo("POST /crm/auth/refresh")).toHaveLength(0);
    expect(useSession.getState()).toMatchObject({ token: null, expired: true });
  });

  it("does not refresh on a 401 that is about a 2FA code", async () => {
    useSession.getState().signIn(login({ token: "t" }));
    fetch.on("POST /crm/auth/2fa/disable", () => errorBody(401, "totp_required", "Invalid code"));

    const { response } = await api.POST("/crm/auth/2fa/disable", { body: { code: "000000" } });

    expect(response.status).toBe(401);
    expect(fetch.callsTo("POST /crm/auth/refresh")).toHaveLength(0);
    expect(useSession.getState().token).toBe("t");
  });

  it("does not refresh or retry a failed login", async () => {
    fetch.on("POST /crm/auth/login", () => errorBody(401, "invalid_credentials"));

    const { response } = await api.POST("/crm/auth/login", { body: { email: "a@b.c", password: "x" } });

    expect(response.status).toBe(401);
    expect(fetch.calls).toHaveLength(1);
  });

  it("keeps the session when the refresh fails on the network", async () => {
    useSession.getState().signIn(login({ token: "old" }));
    meAccepts("new");
    fetch.on("POST /crm/auth/refresh", () => {
      throw new TypeError("Failed to fetch");
    });

    const { response } = await api.GET("/crm/auth/me");

    expect(response.status).toBe(401);
    expect(useSession.getState().token).toBe("old");
  });
});
