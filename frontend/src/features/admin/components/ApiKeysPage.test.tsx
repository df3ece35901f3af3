import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { apiKey, catalogue } from "../testData";
import { ApiKeysPage } from "./ApiKeysPage";

let fetch: StubFetch;
const SECRET = "ock_ef56ab78_very-secret-value";

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["apikey.manage", "customer.read", "ticket.read", "role.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/auth/api-key/", () => json([apiKey()]));
  fetch.on("GET /crm/permission/", () => json(catalogue));
  return () => vi.unstubAllGlobals();
});

describe("ApiKeysPage", () => {
  it("lists keys with prefix, scope and dates", async () => {
    renderRoutes(<ApiKeysPage />);
    const row = await screen.findByTestId("apikey-row");
    expect(row).toHaveTextContent("billing sync");
    expect(row).toHaveTextContent("ab12cd34");
    expect(row).toHaveTextContent("customer.read");
    expect(row).toHaveTextContent("Never");
    expect(document.title).toBe("API keys · OmniCRM");
  });

  it("offers only held permissions, validates, and shows the secret once", async () => {
    fetch.on("POST /crm/auth/api-key/", async (r) =>
      json(
        { ...apiKey({ id: 6, name: "crm sync", prefix: "ef56ab78" }), ...(await r.json()), key: SECRET },
        { status: 201 },
      ),
    );
    renderRoutes(<ApiKeysPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("apikey-new"));
    await screen.findByTestId("permission-picker");
    expect(screen.getByTestId("permission-customer.read")).toBeInTheDocument();
    expect(screen.queryByTestId("permission-user.write")).toBeNull(); // not held

    await user.click(screen.getByTestId("apikey-form-submit"));
    expect(await screen.findByText("Name the key (what uses it?)")).toBeInTheDocument();
    expect(screen.getByTestId("permission-error")).toHaveTextContent("Pick at least one permission");

    await user.type(screen.getByTestId("apikey-form-name"), "crm sync");
    await user.click(screen.getByTestId("permission-ticket.read"));
    await user.click(screen.getByTestId("apikey-form-submit"));

    expect(await screen.findByTestId("apikey-secret")).toHaveTextContent(SECRET);
    expect(screen.getByTestId("apikey-secret-modal")).toHaveTextContent("only time the key is shown");
    const body = await fetch.callsTo("POST /crm/auth/api-key/")[0]!.json();
    expect(body.name).toBe("crm sync");
    expect(body.scopes).toEqual(["ticket.read"]);
    expect(new Date(body.expires_at).getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);

    await user.click(screen.getByTestId("apikey-secret-done"));
    await waitFor(() => expect(screen.queryByText(SECRET)).toBeNull());
  });

  it("revokes after confirming", async () => {
    fetch.on("DELETE /crm/auth/api-key/5", () => new Response(null, { status: 204 }));
    renderRoutes(<ApiKeysPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("apikey-revoke"));
    expect(fetch.callsTo("DELETE /crm/auth/api-key/5")).toHaveLength(0);
    await user.click(await screen.findByTestId("confirm-action"));
    await waitFor(() => expect(fetch.callsTo("DELETE /crm/auth/api-key/5")).toHaveLength(1));
  });
});
