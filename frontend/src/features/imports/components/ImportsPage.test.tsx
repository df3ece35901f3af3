import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { FakeXhr, lastXhr } from "@/test/xhr";
import { COLUMNS, TEMPLATE_CSV } from "../constants";
import { importDetail, importRow } from "../testData";
import { ImportsPage } from "./ImportsPage";

let fetch: StubFetch;

const page = (rows: ReturnType<typeof importRow>[]) =>
  json(rows, { headers: { "X-Pagination": JSON.stringify({ total: rows.length, total_pages: 1, page: 1 }) } });

beforeEach(() => {
  FakeXhr.instances = [];
  useSession.getState().signIn(login({ permissions: ["import.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  fetch.on("GET /crm/import/", () => page([]));
  return () => vi.unstubAllGlobals();
});

/** jsdom's Blob has no text(). */
const textOf = (blob: Blob) =>
  new Promise<string>((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.readAsText(blob);
  });

const renderPage = () =>
  renderRoutes(
    [
      { path: "/imports", element: <ImportsPage /> },
      { path: "/imports/:importId", element: <p data-testid="job-page">job</p> },
    ],
    "/imports",
  );

async function chooseFile(name = "subscribers.csv") {
  const view = renderPage();
  const user = userEvent.setup();
  const file = new File(["external_id,customer_name\nX-1,Ada\n"], name, { type: "text/csv" });
  await user.upload(screen.getByTestId("imports-file"), file);
  return { ...view, user, file };
}

describe("the imports page", () => {
  it("lists past imports with their status, dry run, file and counts, each linking to its page", async () => {
    fetch.on("GET /crm/import/", () =>
      page([
        importRow({ import_id: 9, status: "running", total: 200, processed: 50, filename: "pack.csv" }),
        importRow({
          import_id: 8,
          status: "done",
          dry_run: true,
          total: 8,
          processed: 8,
          created: 4,
          updated: 1,
          unchanged: 0,
          failed: 3,
        }),
      ]),
    );
    const { router } = renderPage();
    const rows = await screen.findAllByTestId("imports-row");
    expect(rows.map((r) => [r.dataset.importId, r.dataset.status, r.dataset.dryRun])).toEqual([
      ["9", "running", "false"],
      ["8", "done", "true"],
    ]);
    expect(within(rows[0]).getByTestId("imports-row-status")).toHaveTextContent("Running");
    expect(within(rows[0]).getByTestId("imports-row-file")).toHaveTextContent("pack.csv");
    expect(rows[0]).toHaveTextContent("50/200 (25%)");
    expect(within(rows[0]).queryByTestId("imports-row-dry-run")).not.toBeInTheDocument();
    expect(within(rows[1]).getByTestId("imports-row-dry-run")).toHaveTextContent("Dry run");
    const cells = within(rows[1])
      .getAllByRole("cell")
      .map((c) => c.textContent);
    expect(cells.slice(3, 8)).toEqual(["8", "4", "1", "0", "3"]);
    expect(within(rows[1]).getByRole("link", { name: "#8" })).toHaveAttribute("href", "/imports/8");

    await userEvent.setup().click(rows[1]);
    await waitFor(() => expect(router.state.location.pathname).toBe("/imports/8"));
  });

  it("lists the columns, required ones marked, and downloads a header-only template", async () => {
    const createObjectURL = vi.fn<(blob: Blob) => string>(() => "blob:template");
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderPage();
    const columns = screen.getAllByTestId("imports-column");
    expect(columns.map((c) => c.dataset.column)).toEqual(COLUMNS);
    expect(columns.filter((c) => c.dataset.required === "true").map((c) => c.dataset.column)).toEqual([
      "customer_name",
    ]);
    expect(columns.filter((c) => c.dataset.required === "one-of").map((c) => c.dataset.column)).toEqual([
      "external_id",
      "email",
    ]);
    expect(screen.getByTestId("imports-help")).toHaveTextContent("customer_name *");
    expect(COLUMNS).toHaveLength(23);

    await userEvent.setup().click(screen.getByTestId("imports-template"));
    const [blob] = createObjectURL.mock.calls[0];
    expect(await textOf(blob)).toBe(TEMPLATE_CSV);
    expect(blob.type).toBe("text/csv;charset=utf-8");
    expect(TEMPLATE_CSV).toBe(`${COLUMNS.join(",")}\r\n`);
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("subscribers-template.csv");
    click.mockRestore();
  });

  it("uploads the file with the bearer token, shows the upload's progress, then opens the import", async () => {
    const { user, file, router, queryClient } = await chooseFile();
    expect(screen.getByTestId("imports-file-name")).toHaveTextContent("subscribers.csv");
    await user.click(screen.getByTestId("imports-submit"));

    const xhr = lastXhr();
    expect(xhr.method).toBe("POST");
    const url = new URL(xhr.url, "http://x");
    expect(url.pathname + url.search).toBe("/crm/import/subscribers");
    expect(xhr.headers.Authorization).toBe("Bearer access-1");
    expect((xhr.body?.get("file") as File).name).toBe(file.name);

    const bar = () => within(screen.getByTestId("imports-upload-progress")).getByRole("progressbar");
    xhr.progress(40, 100);
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "40"));
    expect(screen.getByTestId("imports-upload-progress-label")).toHaveTextContent("Uploading… 40%");
    xhr.progress(100, 100);
    await waitFor(() => expect(screen.getByTestId("imports-upload-progress-label")).toHaveTextContent("checking"));

    xhr.respond(202, importDetail({ import_id: 12 }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/imports/12"));
    // The page opens on the 202's body, without waiting for a read.
    expect(queryClient.getQueryData(["imports", "detail", 12])).toMatchObject({ import_id: 12, status: "queued" });
  });

  it("sends dry_run=true with Dry run only", async () => {
    const { user } = await chooseFile();
    await user.click(screen.getByTestId("imports-dry-run"));
    await user.click(screen.getByTestId("imports-submit"));
    expect(new URL(lastXhr().url, "http://x").search).toBe("?dry_run=true");
  });

  it("shows what is wrong with the file's structure (422 invalid_file), one problem a line", async () => {
    const { user, router } = await chooseFile();
    await user.click(screen.getByTestId("imports-submit"));
    lastXhr().respond(422, {
      code: "invalid_file",
      status: 422,
      message:
        "wrong headers: unknown headers: nmae; missing headers: customer_name; one of these headers is needed: external_id, email",
      errors: { multipart: { file: ["wrong headers: ..."] } },
      unknown_headers: ["nmae"],
      missing_headers: ["customer_name"],
    });
    const alert = await screen.findByTestId("imports-file-error");
    expect(alert).toHaveTextContent("nothing was imported");
    expect(
      within(alert)
        .getAllByTestId("imports-file-problem")
        .map((p) => p.textContent),
    ).toEqual([
      "unknown headers: nmae",
      "missing headers: customer_name",
      "one of these headers is needed: external_id, email",
    ]);
    expect(router.state.location.pathname).toBe("/imports");
    expect(screen.queryByTestId("imports-upload-progress")).not.toBeInTheDocument();
    expect(screen.getByTestId("imports-submit")).toBeEnabled();
  });

  it("shows a 422 that is not about headers as it is", async () => {
    const { user } = await chooseFile();
    await user.click(screen.getByTestId("imports-submit"));
    lastXhr().respond(422, {
      code: "invalid_file",
      status: 422,
      message: "line 3: the file is not UTF-8 (save it as CSV UTF-8)",
      line: 3,
    });
    const alert = await screen.findByTestId("imports-file-error");
    expect(
      within(alert)
        .getAllByTestId("imports-file-problem")
        .map((p) => p.textContent),
    ).toEqual(["line 3: the file is not UTF-8 (save it as CSV UTF-8)"]);
  });

  it("links to the import already running for the same file (409 import_in_progress)", async () => {
    const { user, router } = await chooseFile();
    await user.click(screen.getByTestId("imports-submit"));
    lastXhr().respond(409, {
      code: "import_in_progress",
      status: 409,
      message: "this file is being imported already (import 4)",
      import_id: 4,
    });
    const alert = await screen.findByTestId("imports-conflict");
    const link = within(alert).getByTestId("imports-conflict-link");
    expect(link).toHaveTextContent("import #4");
    expect(link).toHaveAttribute("href", "/imports/4");
    await user.click(link);
    await waitFor(() => expect(router.state.location.pathname).toBe("/imports/4"));
  });

  it("says so when the file is too large (413)", async () => {
    const { user } = await chooseFile();
    await user.click(screen.getByTestId("imports-submit"));
    lastXhr().respond(413, { code: "payload_too_large", status: 413, message: "the file is larger than 50 MB" });
    expect(await screen.findByTestId("imports-upload-error")).toHaveTextContent("the file is larger than 50 MB");
  });
});
