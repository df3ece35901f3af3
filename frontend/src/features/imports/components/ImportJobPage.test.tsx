import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { importDetail, progress, stockImport } from "@/test/imports";
import { io, latestSocket, resetSockets, sockets } from "@/test/socket";
import type { ImportDetail } from "../api";
import { ImportJobPage } from "./ImportJobPage";

vi.mock("socket.io-client", () => import("@/test/socket"));

let fetch: StubFetch;
/** What GET /crm/import/5 answers right now. */
let server: ImportDetail;

const ERRORS = [
  { row: 3, field: "customer_name", message: "required" },
  { row: 5, field: "email", message: "not a valid e-mail address" },
  { row: 8, field: "external_id", message: "the same external_id as row 2 of this file" },
];

beforeEach(() => {
  resetSockets();
  useSession.getState().signIn(login({ permissions: ["import.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  server = importDetail({ status: "queued" });
  fetch.on("GET /crm/import/5", () => json(server));
  return () => vi.unstubAllGlobals();
});

afterEach(() => vi.useRealTimers());

const renderJob = () =>
  renderRoutes(
    [
      { path: "/imports/:importId", element: <ImportJobPage /> },
      { path: "/imports", element: <p>list</p> },
    ],
    "/imports/5",
  );
const bar = () => screen.getByTestId("import-job-progress");

async function connected() {
  await waitFor(() => expect(io).toHaveBeenCalled());
  const socket = latestSocket();
  act(() => socket.serverConnect());
  await waitFor(() => expect(screen.getByTestId("import-job-live")).toHaveTextContent("Live"));
  return socket;
}

describe("an import's live progress", () => {
  it("connects to /imports with the access token and joins the import's room on every connect", async () => {
    renderJob();
    expect(await screen.findByTestId("import-job-status")).toHaveTextContent("Queued");
    const socket = await connected();
    expect(io).toHaveBeenCalledWith("/imports", { auth: { token: "access-1" }, transports: ["websocket"] });
    expect(socket.joins()).toEqual([{ room: "import:5" }]);

    act(() => socket.serverDisconnect());
    await waitFor(() => expect(screen.getByTestId("import-job-live")).toHaveTextContent("Polling"));
    act(() => socket.serverConnect());
    expect(socket.joins()).toEqual([{ room: "import:5" }, { room: "import:5" }]);
    expect(sockets).toHaveLength(1);
  });

  it("moves the bar with each import.progress, with rows/s and the time left from started_at", async () => {
    // 20 s after the worker started (only Date is faked: the page's timers run as usual).
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T10:00:20Z"));
    renderJob();
    await screen.findByTestId("import-job-status");
    expect(bar()).toHaveAttribute("aria-valuenow", "0");
    const socket = await connected();

    act(() =>
      socket.serverEmit(
        "import.progress",
        progress({ total: 200, processed: 50, created: 40, updated: 5, unchanged: 3, failed: 2 }),
      ),
    );
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "25"));
    expect(screen.getByTestId("import-job-status")).toHaveTextContent("Running");
    expect(screen.getByTestId("import-job-count")).toHaveTextContent("50/200 rows");
    // 50 rows in 20 s: 2.5 rows/s; the 150 left take 60 s at that pace.
    expect(screen.getByTestId("import-job-rate")).toHaveTextContent("2.5 rows/s");
    expect(screen.getByTestId("import-job-eta")).toHaveTextContent("about 1 min left");
    expect(screen.getByTestId("import-job-created")).toHaveTextContent("40");
    expect(screen.getByTestId("import-job-updated")).toHaveTextContent("5");
    expect(screen.getByTestId("import-job-unchanged")).toHaveTextContent("3");
    expect(screen.getByTestId("import-job-failed")).toHaveTextContent("2");

    // Another import's progress (a shared connection) is not this page's.
    act(() => socket.serverEmit("import.progress", progress({ import_id: 6, total: 200, processed: 200 })));
    await new Promise((r) => setTimeout(r, 20));
    expect(bar()).toHaveAttribute("aria-valuenow", "25");

    act(() => socket.serverEmit("import.progress", progress({ total: 200, processed: 150, created: 140 })));
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "75"));
    expect(screen.getByTestId("import-job-rate")).toHaveTextContent("7.5 rows/s");
    expect(screen.getByTestId("import-job-eta")).toHaveTextContent("about 7 s left");
    expect(screen.queryByTestId("import-job-summary")).not.toBeInTheDocument();
  });

  it("when done, reads the import again and shows the summary, the failed rows and the error file", async () => {
    renderJob();
    await screen.findByTestId("import-job-status");
    const socket = await connected();
    act(() => socket.serverEmit("import.progress", progress({ total: 8, processed: 4, created: 3, failed: 1 })));
    await waitFor(() => expect(bar()).toHaveAttribute("aria-valuenow", "50"));
    expect(screen.queryByTestId("import-job-errors")).not.toBeInTheDocument();

    server = importDetail({
      status: "done",
      total: 8,
      processed: 8,
      created: 4,
      updated: 1,
      unchanged: 0,
      failed: 3,
      started_at: "2026-03-01T10:00:00+00:00",
      finished_at: "2026-03-01T10:00:04+00:00",
      errors: ERRORS,
    });
    const reads = fetch.callsTo("GET /crm/import/5").length;
    act(() =>
      socket.serverEmit(
        "import.progress",
        progress({ status: "done", total: 8, processed: 8, created: 4, updated: 1, failed: 3 }),
      ),
    );
    expect(await screen.findByTestId("import-job-summary")).toHaveTextContent(
      "8 rows: 4 created, 1 updated, 0 unchanged, 3 failed.",
    );
    expect(bar()).toHaveAttribute("aria-valuenow", "100");
    const table = await screen.findByTestId("import-job-errors");
    const rows = within(table).getAllByTestId("import-job-error-row");
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole("cell")
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ["3", "customer_name", "required"],
      ["5", "email", "not a valid e-mail address"],
      ["8", "external_id", "the same external_id as row 2 of this file"],
    ]);
    expect(rows.map((r) => [r.dataset.row, r.dataset.field])).toEqual([
      ["3", "customer_name"],
      ["5", "email"],
      ["8", "external_id"],
    ]);
    expect(screen.queryByTestId("import-job-errors-more")).not.toBeInTheDocument();
    expect(screen.getByTestId("import-job-download-errors")).toBeInTheDocument();
    // Finished: 8 rows in 4 s, and nothing polls or estimates any more.
    expect(screen.getByTestId("import-job-rate")).toHaveTextContent("2.0 rows/s");
    expect(screen.getByTestId("import-job-elapsed")).toHaveTextContent("took 4 s");
    expect(screen.queryByTestId("import-job-eta")).not.toBeInTheDocument();
    expect(screen.queryByTestId("import-job-live")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/import/5")).toHaveLength(reads + 1);
  });

  it("reads the import again when progress arrives before it has loaded", async () => {
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fetch.on("GET /crm/import/5", async () => {
      reads += 1;
      if (reads === 1) {
        const stale = importDetail({ status: "running", total: 2, processed: 0 });
        await gate; // answered after the socket has already said "done"
        return json(stale);
      }
      return json(importDetail({ status: "done", total: 2, processed: 2, created: 2 }));
    });
    renderJob();
    await waitFor(() => expect(io).toHaveBeenCalled());
    const socket = latestSocket();
    act(() => socket.serverConnect());
    act(() => socket.serverEmit("import.progress", progress({ status: "done", total: 2, processed: 2, created: 2 })));
    release();
    expect(await screen.findByTestId("import-job-summary")).toHaveTextContent("2 rows: 2 created");
    expect(reads).toBe(2);
  });

  it("shows a failed import's reason", async () => {
    renderJob();
    await screen.findByTestId("import-job-status");
    const socket = await connected();
    act(() =>
      socket.serverEmit(
        "import.progress",
        progress({ status: "failed", processed: 500, error: "the uploaded file is gone (it was removed)" }),
      ),
    );
    expect(await screen.findByTestId("import-job-error")).toHaveTextContent("the uploaded file is gone");
    expect(screen.getByTestId("import-job-status")).toHaveAttribute("data-status", "failed");
  });

  it("marks a dry run and says nothing was written", async () => {
    server = importDetail({ status: "done", dry_run: true, total: 3, processed: 3, created: 3 });
    renderJob();
    expect(await screen.findByTestId("import-job-dry-run")).toHaveTextContent("Dry run");
    expect(screen.getByTestId("import-job-summary")).toHaveTextContent("Dry run of 3 rows: 3 created");
    expect(screen.getByTestId("import-job-summary")).toHaveTextContent("Nothing was written");
  });
});

