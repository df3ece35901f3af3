import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { FakeXhr, lastXhr } from "@/test/xhr";
import { COLUMNS } from "../constants";
import { importDetail, importRow } from "@/test/imports";
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

  it("shows each import's kind, a stock import's template, and filters by kind in the URL", async () => {
    const seen: string[] = [];
    fetch.on("GET /crm/import/", (request) => {
      const kind = new URL(request.url).searchParams.get("kind");
      seen.push(kind ?? "");
      const rows = [
        importRow({ import_id: 9, kind: "stock", template: "SIM Card", filename: "sims.csv" }),
        importRow({ import_id: 8, kind: "subscribers", filename: "subscribers.csv" }),
      ];
      return page(kind ? rows.filter((r) => r.kind === kind) : rows);
    });
    const { router } = renderPage();
    const rows = await screen.findAllByTestId("imports-row");
    expect(rows.map((r) => [r.dataset.importId, r.dataset.kind])).toEqual([
      ["9", "stock"],
      ["8", "subscribers"],
    ]);
    expect(within(rows[0]).getByRole("img", { name: "Stock: SIM Card" })).toBeInTheDocument();
    expect(within(rows[0]).getByTestId("imports-row-template")).toHaveTextContent("SIM Card");
    expect(within(rows[1]).getByRole("img", { name: "Subscribers" })).toBeInTheDocument();
    expect(within(rows[1]).queryByTestId("imports-row-template")).not.toBeInTheDocument();
    // The kind is an icon: the cells read as before.
    expect(within(rows[1]).getAllByRole("cell")[0]).toHaveTextContent(/^#8$/);

    const user = userEvent.setup();
    await user.click(within(screen.getByTestId("imports-filter-kind")).getByText("Stock"));
    await waitFor(() => expect(screen.getAllByTestId("imports-row")).toHaveLength(1));
    expect(screen.getByTestId("imports-row")).toHaveAttribute("data-kind", "stock");
    expect(router.state.location.search).toBe("?kind=stock");
    expect(seen).toEqual(["", "stock"]);

    await user.click(within(screen.getByTestId("imports-filter-kind")).getByText("All kinds"));
    await waitFor(() => expect(screen.getAllByTestId("imports-row")).toHaveLength(2));
    expect(router.state.location.search).toBe("");
  });

  it("opens on the kind in the URL and says when there is none of it", async () => {
    renderRoutes([{ path: "/imports", element: <ImportsPage /> }], "/imports?kind=stock");
    expect(await screen.findByText("No stock imports yet")).toBeInTheDocument();
    const [request] = fetch.callsTo("GET /crm/import/");
    expect(new URL(request.url).searchParams.get("kind")).toBe("stock");
    // Stock is uploaded on the inventory's page, for those who may write stock.
    expect(screen.queryByTestId("imports-stock-link")).not.toBeInTheDocument();
  });

  it("links to the stock import page with inventory.write", async () => {
    useSession.getState().signIn(login({ permissions: ["import.write", "inventory.write"] }));
    renderPage();
    expect(await screen.findByTestId("imports-stock-link")).toHaveAttribute("href", "/inventory/import");
  });

  it("lists the columns, required ones marked, and downloads the server's sample CSV", async () => {
    const sample = "external_id,customer_name\nSAMPLE-1,Sample Customer\n";
    fetch.on(
      "GET /crm/import/subscribers/sample.csv",
      () =>
        new Response(sample, {
          headers: {
            "Content-Type": "text/csv",
            "Content-Disposition": 'attachment; filename="subscribers-sample.csv"',
          },
        }),
    );
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
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    const [blob] = createObjectURL.mock.calls[0];
    // The response's own Blob (not jsdom's): it reads itself.
    expect(await blob.text()).toBe(sample);
    expect(fetch.callsTo("GET /crm/import/subscribers/sample.csv")).toHaveLength(1);
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("subscribers-sample.csv");
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

  it("validates with Validate (dry run): dry_run=true, the file alone", async () => {
    const { user, router } = await chooseFile();
    await user.click(screen.getByTestId("imports-validate"));
    const xhr = lastXhr();
    const url = new URL(xhr.url, "http://x");
    expect(url.pathname + url.search).toBe("/crm/import/subscribers?dry_run=true");
    expect([...(xhr.body?.keys() ?? [])]).toEqual(["file"]);
    xhr.respond(202, importDetail({ import_id: 13, dry_run: true }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/imports/13"));
  });

  it("shows each header problem of a 422 invalid_file with its headers, and the headers it knows", async () => {
    const { user, router } = await chooseFile();
    await user.click(screen.getByTestId("imports-submit"));
    lastXhr().respond(422, {
      code: "invalid_file",
      status: 422,
      message:
        "wrong headers: unknown headers: nmae; one of these headers is needed: external_id, email; repeated headers: phone",
      errors: { multipart: { file: ["unknown headers: nmae", "..."] } },
      problems: [
        { problem: "unknown_headers", headers: ["nmae"], message: "unknown headers: nmae" },
        {
          problem: "missing_key",
          headers: ["external_id", "email"],
          message: "one of these headers is needed: external_id, email",
        },
        { problem: "repeated_headers", headers: ["phone"], message: "repeated headers: phone" },
      ],
      expected_headers: ["external_id", "customer_name", "email", "phone"],
      required_headers: ["customer_name"],
    });
    const alert = await screen.findByTestId("imports-file-error");
    expect(alert).toHaveTextContent("nothing was imported");
    const problems = within(alert).getAllByTestId("imports-file-problem");
    expect(problems.map((p) => [p.dataset.problem, p.textContent])).toEqual([
      ["unknown_headers", "Unknown headers: nmae"],
      ["missing_key", "One of these headers is needed: external_id, email"],
      ["repeated_headers", "Repeated headers: phone"],
    ]);
    // Each header on its own (monospace), not only inside a sentence.
    expect(within(problems[1]).getByText("external_id").tagName).toBe("CODE");
    expect(within(alert).getByTestId("imports-file-expected")).toHaveTextContent(
      "The headers this import knows: external_id, customer_name, email, phone (required: customer_name).",
    );
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
      errors: { multipart: { file: ["line 3: the file is not UTF-8 (save it as CSV UTF-8)"] } },
    });
    const alert = await screen.findByTestId("imports-file-error");
    expect(
      within(alert)
        .getAllByTestId("imports-file-problem")
        .map((p) => p.textContent),
    ).toEqual(["line 3: the file is not UTF-8 (save it as CSV UTF-8)"]);
    expect(within(alert).queryByTestId("imports-file-expected")).not.toBeInTheDocument();
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
