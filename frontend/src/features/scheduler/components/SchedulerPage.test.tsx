import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { routes } from "@/app/router";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { job, run } from "../testData";
import { SchedulerPage } from "./SchedulerPage";

let fetch: StubFetch;

const ADMIN = ["scheduler.read", "scheduler.run"];
const page = (items: unknown[]) =>
  json(items, { headers: { "X-Pagination": JSON.stringify({ total: items.length, total_pages: 1, page: 1 }) } });

const jobs = () => [
  job(),
  job({
    job_name: "provisioning.reap",
    description: "Re-queue or fail jobs whose worker died",
    schedule: "off",
    default_schedule: "every 30s",
    enabled: false,
    next_run_at: null,
    last_run: run({
      run_id: 40,
      job_name: "provisioning.reap",
      outcome: "failed",
      error: "OperationalError: the database is restarting",
    }),
  }),
  job({
    job_name: "scheduler.prune_runs",
    description: "Prune",
    schedule: "every 1h",
    default_schedule: "every 1h",
    last_run: null,
  }),
];

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ADMIN }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/scheduler/job/", () => page(jobs()));
  return () => vi.unstubAllGlobals();
});

const rowOf = (name: string) =>
  screen.getAllByTestId("scheduler-row").find((r) => r.dataset.job === name) as HTMLElement;

describe("SchedulerPage", () => {
  it("lists each job with its schedule, next run, last run, outcome and who fired it", async () => {
    renderRoutes(<SchedulerPage />);
    expect(await screen.findByTestId("scheduler-table")).toBeInTheDocument();
    expect(screen.getAllByTestId("scheduler-row").map((r) => r.dataset.job)).toEqual([
      "inventory.release_quarantine",
      "provisioning.reap",
      "scheduler.prune_runs",
    ]);

    const quarantine = rowOf("inventory.release_quarantine");
    expect(quarantine).toHaveTextContent("every 5m");
    expect(within(quarantine).getByTestId("job-next-run")).not.toHaveTextContent("—");
    expect(within(quarantine).getByTestId("job-outcome")).toHaveTextContent("success");
    expect(within(quarantine).getByTestId("job-fired-by")).toHaveTextContent("sched-1:812");

    const reap = rowOf("provisioning.reap");
    expect(reap).toHaveTextContent("off");
    expect(within(reap).getByTestId("job-next-run")).toHaveTextContent("—");
    expect(within(reap).getByTestId("job-outcome")).toHaveTextContent("failed");
    expect(within(reap).getByTestId("job-error")).toHaveTextContent("the database is restarting");

    const prune = rowOf("scheduler.prune_runs");
    expect(within(prune).getByTestId("job-outcome")).toHaveTextContent("never run");
    expect(within(prune).getByTestId("job-last-run")).toHaveTextContent("—");
  });

  it("runs a job now and shows the queued run, polling until it has an outcome", async () => {
    let current = jobs();
    fetch.on("GET /crm/scheduler/job/", () => page(current));
    fetch.on("POST /crm/scheduler/job/scheduler.prune_runs/run", () => {
      const queued = run({
        run_id: 42,
        job_name: "scheduler.prune_runs",
        trigger: "manual",
        due_at: null,
        fired_by: "user:1 ada@example.com",
        outcome: "queued",
        started_at: null,
        finished_at: null,
        worker: null,
        result: null,
      });
      current = current.map((j) => (j.job_name === "scheduler.prune_runs" ? { ...j, last_run: queued } : j));
      return json(queued, { status: 202 });
    });
    renderRoutes(<SchedulerPage />);
    const user = userEvent.setup();
    await screen.findByTestId("scheduler-table");

    await user.click(within(rowOf("scheduler.prune_runs")).getByTestId("job-run-now"));

    await waitFor(() =>
      expect(within(rowOf("scheduler.prune_runs")).getByTestId("job-outcome")).toHaveTextContent("queued"),
    );
    expect(fetch.callsTo("POST /crm/scheduler/job/scheduler.prune_runs/run")).toHaveLength(1);
    expect(await screen.findByText("Run #42 of scheduler.prune_runs is queued for the workers")).toBeInTheDocument();
    expect(within(rowOf("scheduler.prune_runs")).getByTestId("job-fired-by")).toHaveTextContent(
      "user:1 ada@example.com",
    );
    expect(rowOf("scheduler.prune_runs")).toHaveTextContent("run by hand");

    // The worker finishes it: the page polls while a run is queued and shows the outcome.
    current = current.map((j) =>
      j.job_name === "scheduler.prune_runs"
        ? { ...j, last_run: run({ run_id: 42, job_name: j.job_name, trigger: "manual" }) }
        : j,
    );
    await waitFor(
      () => expect(within(rowOf("scheduler.prune_runs")).getByTestId("job-outcome")).toHaveTextContent("success"),
      { timeout: 5000 },
    );
  });

  it("shows the API's refusal when a run cannot be queued", async () => {
    fetch.on("POST /crm/scheduler/job/inventory.release_quarantine/run", () =>
      errorBody(403, "permission_denied", "missing permission: scheduler.run"),
    );
    renderRoutes(<SchedulerPage />);
    const user = userEvent.setup();
    await screen.findByTestId("scheduler-table");
    await user.click(within(rowOf("inventory.release_quarantine")).getByTestId("job-run-now"));
    expect(await screen.findByText("missing permission: scheduler.run")).toBeInTheDocument();
  });

  it("has no Run now button without scheduler.run", async () => {
    useSession.getState().signIn(login({ permissions: ["scheduler.read"] }));
    renderRoutes(<SchedulerPage />);
    await screen.findByTestId("scheduler-table");
    expect(screen.queryByTestId("job-run-now")).not.toBeInTheDocument();
  });
});

describe("the Scheduler page in the staff app", () => {
  const me = (permissions: string[]) => ({ user: login().user, roles: ["admin"], permissions, customer_id: null });

  it("is in the nav for admins and opens at /settings/scheduler", async () => {
    fetch.on("GET /crm/auth/me", () => json(me(ADMIN)));
    const { router } = renderRoutes(routes, "/");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("nav-settings/scheduler"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/settings/scheduler"));
    expect(await screen.findByTestId("scheduler-table")).toBeInTheDocument();
  });

  it("is neither listed nor opened without scheduler.read", async () => {
    useSession.getState().signIn(login({ permissions: ["customer.read"] }));
    fetch.on("GET /crm/auth/me", () => json(me(["customer.read"])));
    fetch.on("GET /crm/customer/", () => page([]));
    renderRoutes(routes, "/settings/scheduler");
    expect(await screen.findByText("Not allowed")).toBeInTheDocument();
    expect(screen.queryByTestId("nav-settings/scheduler")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/scheduler/job/")).toHaveLength(0);
  });
});
