import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { catalogue, role } from "../testData";
import { RolesPage } from "./RolesPage";

let fetch: StubFetch;
const signIn = (permissions: string[]) => useSession.getState().signIn(login({ permissions }));

beforeEach(() => {
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/role/", () =>
    json([
      role({ id: 1, name: "admin", description: "Full access", permissions: catalogue.map((p) => p.name) }),
      role(),
      role({ id: 12, name: "auditor", description: "", builtin: false, permissions: ["customer.read"] }),
    ]),
  );
  fetch.on("GET /crm/permission/", () => json(catalogue));
  return () => vi.unstubAllGlobals();
});

const rowOf = (name: string) => screen.getAllByTestId("role-row").find((r) => r.dataset.role === name) as HTMLElement;

describe("RolesPage", () => {
  it("hides edit and delete without role.write", async () => {
    signIn(["role.read"]);
    renderRoutes(<RolesPage />);
    await screen.findByTestId("roles-table");
    expect(screen.queryByTestId("role-new")).toBeNull();
    expect(screen.queryByTestId("role-edit")).toBeNull();
    expect(screen.queryByTestId("role-delete")).toBeNull();
  });

  it("offers delete for custom roles only, and no edit for admin", async () => {
    signIn(["role.read", "role.write"]);
    renderRoutes(<RolesPage />);
    await screen.findByTestId("roles-table");
    expect(within(rowOf("admin")).queryByTestId("role-edit")).toBeNull();
    expect(within(rowOf("support")).queryByTestId("role-delete")).toBeNull();
    expect(within(rowOf("auditor")).getByTestId("role-delete")).toBeInTheDocument();
  });

  it("groups permissions by resource, searches them, validates and shows the API's refusal inline", async () => {
    signIn(["role.read", "role.write"]);
    fetch.on("POST /crm/role/", () =>
      errorBody(403, "permission_denied", "you cannot grant role: you do not hold user.write", {
        required: ["user.write"],
      }),
    );
    renderRoutes(<RolesPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("role-new"));
    await screen.findByTestId("permission-picker");
    expect(screen.getAllByTestId("permission-group").map((g) => g.dataset.resource)).toEqual([
      "customer",
      "ticket",
      "user",
    ]);

    await user.type(screen.getByTestId("role-form-name"), "Bad Name");
    await user.click(screen.getByTestId("role-form-submit"));
    expect(await screen.findByText(/lowercase letters/)).toBeInTheDocument();
    expect(screen.getByTestId("permission-error")).toHaveTextContent("Pick at least one permission");

    await user.clear(screen.getByTestId("role-form-name"));
    await user.type(screen.getByTestId("role-form-name"), "useradmin");
    await user.type(screen.getByTestId("permission-search"), "disable");
    expect(screen.getAllByTestId("permission-group").map((g) => g.dataset.resource)).toEqual(["user"]);
    await user.click(screen.getByTestId("permission-user.write"));
    expect(screen.getByTestId("permission-count")).toHaveTextContent("1 selected");
    await user.click(screen.getByTestId("role-form-submit"));

    expect(await screen.findByTestId("role-form-error")).toHaveTextContent("you do not hold user.write");
    const body = await fetch.callsTo("POST /crm/role/")[0]!.json();
    expect(body).toEqual({ name: "useradmin", description: "", permissions: ["user.write"] });
  });

  it("edits a role's permissions", async () => {
    signIn(["role.read", "role.write"]);
    fetch.on("PATCH /crm/role/12", async (r) => json(role({ id: 12, name: "auditor", ...(await r.json()) })));
    renderRoutes(<RolesPage />);
    const user = userEvent.setup();
    await screen.findByTestId("roles-table");
    await user.click(within(rowOf("auditor")).getByTestId("role-edit"));
    expect(await screen.findByTestId("permission-customer.read")).toBeChecked();
    await user.click(screen.getByTestId("permission-ticket.read"));
    await user.click(screen.getByTestId("role-form-submit"));
    await waitFor(() => expect(fetch.callsTo("PATCH /crm/role/12")).toHaveLength(1));
    expect(await fetch.callsTo("PATCH /crm/role/12")[0]!.json()).toEqual({
      description: "",
      permissions: ["customer.read", "ticket.read"],
    });
  });
});