describe("what the import is", () => {
  it("names a subscriber import's kind and file", async () => {
    server = importDetail({ status: "done", total: 8, processed: 8, created: 8 });
    renderJob();
    expect(await screen.findByTestId("import-job-kind")).toHaveTextContent("Subscribers");
    expect(screen.getByText("Subscribers from subscribers.csv")).toBeInTheDocument();
    expect(screen.queryByTestId("import-job-template")).not.toBeInTheDocument();
  });

  it("names a stock import's template", async () => {
    server = stockImport({ status: "done", dry_run: true, total: 25, processed: 25, created: 25 });
    renderJob();
    expect(await screen.findByTestId("import-job-template")).toHaveTextContent("SIM Card");
    expect(screen.getByTestId("import-job-kind")).toHaveTextContent("Stock");
    expect(screen.getByText("Dry run: stock (SIM Card) from sims.csv")).toBeInTheDocument();
    expect(screen.getByTestId("import-job-summary")).toHaveTextContent(
      "Dry run of 25 rows: 25 created, 0 updated, 0 unchanged, 0 failed. Nothing was written: import the file to apply it.",
    );
  });
});

describe("the failed rows", () => {
  it("lists the first 100 and says how many more the error file has", async () => {
    server = importDetail({
      status: "done",
      total: 500,
      processed: 500,
      created: 350,
      failed: 150,
      errors: Array.from({ length: 100 }, (_, i) => ({ row: i + 2, field: "email", message: "not a valid e-mail" })),
    });
    renderJob();
    expect(await screen.findAllByTestId("import-job-error-row")).toHaveLength(100);
    expect(screen.getByTestId("import-job-errors-more")).toHaveTextContent("50 more in the error file.");
  });

  it("downloads the error CSV with the bearer token under the server's file name", async () => {
    server = importDetail({ status: "done", total: 8, processed: 8, created: 5, failed: 3, errors: ERRORS });
    const csv = "external_id,customer_name,email,line,field,error\r\nX-3,,x3@example.com,3,customer_name,required\r\n";
    fetch.on(
      "GET /crm/import/5/errors.csv",
      () =>
        // A string body: a jsdom Blob would reach undici's Response as "[object Blob]".
        new Response(csv, {
          headers: {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="import-5-errors.csv"',
          },
        }),
    );
    const createObjectURL = vi.fn<(blob: Blob) => string>(() => "blob:csv");
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderJob();
    await userEvent.setup().click(await screen.findByTestId("import-job-download-errors"));

    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    const [blob] = createObjectURL.mock.calls[0];
    expect(blob.type).toMatch(/^text\/csv/);
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("import-5-errors.csv");
    const [request] = fetch.callsTo("GET /crm/import/5/errors.csv");
    expect(request.headers.get("Authorization")).toBe("Bearer access-1");
    click.mockRestore();
  });

  it("shows no table while the import is still running", async () => {
    server = importDetail({ status: "running", total: 8, processed: 4, failed: 1, errors: [ERRORS[0]] });
    renderJob();
    expect(await screen.findByTestId("import-job-status")).toHaveTextContent("Running");
    expect(screen.getByTestId("import-job-failed")).toHaveTextContent("1");
    expect(screen.queryByTestId("import-job-errors")).not.toBeInTheDocument();
    expect(screen.queryByTestId("import-job-download-errors")).not.toBeInTheDocument();
  });
});

