import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { FakeXhr, lastXhr } from "@/test/xhr";
import { ImportPage } from "./ImportPage";
import { template } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  FakeXhr.instances = [];
  useSession.getState().signIn(login({ permissions: ["inventory.read", "inventory.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  fetch.on("GET /crm/inventory/template/", () =>
    json([template(), template({ inventory_template_id: 2, item: "Phone Number", serial_kind: "msisdn" })]),
  );
  return () => vi.unstubAllGlobals();
});

async function chooseFileAndTemplate() {
  const view = renderRoutes([{ path: "/", element: <ImportPage /> }], "/");
  const user = userEvent.setup();
  const picker = screen.getByTestId("import-template");
  await within(picker).findByRole("option", { name: "SIM Card" });
  await user.selectOptions(picker, "SIM Card");
  const file = new File(["iccid,imsi\n8944100000000000018,234150000000001\n"], "sims.csv", { type: "text/csv" });
  await user.upload(screen.getByTestId("import-file"), file);
  return { ...view, user, file };
}

describe("ImportPage", () => {
  it("keeps Validate and Import disabled until a template and a file are chosen", () => {
    renderRoutes([{ path: "/", element: <ImportPage /> }], "/");
    expect(screen.getByTestId("import-validate")).toBeDisabled();
    expect(screen.getByTestId("import-submit")).toBeDisabled();
  });

  it("validates (dry run) with the bearer token and shows the per-row errors table", async () => {
    const { user, file } = await chooseFileAndTemplate();
    await user.click(screen.getByTestId("import-validate"));

    const xhr = lastXhr();
    expect(xhr.method).toBe("POST");
    const url = new URL(xhr.url, "http://x");
    expect(url.pathname + url.search).toBe("/crm/inventory/import?dry_run=true");
    expect(xhr.headers.Authorization).toBe("Bearer access-1");
    expect(xhr.body?.get("template")).toBe("SIM Card");
    expect((xhr.body?.get("file") as File).name).toBe(file.name);

    xhr.respond(422, {
      code: "invalid_rows",
      status: 422,
      message: "2 of 3 rows are invalid; nothing was imported",
      errors: {
        rows: [
          { row: 2, field: "iccid", message: "not a valid ICCID (check digit)" },
          { row: 4, field: "imsi", message: "duplicate of row 3" },
        ],
      },
      error_count: 2,
      template: "SIM Card",
    });

    const table = await screen.findByTestId("import-errors");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole("cell")
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ["2", "iccid", "not a valid ICCID (check digit)"],
      ["4", "imsi", "duplicate of row 3"],
    ]);
    expect(screen.getByText("2 of 3 rows are invalid; nothing was imported")).toBeInTheDocument();
    expect(screen.queryByTestId("import-summary")).not.toBeInTheDocument();
  });

  it("imports and shows the created count", async () => {
    const { user } = await chooseFileAndTemplate();
    await user.click(screen.getByTestId("import-submit"));
    const xhr = lastXhr();
    expect(new URL(xhr.url, "http://x").pathname).toBe("/crm/inventory/import");
    expect(new URL(xhr.url, "http://x").search).toBe("");
    xhr.respond(201, {
      created: 250,
      rows: 250,
      template: "SIM Card",
      inventory_template_id: 1,
      dry_run: false,
      errors: [],
    });

    expect(await screen.findByTestId("import-summary")).toHaveTextContent("Created 250 SIM Card items.");
    expect(screen.getByRole("link", { name: "See them" })).toHaveAttribute(
      "href",
      "/inventory/items?template=SIM+Card&state=new",
    );
  });

  it("moves the progress bar with the upload's progress events", async () => {
    const { user } = await chooseFileAndTemplate();
    await user.click(screen.getByTestId("import-submit"));
    const xhr = lastXhr();
    const bar = () => within(screen.getByTestId("import-progress")).getByRole("progressbar");

    expect(bar()).toHaveAttribute("aria-valuenow", "0");
    xhr.progress(25, 100);
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "25"));
    expect(screen.getByTestId("import-progress-label")).toHaveTextContent("Uploading… 25%");
    xhr.progress(100, 100);
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "100"));
    expect(screen.getByTestId("import-progress-label")).toHaveTextContent("the server is checking");
    xhr.respond(201, {
      created: 1,
      rows: 1,
      template: "SIM Card",
      inventory_template_id: 1,
      dry_run: false,
      errors: [],
    });
    await screen.findByTestId("import-summary");
  });

  it("shows header problems of an invalid_file", async () => {
    const { user } = await chooseFileAndTemplate();
    await user.click(screen.getByTestId("import-validate"));
    lastXhr().respond(422, {
      code: "invalid_file",
      status: 422,
      message: "unknown columns: foo",
      errors: { multipart: { file: ["unknown columns: foo"] } },
      unknown_headers: ["foo"],
      expected_headers: ["iccid", "imsi", "puk1", "puk2", "ki_ref"],
    });
    const alert = await screen.findByTestId("import-file-error");
    expect(alert).toHaveTextContent("Unknown columns: foo");
    expect(alert).toHaveTextContent("Expected columns: iccid, imsi, puk1, puk2, ki_ref");
  });
});
