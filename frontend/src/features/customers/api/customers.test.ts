import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, stubFetch, type StubFetch } from "@/test/http";
import { exportCustomers } from "./customers";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login());
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  URL.createObjectURL = vi.fn(() => "blob:export");
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => vi.unstubAllGlobals());

describe("exportCustomers", () => {
  it("downloads the file the server names, with the list's filters", async () => {
    fetch.on(
      "GET /crm/customer/export",
      () =>
        new Response("customer_id,customer_name\n1,Acme\n", {
          headers: { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="customers-2024.csv"' },
        }),
    );
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });

    await exportCustomers("csv", { q: "acme", customer_status: ["Open"], sort: "customer_name" });

    const query = new URL(fetch.calls[0].url).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      q: "acme",
      customer_status: "Open",
      sort: "customer_name",
      format: "csv",
    });
    expect(fetch.calls[0].headers.get("Authorization")).toBe("Bearer access-1");
    expect(clicked).toEqual(["customers-2024.csv"]);
  });

  it("throws the API error (e.g. 429 too many exports)", async () => {
    fetch.on("GET /crm/customer/export", () => errorBody(429, "rate_limited", "Too many exports"));
    await expect(exportCustomers("xlsx", {})).rejects.toMatchObject({ status: 429, code: "rate_limited" });
  });
});
