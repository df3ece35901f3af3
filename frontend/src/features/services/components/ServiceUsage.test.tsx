import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { UsageType } from "../api";
import { ServiceDetailPage } from "./ServiceDetailPage";
import { balances, ledgerPage, plannedService, usageRow } from "./testData";

let fetch: StubFetch;

/**
 * jsdom lays nothing out, so recharts' ResponsiveContainer measures 0×0 and draws no chart. Give
 * that container (only) a size, so the chart renders as in a browser.
 */
const CHART_SIZE = { clientWidth: 600, clientHeight: 220 };
const realSize = {
  clientWidth: Object.getOwnPropertyDescriptor(Element.prototype, "clientWidth")!,
  clientHeight: Object.getOwnPropertyDescriptor(Element.prototype, "clientHeight")!,
};

beforeAll(() => {
  for (const key of ["clientWidth", "clientHeight"] as const) {
    Object.defineProperty(HTMLElement.prototype, key, {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains("recharts-responsive-container")
          ? CHART_SIZE[key]
          : realSize[key].get!.call(this);
      },
    });
  }
});

afterAll(() => {
  for (const key of ["clientWidth", "clientHeight"] as const)
    delete (HTMLElement.prototype as Partial<HTMLElement>)[key];
});

beforeEach(() => {
  // Only the clock: timers stay real for the queries and the user events.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-03-10T15:30:00Z"));
  useSession.getState().signIn(login({ permissions: ["service.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/service/", () => json([]));
  fetch.on("GET /crm/service/21", () => json(plannedService()));
  fetch.on("GET /crm/service/21/balance", () => json(balances([], { currency: "EUR" })));
  fetch.on("GET /crm/service/21/ledger", () => ledgerPage([]));
  fetch.on("GET /crm/service/21/usage", () => json([]));
  return () => vi.unstubAllGlobals();
});

afterEach(() => {
  vi.useRealTimers();
});

const renderService = () =>
  renderRoutes([{ path: "/services/:serviceId", element: <ServiceDetailPage /> }], "/services/21");

const totalOf = async (type: UsageType) => {
  const card = await screen.findByTestId("service-usage");
  const total = (await within(card).findAllByTestId("usage-total")).find(
    (el) => el.getAttribute("data-usage-type") === type,
  );
  if (!total) throw new Error(`no ${type} total`);
  return total;
};

/** The tick labels of the chart's x or y axis. */
const ticks = (chart: HTMLElement, axis: "xAxis" | "yAxis") =>
  Array.from(
    chart.querySelectorAll(`.recharts-${axis}-tick-labels .recharts-cartesian-axis-tick-value`),
    (t) => t.textContent,
  );

describe("Usage", () => {
  it("asks for the last 30 days by day", async () => {
    renderService();
    await waitFor(() => expect(fetch.callsTo("GET /crm/service/21/usage")).toHaveLength(1));
    const query = new URL(fetch.callsTo("GET /crm/service/21/usage")[0].url).searchParams;
    expect(query.get("from")).toBe("2026-02-09T00:00:00.000Z");
    expect(query.get("to")).toBe("2026-03-11T00:00:00.000Z");
    expect(query.get("group_by")).toBe("day");
  });

  it("totals each kind in its unit and money in the account's currency, and charts one kind", async () => {
    fetch.on("GET /crm/service/21/usage", () =>
      json([
        usageRow({
          day: "2026-03-01",
          usage_type: "data",
          records: 2,
          units: "1024.0000",
          from_allowance: "1000.0000",
          charged: "0.10",
        }),
        usageRow({ day: "2026-03-01", usage_type: "sms", records: 3, units: "3.0000", charged: "0.30" }),
        usageRow({ day: "2026-03-09", usage_type: "data", records: 1, units: "512.0000", charged: "0.20" }),
      ]),
    );
    renderService();

    const data = await totalOf("data");
    expect(within(data).getByTestId("usage-units")).toHaveTextContent("1.5 GB");
    // 0.10 + 0.20 summed as decimals, not as floats (0.30000000000000004).
    expect(within(data).getByTestId("usage-charged")).toHaveTextContent(/^0\.30 EUR charged$/);
    expect(within(data).getByText("3 records · 1,000 MB from allowances")).toBeInTheDocument();
    const sms = await totalOf("sms");
    expect(within(sms).getByTestId("usage-units")).toHaveTextContent("3 SMS");
    expect(within(sms).getByTestId("usage-charged")).toHaveTextContent(/^0\.30 EUR charged$/);
    // No voice usage: no voice total, and no voice to pick.
    const card = screen.getByTestId("service-usage");
    expect(
      within(card)
        .getAllByTestId("usage-total")
        .map((el) => el.getAttribute("data-usage-type")),
    ).toEqual(["data", "sms"]);

    const kinds = within(card).getByTestId("usage-kind");
    expect(
      within(kinds)
        .getAllByRole("radio")
        .map((r) => r.getAttribute("value")),
    ).toEqual(["data", "sms"]);
    const chart = await within(card).findByTestId("usage-chart");
    expect(chart).toHaveAttribute("data-usage-type", "data");
    // A day on the axis for each of the 30 days, the empty ones included; a bar for each day used.
    await waitFor(() => expect(ticks(chart, "xAxis")).toHaveLength(30));
    expect(ticks(chart, "xAxis")[0]).toBe("Feb 9");
    expect(ticks(chart, "xAxis").at(-1)).toBe("Mar 10");
    expect(chart.querySelectorAll(".recharts-bar-rectangle")).toHaveLength(2);
    expect(ticks(chart, "yAxis").at(-1)).toMatch(/ GB$/);

    const user = userEvent.setup();
    await user.click(within(kinds).getByText("SMS"));
    expect(chart).toHaveAttribute("data-usage-type", "sms");
    await waitFor(() => expect(chart.querySelectorAll(".recharts-bar-rectangle")).toHaveLength(1));
    await waitFor(() => expect(ticks(chart, "yAxis").at(-1)).toMatch(/ SMS$/));
    // Messages come whole: no "1.5 SMS" on the axis.
    expect(ticks(chart, "yAxis").every((tick) => /^\d+ SMS$/.test(tick ?? ""))).toBe(true);
  });

  it("shows arrears when postpaid usage left some", async () => {
    fetch.on("GET /crm/service/21/usage", () =>
      json([usageRow({ usage_type: "voice", units: "12.5000", charged: "0.00", arrears: "2.5000" })]),
    );
    renderService();
    const voice = await totalOf("voice");
    expect(within(voice).getByTestId("usage-units")).toHaveTextContent("12.5 min");
    expect(within(voice).getByTestId("usage-charged")).toHaveTextContent("0.00 EUR charged · 2.50 EUR in arrears");
    // Nothing came from an allowance: no line for it.
    expect(within(voice).getByText("1 record")).toBeInTheDocument();
  });

  it("has an empty state", async () => {
    renderService();
    const card = await screen.findByTestId("service-usage");
    expect(await within(card).findByText("No usage in the last 30 days")).toBeInTheDocument();
    expect(within(card).queryByTestId("usage-chart")).not.toBeInTheDocument();
  });

  it("shows a failure with a retry", async () => {
    let fail = true;
    fetch.on("GET /crm/service/21/usage", () =>
      fail ? errorBody(503, "unavailable", "Try again shortly") : json([usageRow()]),
    );
    renderService();
    const card = await screen.findByTestId("service-usage");
    expect(await within(card).findByText("Try again shortly")).toBeInTheDocument();
    fail = false;
    await userEvent.setup().click(within(card).getByRole("button", { name: "Retry" }));
    expect(await within(card).findByTestId("usage-chart")).toBeInTheDocument();
  });
});
