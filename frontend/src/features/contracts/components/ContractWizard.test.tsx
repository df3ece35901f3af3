import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { product } from "@/test/catalog";
import { customer, login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ContractWizardPage } from "./ContractWizard";
import { contract } from "./testData";

let fetch: StubFetch;

const products = [
  product({ product_id: 3, product_name: "Mobile 10GB", inventory_items_list: ["SIM Card", "Phone Number"] }),
  product({ product_id: 4, product_name: "Prepaid only", postpaid_eligible: false }),
  product({ product_id: 5, product_name: "Old plan", enabled: false }),
  product({ product_id: 6, product_name: "Euro plan", currency: "EUR" }),
];

beforeEach(() => {
  useSession
    .getState()
    .signIn(
      login({ permissions: ["customer.read", "product.read", "inventory.read", "contract.read", "contract.write"] }),
    );
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/customer/7", () => json(customer({ customer_payment_type: "postpaid" })));
  fetch.on("GET /crm/product/", () => json(products));
  fetch.on("GET /crm/site/", () => json([]));
  fetch.on("GET /crm/inventory/", () => json([]));
  return () => vi.unstubAllGlobals();
});

const renderWizard = () =>
  renderRoutes(
    [
      { path: "/customers/:customerId/contracts/new", element: <ContractWizardPage /> },
      { path: "/contracts/:contractId", element: <p>contract page</p> },
    ],
    "/customers/7/contracts/new",
  );

describe("ContractWizard", () => {
  it("offers only enabled products eligible for the customer's payment type", async () => {
    renderWizard();
    expect(await screen.findByTestId("wizard-product-3")).toHaveTextContent("19.99 USD");
    expect(screen.queryByTestId("wizard-product-4")).not.toBeInTheDocument();
    expect(screen.queryByTestId("wizard-product-5")).not.toBeInTheDocument();
    // Priced in another currency than the customer's: not offered, and the page says so.
    expect(screen.queryByTestId("wizard-product-6")).not.toBeInTheDocument();
    expect(screen.getByTestId("wizard-other-currency")).toHaveTextContent(
      "1 product is priced in another currency than USD",
    );
    const query = new URL(fetch.callsTo("GET /crm/product/")[0].url).searchParams;
    expect(query.get("postpaid_eligible")).toBe("true");
    expect(query.get("enabled")).toBe("true");
    expect(screen.getByTestId("wizard-next")).toBeDisabled();
  });

  it("creates the contract once with an Idempotency-Key and opens it", async () => {
    fetch.on("POST /crm/contract/", () => json(contract(), { status: 201 }));
    const { router } = renderWizard();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("wizard-product-3"));
    await user.click(screen.getByTestId("wizard-next"));
    expect(screen.getByTestId("wizard-auto-assign")).toBeChecked();
    await user.click(screen.getByTestId("wizard-next"));
    expect(await screen.findByTestId("wizard-review")).toHaveTextContent("Mobile 10GB");
    await user.click(screen.getByTestId("wizard-create"));

    await waitFor(() => expect(router.state.location.pathname).toBe("/contracts/11"));
    // A toast confirms the sale and links to the contract.
    const link = await screen.findByTestId("contract-created-link");
    expect(link).toHaveTextContent("C-2025-000011");
    expect(link).toHaveAttribute("href", "/contracts/11");
    expect(screen.getByText("Contract created")).toBeInTheDocument();
    const posts = fetch.callsTo("POST /crm/contract/");
    expect(posts).toHaveLength(1);
    expect(await posts[0].json()).toEqual({ customer_id: 7, product_id: 3 });
    expect(posts[0].headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("reuses the same Idempotency-Key on a retry and sends the chosen serials", async () => {
    fetch.on("GET /crm/inventory/", (request) => {
      const template = new URL(request.url).searchParams.get("template");
      return json(
        template === "SIM Card"
          ? [{ inventory_id: 42, serial: "8944100000000000018", item: "SIM Card", item_state: "new" }]
          : [{ inventory_id: 43, serial: "61412345678", item: "Phone Number", item_state: "new" }],
      );
    });
    let attempts = 0;
    fetch.on("POST /crm/contract/", () =>
      ++attempts === 1
        ? errorBody(409, "inventory_unavailable", "SIM 8944100000000000018 is not free")
        : json(contract(), { status: 201 }),
    );
    const { router } = renderWizard();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("wizard-product-3"));
    await user.click(screen.getByTestId("wizard-next"));
    await user.click(screen.getByTestId("wizard-auto-assign"));
    await user.click(await screen.findByTestId("wizard-sim"));
    await user.click(await screen.findByRole("option", { name: "8944100000000000018", hidden: true }));
    await user.click(screen.getByTestId("wizard-msisdn"));
    await user.click(await screen.findByRole("option", { name: "61412345678", hidden: true }));
    await user.click(screen.getByTestId("wizard-next"));
    await user.click(await screen.findByTestId("wizard-create"));

    // The 409 is shown on the SIM step, where it can be fixed.
    expect(await screen.findByTestId("wizard-error")).toHaveTextContent("SIM 8944100000000000018 is not free");
    expect(screen.getByTestId("wizard-sim")).toBeInTheDocument();

    await user.click(screen.getByTestId("wizard-next"));
    await user.click(await screen.findByTestId("wizard-create"));
    await waitFor(() => expect(router.state.location.pathname).toBe("/contracts/11"));
    const posts = fetch.callsTo("POST /crm/contract/");
    expect(posts).toHaveLength(2);
    expect(await posts[0].json()).toEqual({
      customer_id: 7,
      product_id: 3,
      sim_iccid: "8944100000000000018",
      msisdn: "61412345678",
    });
    expect(posts[1].headers.get("Idempotency-Key")).toBe(posts[0].headers.get("Idempotency-Key"));
  });

  it("offers no wizard for a customer who is not open", async () => {
    fetch.on("GET /crm/customer/7", () => json(customer({ customer_status: "Archived" })));
    renderWizard();
    expect(await screen.findByTestId("wizard-not-open")).toHaveTextContent("archived");
    expect(screen.queryByTestId("wizard-product-3")).not.toBeInTheDocument();
  });

  it("shows a product refusal on the product step", async () => {
    fetch.on("POST /crm/contract/", () => errorBody(409, "product_disabled", "Product 3 is disabled"));
    renderWizard();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("wizard-product-3"));
    await user.click(screen.getByTestId("wizard-next"));
    await user.click(screen.getByTestId("wizard-next"));
    await user.click(await screen.findByTestId("wizard-create"));
    expect(await screen.findByTestId("wizard-error")).toHaveTextContent("Product 3 is disabled");
    expect(screen.getByTestId("wizard-product-3")).toBeInTheDocument();
  });
});
