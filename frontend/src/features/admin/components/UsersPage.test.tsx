import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { role, staffUser } from "../testData";
import { UsersPage } from "./UsersPage";

let fetch: StubFetch;
const page = (items: unknown[]) =>
  json(items, { headers: { "X-Pagination": JSON.stringify({ total: items.length, total_pages: 1, page: 1 }) } });

const signIn = (permissions: string[]) => useSession.getState().signIn(login({ permissions }));

beforeEach(() => {
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/user/", () =>
    page([staffUser(), staffUser({ id: 3, email: "off@example.com", is_active: false, is_2fa_enabled: false })]),
  );
  fetch.on("GET /crm/role/", () => json([role(), role({ id: 11, name: "sales", description: "Sales" })]));
  return () => vi.unstubAllGlobals();
});

const rowOf = (email: string) =>
  screen.getAllByTestId("user-row").find((r) => r.dataset.email === email) as HTMLElement;

describe("UsersPage", () => {
  it("lists users with roles, status, 2FA and last sign-in", async () => {
    signIn(["user.read", "user.write", "role.read"]);
    renderRoutes(<UsersPage />);
    await screen.findByTestId("users-table");
    const bob = rowOf("bob@example.com");
    expect(bob).toHaveTextContent("Bob Builder");
    expect(bob).toHaveTextContent("support");
    expect(within(bob).getByTestId("user-active")).toHaveTextContent("Active");
    expect(within(bob).getByTestId("user-2fa")).toHaveTextContent("On");
    expect(within(rowOf("off@example.com")).getByTestId("user-active")).toHaveTextContent("Disabled");
    expect(document.title).toBe("Users · OmniCRM");
  });

  it("hides every action without user.write", async () => {
    signIn(["user.read"]);
    renderRoutes(<UsersPage />);
    await screen.findByTestId("users-table");
    expect(screen.queryByTestId("user-new")).toBeNull();
    expect(screen.queryByTestId("user-edit")).toBeNull();
    expect(screen.queryByTestId("user-disable")).toBeNull();
    expect(screen.queryByTestId("user-reset-2fa")).toBeNull();
  });

  it("disables self-lockout actions on one's own row", async () => {
    signIn(["user.read", "user.write"]);
    fetch.on("GET /crm/user/", () => page([staffUser({ id: 1, email: "ada@example.com" })]));
    renderRoutes(<UsersPage />);
    await screen.findByTestId("users-table");
    expect(within(rowOf("ada@example.com")).getByTestId("user-disable")).toBeDisabled();
    expect(within(rowOf("ada@example.com")).getByTestId("user-reset-2fa")).toBeDisabled();
  });

  it("validates the new-user form and invites when no password is given", async () => {
    signIn(["user.read", "user.write", "role.read"]);
    fetch.on("POST /crm/user/", async (r) =>
      json(staffUser({ id: 9, email: (await r.json()).email }), { status: 201 }),
    );
    renderRoutes(<UsersPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("user-new"));
    // The modal opens with a transition: wait for its form.
    await user.type(await screen.findByTestId("user-form-email"), "not-an-email");
    await user.type(screen.getByTestId("user-form-password"), "short");
    await user.click(screen.getByTestId("user-form-submit"));
    expect(await screen.findByText("Enter a valid e-mail address")).toBeInTheDocument();
    expect(screen.getByText("Give the user at least one role")).toBeInTheDocument();
    expect(screen.getByText(/At least 8 characters, or leave it blank/)).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/user/")).toHaveLength(0);

    await user.clear(screen.getByTestId("user-form-email"));
    await user.type(screen.getByTestId("user-form-email"), "new@example.com");
    await user.clear(screen.getByTestId("user-form-password"));
    expect(screen.getByTestId("user-invite-note")).toHaveTextContent("invitation e-mail");
    await user.click(screen.getByTestId("user-form-roles"));
    await user.click(await screen.findByRole("option", { name: /sales/, hidden: true }));
    await user.click(screen.getByTestId("user-form-submit"));

    await waitFor(() => expect(fetch.callsTo("POST /crm/user/")).toHaveLength(1));
    const body = await fetch.callsTo("POST /crm/user/")[0]!.json();
    expect(body).toEqual({ email: "new@example.com", full_name: "", roles: ["sales"] });
    expect(await screen.findByText(/an invitation e-mail with a link to set a password/)).toBeInTheDocument();
  });

  it("resets a user's 2FA after confirming", async () => {
    signIn(["user.read", "user.write"]);
    fetch.on("POST /crm/user/2/2fa/reset", () => json(staffUser({ is_2fa_enabled: false })));
    renderRoutes(<UsersPage />);
    const user = userEvent.setup();
    await screen.findByTestId("users-table");
    await user.click(within(rowOf("bob@example.com")).getByTestId("user-reset-2fa"));
    await user.click(await screen.findByTestId("confirm-action"));
    await waitFor(() => expect(fetch.callsTo("POST /crm/user/2/2fa/reset")).toHaveLength(1));
    expect(await screen.findByText("Two-factor authentication of bob@example.com is reset")).toBeInTheDocument();
  });

  it("shows the API's refusal when disabling fails", async () => {
    signIn(["user.read", "user.write"]);
    fetch.on("PATCH /crm/user/2", () =>
      errorBody(403, "permission_denied", "you cannot change user 2: they hold user.write, which you do not"),
    );
    renderRoutes(<UsersPage />);
    const user = userEvent.setup();
    await screen.findByTestId("users-table");
    await user.click(within(rowOf("bob@example.com")).getByTestId("user-disable"));
    await user.click(await screen.findByTestId("confirm-action"));
    expect(await screen.findByText(/they hold user.write, which you do not/)).toBeInTheDocument();
  });
});
