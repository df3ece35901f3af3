import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { TemplatesPage } from "./TemplatesPage";
import { template } from "./testData";

let fetch: StubFetch;
const ont = template({
  inventory_template_id: 9,
  item: "ONT",
  serial_kind: "free",
  builtin: false,
  itemtext1_label: null,
  itemtext2_label: null,
  itemtext3_label: "Port",
});

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["inventory.read", "inventory.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/inventory/template/", () => json([ont, template()]));
  return () => vi.unstubAllGlobals();
});

const renderPage = () =>
  renderRoutes([{ path: "/inventory/templates", element: <TemplatesPage /> }], "/inventory/templates");

describe("TemplatesPage", () => {
  it("lists the templates with their serial rule and field labels", async () => {
    renderPage();
    const sim = await screen.findByTestId("templates-row-1");
    expect(sim).toHaveTextContent("SIM Card");
    expect(sim).toHaveTextContent("built-in");
    expect(sim).toHaveTextContent("ICCID (SIM card)");
    expect(sim).toHaveTextContent("ICCID, IMSI, PUK1");
    expect(screen.getByTestId("templates-row-9")).toHaveTextContent("Port");
  });

  it("creates a template: name required, a taken name shown on the form, then the list refreshes", async () => {
    let answer = () => errorBody(409, "duplicate_template", "a template named ONT exists");
    fetch.on("POST /crm/inventory/template/", () => answer());
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("templates-new"));
    await user.click(await screen.findByTestId("template-submit"));
    expect(screen.getByTestId("template-name")).toHaveAttribute("aria-invalid", "true");
    expect(fetch.callsTo("POST /crm/inventory/template/")).toHaveLength(0);

    await user.type(screen.getByTestId("template-name"), " ONT ");
    await user.type(screen.getByTestId("template-label-itemtext3"), "Port");
    await user.click(screen.getByTestId("template-submit"));
    expect(await screen.findByTestId("template-form-error")).toHaveTextContent("a template named ONT exists");
    const body = await fetch.callsTo("POST /crm/inventory/template/")[0].json();
    expect(body).toMatchObject({ item: "ONT", serial_kind: "free", itemtext3_label: "Port", itemtext1_label: null });

    const before = fetch.callsTo("GET /crm/inventory/template/").length;
    answer = () => json(ont, { status: 201 });
    await user.click(screen.getByTestId("template-submit"));
    await waitFor(() => expect(screen.queryByTestId("template-form")).not.toBeInTheDocument());
    await waitFor(() => expect(fetch.callsTo("GET /crm/inventory/template/").length).toBeGreaterThan(before));
  });

  it("edits a built-in template's labels only", async () => {
    fetch.on("PATCH /crm/inventory/template/1", () => json(template({ itemtext5_label: "Ki ref" })));
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("templates-edit-1"));
    const form = await screen.findByTestId("template-form");
    expect(within(form).getByTestId("template-name")).toBeDisabled();
    expect(within(form).getByTestId("template-name")).toHaveValue("SIM Card");
    await user.type(within(form).getByTestId("template-label-itemtext5"), "Ki ref");
    await user.click(within(form).getByTestId("template-submit"));
    await waitFor(() => expect(fetch.callsTo("PATCH /crm/inventory/template/1")).toHaveLength(1));
    const body = await fetch.callsTo("PATCH /crm/inventory/template/1")[0].json();
    expect(body).not.toHaveProperty("item");
    expect(body).not.toHaveProperty("serial_kind");
    expect(body).toMatchObject({ itemtext1_label: "ICCID", itemtext5_label: "Ki ref" });
  });

  it("offers no editing without inventory.write", async () => {
    useSession.getState().signIn(login({ permissions: ["inventory.read"] }));
    renderPage();
    await screen.findByTestId("templates-row-1");
    expect(screen.queryByTestId("templates-new")).not.toBeInTheDocument();
    expect(screen.queryByTestId("templates-edit-1")).not.toBeInTheDocument();
  });
});
