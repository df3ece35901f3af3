import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import type { ImportDetail } from "@/features/imports";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { progress, stockImport } from "@/test/imports";
import { renderRoutes } from "@/test/render";
import { latestSocket, resetSockets } from "@/test/socket";
import { FakeXhr, lastXhr } from "@/test/xhr";
import { inventoryKeys } from "../api";
import { ImportPage } from "./ImportPage";
import { template } from "./testData";

vi.mock("socket.io-client", () => import("@/test/socket"));

let fetch: StubFetch;
/** What GET /crm/import/5 answers right now. */
let server: ImportDetail;

beforeEach(() => {
  FakeXhr.instances = [];
  resetSockets();
  useSession.getState().signIn(login({ permissions: ["inventory.read", "inventory.write", "import.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  fetch.on("GET /crm/inventory/template/", () =>
    json([template(), template({ inventory_template_id: 2, item: "Phone Number", serial_kind: "msisdn" })]),
  );
  server = stockImport();
  fetch.on("GET /crm/import/5", () => json(server));
  return () => vi.unstubAllGlobals();
});

const renderPage = () =>
  renderRoutes(
    [
      { path: "/inventory/import", element: <ImportPage /> },
      { path: "/imports/:importId", element: <p data-testid="job-page">job</p> },
    ],
    "/inventory/import",
  );

async function chooseTemplateAndFile(name = "sims.csv") {
  const view = renderPage();
  const user = userEvent.setup();
  const picker = screen.getByTestId("import-template");
  await within(picker).findByRole("option", { name: "SIM Card" });
  await user.selectOptions(picker, "SIM Card");
  const file = new File(["iccid,imsi\n8944100000000000018,234150000000001\n"], name, { type: "text/csv" });
  await user.upload(screen.getByTestId("import-file"), file);
  return { ...view, user, file };
}

/** The page's socket is up and joined to import 5's room. */
async function connected() {
  await waitFor(() => expect(latestSocket().joins()).toEqual([]));
  const socket = latestSocket();
  act(() => socket.serverConnect());
  await waitFor(() => expect(screen.getByTestId("import-live")).toHaveTextContent("Live"));
  expect(socket.joins()).toEqual([{ room: "import:5" }]);
  return socket;
}

const bar = () => screen.getByTestId("import-progress");

describe("the stock import page", () => {
  it("keeps Validate and Import disabled until a template and a file are chosen", async () => {
    renderPage();
    const user = userEvent.setup();
    expect(screen.getByTestId("import-validate")).toBeDisabled();
    expect(screen.getByTestId("import-submit")).toBeDisabled();
    await user.upload(screen.getByTestId("import-file"), new File(["iccid\n"], "sims.csv", { type: "text/csv" }));
    expect(screen.getByTestId("import-file-name")).toHaveTextContent("sims.csv");
    expect(screen.getByTestId("import-validate")).toBeDisabled();

    const picker = screen.getByTestId("import-template");
    await within(picker).findByRole("option", { name: "Phone Number" });
    await user.selectOptions(picker, "Phone Number");
    expect(screen.getByTestId("import-columns")).toHaveTextContent("Phone Number: msisdn");
    expect(screen.getByTestId("import-validate")).toBeEnabled();
    expect(screen.getByTestId("import-submit")).toBeEnabled();
  });

  it("validates (dry run) with the template and the file, then lists the bad rows here", async () => {
    const { user, file, router, queryClient } = await chooseTemplateAndFile();
    queryClient.setQueryData(inventoryKeys.stock(), []);
    await user.click(screen.getByTestId("import-validate"));

    const xhr = lastXhr();
    expect(xhr.method).toBe("POST");
    const url = new URL(xhr.url, "http://x");
    expect(url.pathname + url.search).toBe("/crm/import/stock?dry_run=true");
    expect(xhr.headers.Authorization).toBe("Bearer access-1");
    expect(xhr.body?.get("template")).toBe("SIM Card");
    expect((xhr.body?.get("file") as File).name).toBe(file.name);

    server = stockImport({ dry_run: true, total: 3 });
    xhr.respond(202, server);
    // Followed on this page (not the import's own page), which it links to.
    expect(await screen.findByTestId("import-job-card")).toHaveTextContent("Dry run #5: sims.csv");
    expect(screen.getByTestId("import-job-link")).toHaveAttribute("href", "/imports/5");
    expect(screen.getByTestId("import-status")).toHaveTextContent("Queued");
    expect(screen.getByTestId("import-dry-run")).toBeInTheDocument();
    const socket = await connected();

    act(() => socket.serverEmit("import.progress", progress({ dry_run: true, total: 3, processed: 1, created: 1 })));
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "33"));
    expect(screen.queryByTestId("import-errors")).not.toBeInTheDocument();

    server = stockImport({
      status: "done",
      dry_run: true,
      total: 3,
      processed: 3,
      created: 2,
      failed: 1,
      errors: [{ row: 3, field: "iccid", message: "not a valid ICCID (check digit)" }],
    });
    act(() =>
      socket.serverEmit(
        "import.progress",
        progress({ status: "done", dry_run: true, total: 3, processed: 3, created: 2, failed: 1 }),
      ),
    );
    expect(await screen.findByTestId("import-summary")).toHaveTextContent(
      "Dry run of 3 rows: 2 created, 0 updated, 0 unchanged, 1 failed. Nothing was written",
    );
    const table = await screen.findByTestId("import-errors");
    expect(
      within(table)
        .getAllByTestId("import-error-row")
        .map((r) =>
          within(r)
            .getAllByRole("cell")
            .map((c) => c.textContent),
        ),
    ).toEqual([["3", "iccid", "not a valid ICCID (check digit)"]]);
    expect(screen.getByTestId("import-download-errors")).toBeInTheDocument();
    // A dry run wrote nothing: no link to new items, the stock is not read again.
    expect(screen.queryByTestId("import-items-link")).not.toBeInTheDocument();
    expect(queryClient.getQueryState(inventoryKeys.stock())?.isInvalidated).toBe(false);
    expect(router.state.location.pathname).toBe("/inventory/import");
  });

  it("imports: the bar follows the worker to the end, then links to the new items and refreshes the stock", async () => {
    const { user, queryClient } = await chooseTemplateAndFile();
    queryClient.setQueryData(inventoryKeys.stock(), []);
    await user.click(screen.getByTestId("import-submit"));
    const xhr = lastXhr();
    const url = new URL(xhr.url, "http://x");
    expect(url.pathname + url.search).toBe("/crm/import/stock");
    expect(xhr.body?.get("template")).toBe("SIM Card");

    xhr.progress(40, 100);
    await waitFor(() => expect(screen.getByTestId("import-upload-progress-label")).toHaveTextContent("Uploading… 40%"));
    server = stockImport({ total: 25 });
    xhr.respond(202, server);
    expect(await screen.findByTestId("import-job-card")).toHaveTextContent("Import #5: sims.csv");
    expect(bar()).toHaveAttribute("aria-valuenow", "0");
    const socket = await connected();

    act(() => socket.serverEmit("import.progress", progress({ total: 25, processed: 10, created: 10 })));
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "40"));
    expect(screen.getByTestId("import-count")).toHaveTextContent("10/25 rows");

    server = stockImport({
      status: "done",
      total: 25,
      processed: 25,
      created: 25,
      finished_at: "2026-03-01T10:00:05+00:00",
      started_at: "2026-03-01T10:00:00+00:00",
    });
    act(() =>
      socket.serverEmit("import.progress", progress({ status: "done", total: 25, processed: 25, created: 25 })),
    );
    expect(await screen.findByTestId("import-summary")).toHaveTextContent(
      "25 rows: 25 created, 0 updated, 0 unchanged, 0 failed.",
    );
    expect(bar()).toHaveAttribute("aria-valuenow", "100");
    expect(screen.getByTestId("import-created")).toHaveTextContent("25");
    expect(screen.queryByTestId("import-errors")).not.toBeInTheDocument();
    expect(screen.getByTestId("import-items-link")).toHaveAttribute(
      "href",
      "/inventory/items?template=SIM+Card&state=new",
    );
    await waitFor(() => expect(queryClient.getQueryState(inventoryKeys.stock())?.isInvalidated).toBe(true));
  });

  it("shows each header problem of the template's file (422 invalid_file) with its headers", async () => {
    const { user } = await chooseTemplateAndFile();
    await user.click(screen.getByTestId("import-validate"));
    lastXhr().respond(422, {
      code: "invalid_file",
      status: 422,
      message: "wrong headers: unknown headers: serial, colour; missing headers: iccid, imsi",
      errors: { multipart: { file: ["unknown headers: serial, colour", "missing headers: iccid, imsi"] } },
      problems: [
        { problem: "unknown_headers", headers: ["serial", "colour"], message: "unknown headers: serial, colour" },
        { problem: "missing_headers", headers: ["iccid", "imsi"], message: "missing headers: iccid, imsi" },
      ],
      expected_headers: ["iccid", "imsi", "puk1", "puk2", "ki_ref"],
      required_headers: ["iccid", "imsi"],
    });
    const alert = await screen.findByTestId("import-file-error");
    expect(alert).toHaveTextContent("The file was refused: nothing was imported");
    expect(
      within(alert)
        .getAllByTestId("import-file-problem")
        .map((p) => [p.dataset.problem, p.textContent]),
    ).toEqual([
      ["unknown_headers", "Unknown headers: serial, colour"],
      ["missing_headers", "Missing headers: iccid, imsi"],
    ]);
    expect(within(alert).getByTestId("import-file-expected")).toHaveTextContent(
      "The headers this import knows: iccid, imsi, puk1, puk2, ki_ref (required: iccid, imsi).",
    );
    expect(screen.queryByTestId("import-job-card")).not.toBeInTheDocument();

    // The problems were about SIM Card's headers: another template's are not known yet.
    const picker = screen.getByTestId("import-template");
    await user.selectOptions(picker, "Phone Number");
    expect(screen.queryByTestId("import-file-error")).not.toBeInTheDocument();
    await user.selectOptions(picker, "SIM Card");
    expect(screen.getByTestId("import-file-error")).toBeInTheDocument();
  });

  it("links to the import already running for the same file (409 import_in_progress)", async () => {
    const { user, router } = await chooseTemplateAndFile();
    await user.click(screen.getByTestId("import-submit"));
    lastXhr().respond(409, {
      code: "import_in_progress",
      status: 409,
      message: "this file is being imported already (import 4)",
      import_id: 4,
    });
    const link = await screen.findByTestId("import-conflict-link");
    expect(link).toHaveAttribute("href", "/imports/4");
    await user.click(link);
    await waitFor(() => expect(router.state.location.pathname).toBe("/imports/4"));
  });
  it("downloads the chosen template's sample CSV from the API", async () => {
    const sample = "iccid,imsi,puk1,puk2,ki_ref\n8944100000000000018,001010000000001,,,\n";
    fetch.on(
      "GET /crm/import/stock/sample.csv",
      () =>
        new Response(sample, {
          headers: { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="sim-card-sample.csv"' },
        }),
    );
    const createObjectURL = vi.fn<(blob: Blob) => string>(() => "blob:sample");
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderPage();
    const user = userEvent.setup();
    // No template yet: nothing to download.
    expect(await screen.findByTestId("import-sample")).toBeDisabled();
    await waitFor(() => expect(screen.getByRole("option", { name: "SIM Card" })).toBeInTheDocument());
    await user.selectOptions(screen.getByTestId("import-template"), "SIM Card");
    await user.click(screen.getByTestId("import-sample"));
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    const [request] = fetch.callsTo("GET /crm/import/stock/sample.csv");
    expect(new URL(request.url).searchParams.get("template")).toBe("SIM Card");
    expect(await createObjectURL.mock.calls[0][0].text()).toBe(sample);
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("sim-card-sample.csv");
    click.mockRestore();
  });
});