describe("polling fallback", () => {
  it("polls the import every 2 s while the socket cannot connect, until it is done", async () => {
    server = importDetail({ status: "running", total: 2, processed: 0, started_at: "2026-03-01T10:00:00Z" });
    fetch.on("GET /crm/import/5", () => {
      const answer = server;
      server = importDetail({ status: "done", total: 2, processed: 2, created: 1, failed: 1, errors: [ERRORS[0]] });
      return json(answer);
    });
    renderJob();
    expect(await screen.findByTestId("import-job-status")).toHaveTextContent("Running");
    await waitFor(() => expect(io).toHaveBeenCalled());
    act(() => latestSocket().serverConnectError());
    expect(screen.getByTestId("import-job-live")).toHaveTextContent("Polling");
    await waitFor(() => expect(screen.getByTestId("import-job-status")).toHaveTextContent("Done"), { timeout: 3500 });
    expect(bar()).toHaveAttribute("aria-valuenow", "100");
    expect(await screen.findAllByTestId("import-job-error-row")).toHaveLength(1);
    const polls = fetch.callsTo("GET /crm/import/5").length;
    // (A running import's rate and time left tick every second meanwhile.)
    await act(() => new Promise((r) => setTimeout(r, 2300)));
    // Done: the finish re-reads once at most; no more polling.
    expect(fetch.callsTo("GET /crm/import/5").length).toBeLessThanOrEqual(polls + 1);
  });

  it("does not poll while the socket is live", async () => {
    server = importDetail({ status: "running", total: 2, processed: 1 });
    renderJob();
    await screen.findByTestId("import-job-status");
    await connected();
    const before = fetch.callsTo("GET /crm/import/5").length;
    // (A running import's rate and time left tick every second meanwhile.)
    await act(() => new Promise((r) => setTimeout(r, 2300)));
    expect(fetch.callsTo("GET /crm/import/5")).toHaveLength(before);
  });
});
