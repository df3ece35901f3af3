import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { page, run } from "../testData";
import { BillingRunsPage } from "./BillingRunsPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["invoice.read", "invoice.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/billing/run", () =>
    page([
      run({ billing_run_id: 6, status: "running", customer_id: null, total: 4, processed: 1 }),
      run({ status: "done", total: 1, processed: 1, invoices_created: 1, transactions_created: 2 }),
    ]),
  );
  fetch.on("POST /crm/billing/run", () => json(run({ billing_run_id: 7 }), { status: 202 }));
  return () => vi.unstubAllGlobals();
});

const renderPage = () =>
  renderRoutes(
    [
      { path: "/billing/runs", element: <BillingRunsPage /> },
      { path: "/billing/runs/:id", element: <p>run page</p> },
    ],
    "/billing/runs",
  );

describe("BillingRunsPage", () => {
  it("lists runs with their status and progress", async () => {
    renderPage();
    const [running, done] = await screen.findAllByTestId("run-row");
    expect(running).toHaveTextContent("Running");
    expect(running).toHaveTextContent("1/4 (25%)");
    expect(within(running).getByText("All")).toBeInTheDocument();
    expect(done).toHaveTextContent("Done");
    expect(within(done).getByRole("link", { name: "#7" })).toHaveAttribute("href", "/customers/7");
  });

  it("refuses a bad customer id, then starts a run and opens it", async () => {
    const { router } = renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("run-new"));
    await user.type(await screen.findByTestId("run-customer"), "abc");
    await user.click(screen.getByTestId("run-submit"));
    expect(await screen.findByText("A customer id, e.g. 42")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/billing/run")).toHaveLength(0);

    await user.clear(screen.getByTestId("run-customer"));
    await user.type(screen.getByTestId("run-customer"), "7");
    await user.type(screen.getByTestId("run-period-end"), "2026-04-01");
    await user.click(screen.getByTestId("run-submit"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/billing/runs/7"));
    expect(await fetch.callsTo("POST /crm/billing/run")[0].json()).toEqual({
      period_end: "2026-04-01",
      customer_id: 7,
    });
  });

  it("sends blanks as nulls (today, every customer) and shows the API's refusal", async () => {
    fetch.on("POST /crm/billing/run", () => errorBody(404, "not_found", "customer 9 not found"));
    renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("run-new"));
    await user.click(await screen.findByTestId("run-submit"));
    expect(await screen.findByTestId("run-error")).toHaveTextContent("customer 9 not found");
    expect(await fetch.callsTo("POST /crm/billing/run")[0].json()).toEqual({ period_end: null, customer_id: null });
  });

  it("offers no New run without invoice.write", async () => {
    useSession.setState({ permissions: ["invoice.read"] });
    renderPage();
    await screen.findAllByTestId("run-row");
    expect(screen.queryByTestId("run-new")).not.toBeInTheDocument();
  });
});
