import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { product } from "@/test/catalog";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ProductForm } from "./ProductForm";
import { page } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["product.read", "product.write", "inventory.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/inventory/template/", () =>
    json([{ item: "SIM Card" }, { item: "Phone Number" }, { item: "Router" }]),
  );
  fetch.on("GET /crm/product/", () => {
    const rows = [
      product({ product_id: 3, product_name: "Mobile 10GB" }),
      product({ product_id: 4, product_name: "Extra Data", category: "addon" }),
    ];
    return json(rows, page(rows));
  });
  return () => vi.unstubAllGlobals();
});

function renderForm(props: Partial<Parameters<typeof ProductForm>[0]> = {}) {
  const onDone = vi.fn();
  const onCancel = vi.fn();
  const view = renderRoutes(
    [
      { path: "/", element: <ProductForm onDone={onDone} onCancel={onCancel} {...props} /> },
      { path: "/products/:id", element: <p>product page</p> },
    ],
    "/",
  );
  return { ...view, onDone, onCancel, user: userEvent.setup() };
}

const posted = async () => (await fetch.callsTo("POST /crm/product/")[0].json()) as Record<string, unknown>;

describe("ProductForm", () => {
  it("creates a standalone product with money as decimal strings, exactly as typed", async () => {
    fetch.on("POST /crm/product/", async (r) => json(product(await r.json()), { status: 201 }));
    const { onDone, user } = renderForm();

    await user.type(screen.getByTestId("product-name"), "Mobile 10GB");
    await user.type(screen.getByTestId("product-retail-cost"), "19.9900");
    await user.type(screen.getByTestId("product-rate-per-minute"), "0.1");
    await user.type(screen.getByTestId("product-data-mb"), "10240");
    await user.clear(screen.getByTestId("product-tax-percentage"));
    await user.type(screen.getByTestId("product-tax-percentage"), "20.50");
    await user.click(screen.getByTestId("product-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const body = await posted();
    expect(body).toEqual({
      product_name: "Mobile 10GB",
      category: "standalone",
      provisioning_json_vars: {},
      inventory_items_list: [],
      retail_cost: "19.9900",
      retail_setup_cost: "0",
      wholesale_cost: "0",
      wholesale_setup_cost: "0",
      rate_per_minute: "0.1",
      allowance_rollover: false,
      allowance_alerts: [],
      data_mb: 10240,
      billing_period: "monthly",
      prepaid_eligible: true,
      postpaid_eligible: true,
      tax_percentage: "20.50",
      contract_term_months: 0,
      currency: "USD",
      enabled: true,
    });
    expect(typeof body.retail_cost).toBe("string");
  });

  it("refuses money with more than 4 decimals or a sign, locally", async () => {
    const { user } = renderForm();
    await user.type(screen.getByTestId("product-name"), "X");
    await user.type(screen.getByTestId("product-retail-cost"), "1.23456");
    await user.type(screen.getByTestId("product-rate-per-mb"), "-1");
    await user.click(screen.getByTestId("product-submit"));
    expect(await screen.findAllByText(/up to 4 decimals/)).toHaveLength(2);
    expect(fetch.callsTo("POST /crm/product/")).toHaveLength(0);
  });

  it("sends the charging alerts: rollover, alert percentages as numbers, low-balance amount and play", async () => {
    fetch.on("POST /crm/product/", async (r) => json(product(await r.json()), { status: 201 }));
    const { user, onDone } = renderForm();
    await user.type(screen.getByTestId("product-name"), "Mobile 10GB");
    await user.type(screen.getByTestId("product-retail-cost"), "19.99");
    await user.type(screen.getByTestId("product-allowance-alerts"), "80{enter}100{enter}");
    await user.type(screen.getByTestId("product-low-balance-alert"), "5.50");
    await user.type(screen.getByTestId("product-exhausted-play"), "bar_data");
    await user.click(screen.getByTestId("product-allowance-rollover"));
    await user.click(screen.getByTestId("product-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(await posted()).toMatchObject({
      allowance_rollover: true,
      allowance_alerts: [80, 100],
      low_balance_alert: "5.50",
      exhausted_play: "bar_data",
    });
  });

  it("refuses alert percentages outside 1–100, repeated or more than 5, locally", async () => {
    const { user } = renderForm();
    await user.type(screen.getByTestId("product-name"), "X");
    await user.type(screen.getByTestId("product-retail-cost"), "1");
    const alerts = screen.getByTestId("product-allowance-alerts");
    const submit = screen.getByTestId("product-submit");

    await user.type(alerts, "0{enter}");
    await user.click(submit);
    expect(await screen.findByText("Whole percentages 1–100")).toBeInTheDocument();
    expect(alerts).toHaveAttribute("aria-invalid", "true");

    await user.type(alerts, "{backspace}101{enter}");
    await user.click(submit);
    expect(await screen.findByText("Whole percentages 1–100")).toBeInTheDocument();

    await user.type(alerts, "{backspace}80{enter}80{enter}");
    await user.click(submit);
    expect(await screen.findByText("Each percentage at most once")).toBeInTheDocument();

    await user.type(alerts, "{backspace}{backspace}10{enter}20{enter}30{enter}40{enter}50{enter}60{enter}");
    await user.click(submit);
    expect(await screen.findByText("At most 5 percentages")).toBeInTheDocument();
    expect(fetch.callsTo("POST /crm/product/")).toHaveLength(0);
  });

  it("validates the provisioning variables as a JSON object", async () => {
    fetch.on("POST /crm/product/", async (r) => json(product(await r.json()), { status: 201 }));
    const { user, onDone } = renderForm();
    await user.type(screen.getByTestId("product-name"), "X");
    await user.type(screen.getByTestId("product-retail-cost"), "1");
    const vars = screen.getByTestId("product-json-vars");

    await user.type(vars, "[[1, 2]");
    await user.click(screen.getByTestId("product-submit"));
    expect(await screen.findByText(/Must be a JSON object/)).toBeInTheDocument();

    await user.clear(vars);
    await user.type(vars, '{{"apn": "internet", "qos": {{"level": 5}}');
    await user.click(screen.getByTestId("product-submit"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect((await posted()).provisioning_json_vars).toEqual({ apn: "internet", qos: { level: 5 } });
  });

  it("shows only the bundle section for a bundle and sends its ordered children (repeats allowed)", async () => {
    fetch.on("POST /crm/product/", async (r) => json(product(await r.json()), { status: 201 }));
    const { user, onDone } = renderForm();
    expect(screen.queryByTestId("product-bundle-add")).not.toBeInTheDocument();

    await user.click(within(screen.getByTestId("product-category")).getByLabelText("Bundle"));
    expect(screen.queryByTestId("product-promo-target")).not.toBeInTheDocument();
    await user.type(screen.getByTestId("product-name"), "Family");
    await user.type(screen.getByTestId("product-retail-cost"), "30");
    await user.click(screen.getByTestId("product-submit"));
    expect(await screen.findByText("Add at least one product")).toBeInTheDocument();

    const add = await screen.findByTestId("product-bundle-add");
    await within(add).findByRole("option", { name: "Mobile 10GB (#3)" });
    await user.selectOptions(add, "3");
    await user.selectOptions(add, "3");
    await user.selectOptions(add, "4");
    await user.click(screen.getByTestId("product-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const body = await posted();
    expect(body).toMatchObject({ category: "bundle", bundle_children: [3, 3, 4] });
    expect(body).not.toHaveProperty("promo_target_product_id");
    expect(body).not.toHaveProperty("addon_compatible_with");
  });

  it("sends a promo's target, one kind of discount and months", async () => {
    fetch.on("POST /crm/product/", async (r) => json(product(await r.json()), { status: 201 }));
    const { user, onDone } = renderForm();
    await user.click(within(screen.getByTestId("product-category")).getByLabelText("Promo"));
    await user.type(screen.getByTestId("product-name"), "Half price");
    await user.type(screen.getByTestId("product-retail-cost"), "0");
    const target = screen.getByTestId("product-promo-target");
    await within(target).findByRole("option", { name: "Mobile 10GB (#3)" });
    await user.selectOptions(target, "3");
    await user.click(within(screen.getByTestId("product-promo-kind")).getByLabelText("Amount"));
    await user.type(screen.getByTestId("product-promo-amount"), "5.50");
    await user.type(screen.getByTestId("product-promo-months"), "6");
    await user.click(screen.getByTestId("product-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const body = await posted();
    expect(body).toMatchObject({
      category: "promo",
      promo_target_product_id: 3,
      promo_discount_amount: "5.50",
      promo_months: 6,
    });
    expect(body).not.toHaveProperty("promo_discount_percent");
  });

  it("shows the add-on picker for an add-on", async () => {
    const { user } = renderForm();
    await user.click(within(screen.getByTestId("product-category")).getByLabelText("Add-on"));
    expect(screen.getByTestId("product-addon-compatible")).toBeInTheDocument();
    expect(screen.queryByTestId("product-bundle-add")).not.toBeInTheDocument();
  });

  it("shows the API's 422 field errors under the inputs", async () => {
    fetch.on("POST /crm/product/", () =>
      errorBody(422, "validation_error", "Unprocessable Entity", {
        errors: { json: { retail_cost: ["Not a valid amount."], provisioning_play: ["Unknown playbook."] } },
      }),
    );
    const { user, onDone } = renderForm();
    await user.type(screen.getByTestId("product-name"), "X");
    await user.type(screen.getByTestId("product-retail-cost"), "1");
    await user.click(screen.getByTestId("product-submit"));

    expect(await screen.findByText("Not a valid amount.")).toBeInTheDocument();
    expect(screen.getByText("Unknown playbook.")).toBeInTheDocument();
    expect(screen.getByTestId("product-retail-cost")).toHaveAttribute("aria-invalid", "true");
    expect(onDone).not.toHaveBeenCalled();
  });

  it("shows the API's 422 on an unknown exhausted play under that input", async () => {
    fetch.on("POST /crm/product/", () =>
      errorBody(422, "validation_error", "Unprocessable Entity", {
        errors: { json: { exhausted_play: ["no play 'bar_dta' in the ansible directory"] } },
      }),
    );
    const { user, onDone } = renderForm();
    await user.type(screen.getByTestId("product-name"), "X");
    await user.type(screen.getByTestId("product-retail-cost"), "1");
    await user.type(screen.getByTestId("product-exhausted-play"), "bar_dta");
    await user.click(screen.getByTestId("product-submit"));

    const input = screen.getByTestId("product-exhausted-play");
    await waitFor(() => expect(input).toHaveAttribute("aria-invalid", "true"));
    const message = screen.getByText("no play 'bar_dta' in the ansible directory");
    expect(input).toHaveAttribute("aria-describedby", expect.stringContaining(message.id));
    expect(onDone).not.toHaveBeenCalled();
  });

  it("links to the product that holds a duplicate slug (409)", async () => {
    fetch.on("POST /crm/product/", () =>
      errorBody(409, "duplicate_product", "The slug is taken", { existing_product_id: 12 }),
    );
    const { user, router } = renderForm();
    await user.type(screen.getByTestId("product-name"), "X");
    await user.type(screen.getByTestId("product-slug"), "mobile-10gb");
    await user.type(screen.getByTestId("product-retail-cost"), "1");
    await user.click(screen.getByTestId("product-submit"));

    const link = await screen.findByRole("link", { name: "Open product #12" });
    expect(screen.getByTestId("product-duplicate")).toContainElement(link);
    await user.click(link);
    expect(router.state.location.pathname).toBe("/products/12");
  });

  it("edits: PATCHes without the category, clearing emptied fields with null", async () => {
    const existing = product();
    fetch.on("PATCH /crm/product/3", async (r) => json({ ...existing, ...(await r.json()) }));
    const { user, onDone } = renderForm({ product: existing });

    expect(screen.getByTestId("product-retail-cost")).toHaveValue("19.9900");
    await user.clear(screen.getByTestId("product-rate-per-minute"));
    await user.click(screen.getByTestId("product-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const body = (await fetch.callsTo("PATCH /crm/product/3")[0].json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      retail_cost: "19.9900",
      rate_per_minute: null,
      tax_percentage: "20.00",
      data_mb: 10240,
      allowance_rollover: false,
      allowance_alerts: [],
      low_balance_alert: null,
      exhausted_play: null,
    });
    expect(body).not.toHaveProperty("category");
  });

  it("edits charging alerts: shows the saved ones, clears them with [] and null", async () => {
    const existing = product({
      allowance_rollover: true,
      allowance_alerts: [80, 100],
      low_balance_alert: "5.0000",
      exhausted_play: "bar_data",
    });
    fetch.on("PATCH /crm/product/3", async (r) => json({ ...existing, ...(await r.json()) }));
    const { user, onDone } = renderForm({ product: existing });

    expect(screen.getByTestId("product-low-balance-alert")).toHaveValue("5.0000");
    expect(screen.getByTestId("product-exhausted-play")).toHaveValue("bar_data");
    expect(screen.getByTestId("product-allowance-rollover")).toBeChecked();
    await user.type(screen.getByTestId("product-allowance-alerts"), "{backspace}{backspace}");
    await user.clear(screen.getByTestId("product-low-balance-alert"));
    await user.clear(screen.getByTestId("product-exhausted-play"));
    await user.click(screen.getByTestId("product-allowance-rollover"));
    await user.click(screen.getByTestId("product-submit"));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const body = (await fetch.callsTo("PATCH /crm/product/3")[0].json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      allowance_rollover: false,
      allowance_alerts: [],
      low_balance_alert: null,
      exhausted_play: null,
    });
  });
});
