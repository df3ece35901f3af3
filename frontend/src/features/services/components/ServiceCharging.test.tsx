import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import type { Balance, Movement } from "../api";
import { ServiceDetailPage } from "./ServiceDetailPage";
import { balance, balances, ledgerPage, movement, plannedService } from "./testData";

let fetch: StubFetch;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["service.read", "payment.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/service/", () => json([]));
  fetch.on("GET /crm/service/21", () => json(plannedService()));
  fetch.on("GET /crm/service/21/balance", () => json(balances([])));
  fetch.on("GET /crm/service/21/ledger", () => ledgerPage([]));
  fetch.on("GET /crm/service/21/usage", () => json([]));
  return () => vi.unstubAllGlobals();
});

const renderService = () =>
  renderRoutes([{ path: "/services/:serviceId", element: <ServiceDetailPage /> }], "/services/21");

const rowOf = async (type: Balance["balance_type"], id: string) => {
  const card = await screen.findByTestId("service-balances");
  return within(card).findByText(
    (_, el) => el?.getAttribute("data-balance-type") === type && el.getAttribute("data-balance-id") === id,
  );
};

describe("Balances", () => {
  it("shows money in the account's currency and allowances as bars of their size", async () => {
    fetch.on("GET /crm/service/21/balance", () =>
      json(
        balances(
          [
            balance({
              balance_type: "data",
              balance_id: "mobile-10gb-data",
              value: "7372.8000",
              expiry: "2027-02-28T12:00:00Z",
              weight: 20,
            }),
            balance({
              balance_type: "voice",
              balance_id: "mobile-10gb-voice",
              value: "9.0000",
              expiry: "2027-02-28T12:00:00Z",
              weight: 20,
            }),
            balance({ balance_type: "data", balance_id: "roaming-pack", value: "512.0000", expiry: null }),
            balance({ value: "12.5000" }),
          ],
          { currency: "EUR" },
        ),
      ),
    );
    renderService();

    const money = await rowOf("monetary", "*default");
    expect(within(money).getByTestId("balance-value")).toHaveTextContent("12.50 EUR");
    expect(within(money).getByText("No expiry")).toBeInTheDocument();
    expect(within(money).queryByTestId("balance-bar")).not.toBeInTheDocument();

    const data = await rowOf("data", "mobile-10gb-data");
    expect(within(data).getByTestId("balance-value")).toHaveTextContent("7.2 GB of 10 GB");
    expect(within(data).getByRole("progressbar", { name: "Data left" })).toHaveAttribute("aria-valuenow", "72");
    expect(within(data).getByText(/^Renews .*2027/)).toBeInTheDocument();

    const voice = await rowOf("voice", "mobile-10gb-voice");
    expect(within(voice).getByTestId("balance-value")).toHaveTextContent("9 min of 200 min");
    expect(within(voice).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "4.5");

    // Not one of the product's allowances: its quantity, no bar, no renewal.
    const extra = await rowOf("data", "roaming-pack");
    expect(within(extra).getByTestId("balance-value")).toHaveTextContent("512 MB");
    expect(within(extra).queryByRole("progressbar")).not.toBeInTheDocument();

    // Money first, then the data balances in the API's order, then voice.
    const order = within(screen.getByTestId("service-balances"))
      .getAllByTestId("balance-row")
      .map((row) => row.getAttribute("data-balance-id"));
    expect(order).toEqual(["*default", "mobile-10gb-data", "roaming-pack", "mobile-10gb-voice"]);
  });

  it("says an allowance expires when the service is over", async () => {
    fetch.on("GET /crm/service/21", () => json(plannedService({ service_status: "terminated" })));
    fetch.on("GET /crm/service/21/balance", () =>
      json(
        balances([
          balance({ balance_type: "data", balance_id: "mobile-10gb-data", value: "0", expiry: "2027-02-28T12:00:00Z" }),
        ]),
      ),
    );
    renderService();
    const data = await rowOf("data", "mobile-10gb-data");
    expect(within(data).getByText(/^Expires .*2027/)).toBeInTheDocument();
    expect(within(data).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "0");
  });

  it("has an empty state", async () => {
    renderService();
    const card = await screen.findByTestId("service-balances");
    expect(await within(card).findByText("No balances yet")).toBeInTheDocument();
  });

  it("offers Top up only with payment.write, and not on a terminated service", async () => {
    const { unmount } = renderService();
    expect(await screen.findByTestId("service-topup")).toBeInTheDocument();
    unmount();

    useSession.setState({ permissions: ["service.read"] });
    const second = renderService();
    await screen.findByText("No balances yet");
    expect(screen.queryByTestId("service-topup")).not.toBeInTheDocument();
    second.unmount();

    useSession.setState({ permissions: ["service.read", "payment.write"] });
    fetch.on("GET /crm/service/21", () => json(plannedService({ service_status: "terminated" })));
    renderService();
    await screen.findByText("No balances yet");
    expect(screen.queryByTestId("service-topup")).not.toBeInTheDocument();
  });
});

