import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { job } from "@/test/provisioning";
import { event } from "../testData";
import { resetSockets } from "@/test/socket";
import { ProvisionJobPage } from "./ProvisionJobPage";

vi.mock("socket.io-client", () => import("@/test/socket"));

let fetch: StubFetch;

beforeEach(() => {
  resetSockets();
  useSession.getState().signIn(login({ permissions: ["provision.read", "provision.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/provision/9/events", () => json([]));
  return () => vi.unstubAllGlobals();
});

const renderJob = () =>
  renderRoutes([{ path: "/provisioning/:provisionId", element: <ProvisionJobPage /> }], "/provisioning/9");

describe("ProvisionJobPage", () => {
  it("shows the header, links, progress and one row per task", async () => {
    fetch.on("GET /crm/provision/9", () =>
      json(job({ tasks_done: 2, events: [event(1), event(2, { provisioning_status: 3, changed: true })] })),
    );
    renderJob();
    expect(await screen.findByTestId("provision-status")).toHaveTextContent("Running");
    expect(screen.getByTestId("provision-job-page")).toHaveTextContent("Job #9");
    expect(screen.getByTestId("provision-job-page")).toHaveTextContent("mobile_activate");
    expect(screen.getByTestId("provision-customer")).toHaveAttribute("href", "/customers/7");
    expect(screen.getByTestId("provision-customer")).toHaveTextContent("Ada Lovelace");
    expect(screen.getByTestId("provision-service")).toHaveAttribute("href", "/services/21");
    expect(screen.getByTestId("provision-attempts")).toHaveTextContent("1 (retries 0/3)");
    expect(screen.getByTestId("provision-progress")).toHaveAttribute("aria-valuenow", "50");

    const rows = screen.getAllByTestId("provision-event-row");
    expect(rows.map((r) => [r.dataset.eventNumber, r.dataset.status])).toEqual([
      ["1", "Success"],
      ["2", "Failed (ignored)"],
    ]);
    expect(within(rows[1]).getByText("changed")).toBeInTheDocument();
    expect(screen.queryByTestId("provision-error")).not.toBeInTheDocument();
    expect(screen.queryByTestId("provision-config")).not.toBeInTheDocument();
    // Running: Cancel, not Retry.
    expect(screen.getByTestId("provision-cancel")).toBeEnabled();
    expect(screen.queryByTestId("provision-retry")).not.toBeInTheDocument();
  });

  it("expands a task to its output", async () => {
    fetch.on("GET /crm/provision/9", () =>
      json(job({ events: [event(1, { provisioning_result_json: { msg: "SIM attached", stdout: "OK 200" } })] })),
    );
    renderJob();
    const user = userEvent.setup();
    const row = await screen.findByTestId("provision-event-row");
    expect(screen.queryByTestId("provision-event-output")).not.toBeInTheDocument();
    await user.click(row);
    const output = screen.getByTestId("provision-event-output");
    expect(within(output).getByTestId("provision-event-msg")).toHaveTextContent("SIM attached");
    expect(within(output).getByTestId("provision-event-stdout")).toHaveTextContent("OK 200");
    expect(output).toHaveTextContent('"msg": "SIM attached"');
    await user.click(row);
    expect(screen.queryByTestId("provision-event-output")).not.toBeInTheDocument();
  });

  it("shows a success at 100% with the rendered config", async () => {
    fetch.on("GET /crm/provision/9", () =>
      json(job({ provisioning_status: 0, tasks_done: 3, config_content: "hostname cpe-1", events: [event(1)] })),
    );
    renderJob();
    expect(await screen.findByTestId("provision-status")).toHaveTextContent("Success");
    expect(screen.getByTestId("provision-progress")).toHaveAttribute("aria-valuenow", "100");
    expect(screen.getByTestId("provision-config")).toHaveTextContent("hostname cpe-1");
    expect(screen.queryByTestId("provision-retry")).not.toBeInTheDocument();
    expect(screen.queryByTestId("provision-cancel")).not.toBeInTheDocument();
  });

  it("shows the error of a failed job and retries it after confirmation", async () => {
    let current = job({
      provisioning_status: 2,
      tasks_done: 1,
      error: "Task 2 failed: HLR timeout",
      events: [event(1), event(2, { provisioning_status: 2 })],
    });
    fetch.on("GET /crm/provision/9", () => json(current));
    fetch.on("POST /crm/provision/9/retry", () => {
      current = job({
        ...current,
        provisioning_status: 4,
        status_label: "Queued",
        error: null,
        retries: 1,
        tasks_done: 0,
      });
      return json(current);
    });
    renderJob();
    expect(await screen.findByTestId("provision-error")).toHaveTextContent("HLR timeout");
    expect(screen.getByTestId("provision-progress")).toHaveAttribute("aria-valuenow", "25");

    const user = userEvent.setup();
    await user.click(screen.getByTestId("provision-retry"));
    expect(fetch.callsTo("POST /crm/provision/9/retry")).toHaveLength(0);
    await user.click(await screen.findByTestId("confirm-action"));

    await waitFor(() => expect(screen.getByTestId("provision-status")).toHaveTextContent("Queued"));
    expect(fetch.callsTo("POST /crm/provision/9/retry")).toHaveLength(1);
    expect(screen.queryByTestId("provision-error")).not.toBeInTheDocument();
    expect(screen.getByTestId("provision-cancel")).toBeInTheDocument();
  });

  it("shows the API's 409 message when a retry is refused", async () => {
    fetch.on("GET /crm/provision/9", () => json(job({ provisioning_status: 5 })));
    fetch.on("POST /crm/provision/9/retry", () =>
      errorBody(409, "inventory_unavailable", "SIM 8944100000000000018 was sold since"),
    );
    renderJob();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("provision-retry"));
    await user.click(await screen.findByTestId("confirm-action"));
    expect(await screen.findByText("SIM 8944100000000000018 was sold since")).toBeInTheDocument();
    expect(screen.getByTestId("provision-status")).toHaveTextContent("Cancelled");
  });

  it("cancels a queued job and reports job_finished", async () => {
    fetch.on("GET /crm/provision/9", () => json(job({ provisioning_status: 4 })));
    fetch.on("POST /crm/provision/9/cancel", () => errorBody(409, "job_finished", "Job 9 already ended"));
    renderJob();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("provision-cancel"));
    await user.click(await screen.findByTestId("confirm-action"));
    expect(await screen.findByText("Job 9 already ended")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/provision/9/cancel")).toHaveLength(1);
  });

  it("disables Retry and Cancel without provision.write", async () => {
    useSession.setState({ permissions: ["provision.read"] });
    fetch.on("GET /crm/provision/9", () => json(job({ provisioning_status: 2, error: "boom" })));
    renderJob();
    expect(await screen.findByTestId("provision-retry")).toBeDisabled();
  });
});
