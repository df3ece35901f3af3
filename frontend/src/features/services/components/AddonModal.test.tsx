import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ServiceDetailPage } from "./ServiceDetailPage";
import { addonProduct, balance, balances, ledgerPage, movement, plannedService, productPage } from "./testData";

let fetch: StubFetch;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ADDONS = [
  addonProduct(),
  addonProduct({
    product_id: 41,
    product_name: "Talk 100",
    retail_cost: "2.0000",
    data_mb: null,
    voice_minutes: 100,
    sms: 50,
    addon_compatible_with: [2, 3],
  }),
  addonProduct({ product_id: 42, product_name: "Other plan's pack", addon_compatible_with: [9] }),
  addonProduct({ product_id: 43, product_name: "Retired pack", enabled: false }),
];

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["service.read", "product.read", "payment.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/service/", () => json([]));
  fetch.on("GET /crm/service/21", () => json(plannedService()));
  fetch.on("GET /crm/service/21/balance", () => json(balances([])));
  fetch.on("GET /crm/service/21/ledger", () => ledgerPage([]));
  fetch.on("GET /crm/service/21/usage", () => json([]));
  fetch.on("GET /crm/product/", () => productPage(ADDONS));
  return () => vi.unstubAllGlobals();
});

const renderService = () =>
  renderRoutes([{ path: "/services/:serviceId", element: <ServiceDetailPage /> }], "/services/21");

const openPicker = async (user: ReturnType<typeof userEvent.setup>) => {
  await user.click(await screen.findByTestId("service-addon"));
  const picker = await screen.findByTestId("addon-product");
  await waitFor(() => expect(picker).not.toBeDisabled());
  await user.click(picker);
};

describe("Add-on", () => {
  it("offers Add-on only with payment.write and on an active service", async () => {
    const { unmount } = renderService();
    expect(await screen.findByTestId("service-addon")).toBeInTheDocument();
    unmount();

    useSession.setState({ permissions: ["service.read", "product.read"] });
    const second = renderService();
    await screen.findByText("No balances yet");
    expect(screen.queryByTestId("service-addon")).not.toBeInTheDocument();
    second.unmount();

    useSession.setState({ permissions: ["service.read", "product.read", "payment.write"] });
    fetch.on("GET /crm/service/21", () => json(plannedService({ service_status: "suspended" })));
    renderService();
    await screen.findByText("No balances yet");
    expect(screen.getByTestId("service-topup")).toBeInTheDocument();
    expect(screen.queryByTestId("service-addon")).not.toBeInTheDocument();
  });

  it("lists only the enabled add-ons compatible with the service's product", async () => {
    renderService();
    const user = userEvent.setup();
    await openPicker(user);

    // The picker's own list (the ledger's filters have options of their own).
    const picker = screen.getByTestId("addon-product");
    const listbox = await waitFor(() => {
      const list = document.getElementById(picker.getAttribute("aria-controls") ?? "");
      expect(list).not.toBeNull();
      return list!;
    });
    const options = await within(listbox).findAllByRole("option", { hidden: true });
    expect(options.map((o) => o.textContent)).toEqual([
      "Data boost 5GB — 4.99 USD — 5 GB",
      "Talk 100 — 2.00 USD — 100 min · 50 SMS",
    ]);
    const query = new URL(fetch.callsTo("GET /crm/product/")[0].url).searchParams;
    expect(query.getAll("category")).toEqual(["addon"]);
    expect(query.get("enabled")).toBe("true");
  });

  it("sells the chosen add-on with an Idempotency-Key, then refreshes the balances and the ledger", async () => {
    let sold = false;
    fetch.on("GET /crm/service/21/balance", () =>
      json(balances(sold ? [balance({ balance_type: "data", balance_id: "data-boost-5gb", value: "5120" })] : [])),
    );
    fetch.on("GET /crm/service/21/ledger", () =>
      ledgerPage(sold ? [movement({ cause: "addon", reference: "add-on data-boost-5gb" })] : []),
    );
    fetch.on("POST /crm/service/21/addon", () => {
      sold = true;
      return json(
        {
          service_id: 21,
          product_slug: "data-boost-5gb",
          reference: "add-on data-boost-5gb",
          charged: "2.00",
          movements: [],
        },
        { status: 201 },
      );
    });
    renderService();
    const user = userEvent.setup();
    await screen.findByText("No balances yet");

    await openPicker(user);
    await user.click(await screen.findByRole("option", { name: /^Talk 100/, hidden: true }));
    await user.click(screen.getByTestId("addon-submit"));

    expect(await screen.findByText("Sold Talk 100 for 2.00 USD.")).toBeInTheDocument();
    expect(screen.queryByTestId("addon-form")).not.toBeInTheDocument();
    const ledger = screen.getByTestId("service-ledger");
    expect(await within(ledger).findByText("add-on data-boost-5gb")).toBeInTheDocument();
    const card = screen.getByTestId("service-balances");
    expect(await within(card).findByText("data-boost-5gb")).toBeInTheDocument();

    const posts = fetch.callsTo("POST /crm/service/21/addon");
    expect(posts).toHaveLength(1);
    expect(await posts[0].json()).toEqual({ product_id: 41 });
    expect(posts[0].headers.get("Idempotency-Key")).toMatch(UUID);
  });

  it("asks for an add-on before sending anything", async () => {
    renderService();
    const user = userEvent.setup();
    await openPicker(user);
    await user.click(screen.getByTestId("addon-submit"));
    expect(await screen.findByText("Choose an add-on")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/service/21/addon")).toHaveLength(0);
  });

  it("shows the API's 409 in the dialog and keeps the key for a retry", async () => {
    fetch.on("POST /crm/service/21/addon", () =>
      errorBody(409, "insufficient_balance", "the monetary balance (1.00) does not cover 4.99"),
    );
    renderService();
    const user = userEvent.setup();
    await openPicker(user);
    await user.click(await screen.findByRole("option", { name: /^Data boost 5GB/, hidden: true }));
    await user.click(screen.getByTestId("addon-submit"));
    expect(await screen.findByTestId("addon-error")).toHaveTextContent(
      "the monetary balance (1.00) does not cover 4.99",
    );
    expect(screen.getByTestId("addon-form")).toBeInTheDocument();

    await user.click(screen.getByTestId("addon-submit"));
    await waitFor(() => expect(fetch.callsTo("POST /crm/service/21/addon")).toHaveLength(2));
    const keys = fetch.callsTo("POST /crm/service/21/addon").map((r) => r.headers.get("Idempotency-Key"));
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
  });
});