describe("Top up", () => {
  it("validates the amount as the API does before sending anything", async () => {
    renderService();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("service-topup"));
    const amount = await screen.findByTestId("topup-amount");

    for (const [typed, message] of [
      ["", "Enter an amount"],
      ["12,50", "Enter a number such as 12.50"],
      ["0", "The amount must be above 0"],
      ["1.23456", "At most 4 decimal places"],
      ["1000000", "The amount must be below 1,000,000"],
    ]) {
      await user.clear(amount);
      if (typed) await user.type(amount, typed);
      await user.click(screen.getByTestId("topup-submit"));
      expect(await screen.findByText(message)).toBeInTheDocument();
    }
    expect(fetch.callsTo("POST /crm/service/21/topup")).toHaveLength(0);
  });

  it("tops up with an Idempotency-Key, then refreshes the balances and the ledger", async () => {
    let topped = false;
    fetch.on("GET /crm/service/21/balance", () => json(balances(topped ? [balance({ value: "12.50" })] : [])));
    fetch.on("GET /crm/service/21/ledger", () =>
      ledgerPage(topped ? [movement({ reference: "staff top-up: cash" })] : []),
    );
    fetch.on("POST /crm/service/21/topup", () => {
      topped = true;
      return json(movement(), { status: 201 });
    });
    renderService();
    const user = userEvent.setup();
    await screen.findByText("No balances yet");
    await user.click(screen.getByTestId("service-topup"));
    await user.type(await screen.findByTestId("topup-amount"), "12.50");
    await user.type(screen.getByTestId("topup-note"), "  cash  ");
    await user.click(screen.getByTestId("topup-submit"));

    const money = await rowOf("monetary", "*default");
    expect(within(money).getByTestId("balance-value")).toHaveTextContent("12.50 USD");
    const ledger = screen.getByTestId("service-ledger");
    expect(await within(ledger).findByText("staff top-up: cash")).toBeInTheDocument();
    expect(await screen.findByText("Topped up 12.50 USD; the balance is now 12.50 USD.")).toBeInTheDocument();
    expect(screen.queryByTestId("topup-form")).not.toBeInTheDocument();

    const posts = fetch.callsTo("POST /crm/service/21/topup");
    expect(posts).toHaveLength(1);
    expect(await posts[0].json()).toEqual({ amount: "12.50", note: "cash" });
    expect(posts[0].headers.get("Idempotency-Key")).toMatch(UUID);
  });

  it("keeps the key for a retry within one opening and makes a new one for the next", async () => {
    let attempts = 0;
    fetch.on("POST /crm/service/21/topup", () =>
      ++attempts === 1 ? errorBody(503, "unavailable", "Try again shortly") : json(movement(), { status: 201 }),
    );
    renderService();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("service-topup"));
    await user.type(await screen.findByTestId("topup-amount"), "5");
    await user.click(screen.getByTestId("topup-submit"));
    expect(await screen.findByTestId("topup-error")).toHaveTextContent("Try again shortly");
    await user.click(screen.getByTestId("topup-submit"));
    await waitFor(() => expect(screen.queryByTestId("topup-form")).not.toBeInTheDocument());

    await user.click(screen.getByTestId("service-topup"));
    await user.type(await screen.findByTestId("topup-amount"), "5");
    await user.click(screen.getByTestId("topup-submit"));
    await waitFor(() => expect(fetch.callsTo("POST /crm/service/21/topup")).toHaveLength(3));

    const keys = fetch.callsTo("POST /crm/service/21/topup").map((r) => r.headers.get("Idempotency-Key"));
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toMatch(UUID);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("shows the API's 409 in the dialog", async () => {
    fetch.on("POST /crm/service/21/topup", () => errorBody(409, "service_terminated", "service 21 is terminated"));
    renderService();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("service-topup"));
    await user.type(await screen.findByTestId("topup-amount"), "10");
    await user.click(screen.getByTestId("topup-submit"));
    expect(await screen.findByTestId("topup-error")).toHaveTextContent("service 21 is terminated");
    expect(screen.getByTestId("topup-form")).toBeInTheDocument();
  });

  it("puts a 422 on the amount under its input", async () => {
    fetch.on("POST /crm/service/21/topup", () =>
      errorBody(422, "unprocessable_entity", "Unprocessable Entity", {
        errors: { json: { amount: ["Not a valid amount of money."] } },
      }),
    );
    renderService();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("service-topup"));
    await user.type(await screen.findByTestId("topup-amount"), "10");
    await user.click(screen.getByTestId("topup-submit"));
    expect(await screen.findByText("Not a valid amount of money.")).toBeInTheDocument();
    expect(screen.getByTestId("topup-amount")).toHaveAttribute("aria-invalid", "true");
  });
});

describe("Ledger", () => {
  const movements: Movement[] = [
    movement({
      movement_id: 6,
      cause: "addon",
      balance_type: "data",
      balance_id: "roaming-pack",
      amount: "1024.0000",
      value_after: "1024.0000",
    }),
    movement({
      movement_id: 5,
      cause: "expiry",
      balance_type: "sms",
      balance_id: "mobile-10gb-sms",
      amount: "-20.0000",
      value_after: "0.0000",
    }),
    movement({ movement_id: 4, cause: "adjustment", amount: "-2.5000", value_after: "10.0000" }),
    movement({
      movement_id: 3,
      cause: "usage",
      balance_type: "data",
      balance_id: "mobile-10gb-data",
      amount: "-512.0000",
      value_after: "9728.0000",
    }),
    movement({
      movement_id: 2,
      cause: "allowance",
      balance_type: "data",
      balance_id: "mobile-10gb-data",
      amount: "10240.0000",
      value_after: "10240.0000",
    }),
    movement({ movement_id: 1, cause: "topup", amount: "12.5000", value_after: "12.5000" }),
  ];

  it("labels each movement's cause and signs its amount in its unit", async () => {
    fetch.on("GET /crm/service/21/ledger", () => ledgerPage(movements, { total: 26, total_pages: 3, page: 1 }));
    renderService();
    const ledger = await screen.findByTestId("service-ledger");
    const rows = await within(ledger).findAllByTestId("ledger-row");
    const cells = (row: HTMLElement) =>
      within(row)
        .getAllByRole("cell")
        .map((c) => c.textContent);
    expect(rows.map((r) => within(r).getByTestId("ledger-cause").textContent)).toEqual([
      "Add-on",
      "Expiry",
      "Adjustment",
      "Usage",
      "Allowance",
      "Top-up",
    ]);
    expect(cells(rows[0]).slice(1, 6)).toEqual(["Data", "roaming-pack", "Add-on", "+1 GB", "1 GB"]);
    expect(cells(rows[1]).slice(1, 6)).toEqual(["SMS", "mobile-10gb-sms", "Expiry", "-20 SMS", "0 SMS"]);
    expect(cells(rows[2]).slice(3, 6)).toEqual(["Adjustment", "-2.50 USD", "10.00 USD"]);
    expect(cells(rows[3]).slice(3, 6)).toEqual(["Usage", "-512 MB", "9.5 GB"]);
    expect(cells(rows[5]).slice(3, 7)).toEqual(["Top-up", "+12.50 USD", "12.50 USD", "staff top-upuser #1"]);
    expect(within(ledger).getByText("26 movements")).toBeInTheDocument();

    const user = userEvent.setup();
    await user.click(within(ledger).getByRole("button", { name: /^(Page )?2$/ }));
    await waitFor(() =>
      expect(new URL(fetch.callsTo("GET /crm/service/21/ledger").at(-1)!.url).searchParams.get("page")).toBe("2"),
    );
  });

  it("filters by cause and kind through the API", async () => {
    renderService();
    const ledger = await screen.findByTestId("service-ledger");
    expect(await within(ledger).findByText("No movements yet")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(within(ledger).getByTestId("ledger-filter-cause"));
    await user.click(await screen.findByRole("option", { name: "Top-up", hidden: true }));
    await user.click(within(ledger).getByTestId("ledger-filter-kind"));
    await user.click(await screen.findByRole("option", { name: "Money", hidden: true }));
    await waitFor(() => {
      const query = new URL(fetch.callsTo("GET /crm/service/21/ledger").at(-1)!.url).searchParams;
      expect(query.get("cause")).toBe("topup");
      expect(query.get("balance_type")).toBe("monetary");
    });
    expect(await within(ledger).findByText("No movements match")).toBeInTheDocument();
  });
});
