import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { invoice, page } from "../testData";
import { InvoicesPage } from "./InvoicesPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["invoice.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/invoice/", () =>
    page(
      [invoice(), invoice({ invoice_id: 56, invoice_number: null, status: "draft", issue_date: null, due_date: null })],
      { total: 42, total_pages: 2, page: 1 },
    ),
  );
  return () => vi.unstubAllGlobals();
});

const renderPage = (path = "/invoices") =>
  renderRoutes(
    [
      { path: "/invoices", element: <InvoicesPage /> },
      { path: "/invoices/:id", element: <p>invoice page</p> },
    ],
    path,
  );

const lastQuery = () => new URL(fetch.callsTo("GET /crm/invoice/").at(-1)!.url).searchParams;

describe("InvoicesPage", () => {
  it("lists invoices with number, customer, status and money, and opens one on click", async () => {
    const { router } = renderPage();
    const table = await screen.findByTestId("invoices-table");
    const [issued, draft] = within(table).getAllByTestId("invoice-row");
    expect(issued).toHaveTextContent("INV-2026-000055");
    expect(issued).toHaveTextContent("Issued");
    expect(issued).toHaveTextContent("23.988 USD");
    expect(within(issued).getByRole("link", { name: "Acme Telecom" })).toHaveAttribute("href", "/customers/7");
    expect(draft).toHaveTextContent("Draft #56");
    expect(screen.getByText("42 invoices")).toBeInTheDocument();
    await userEvent.setup().click(within(draft).getByText("Draft #56"));
    expect(router.state.location.pathname).toBe("/invoices/56");
  });

  it("passes the URL's filters to the API and writes new ones back", async () => {
    const { router } = renderPage("/invoices?status=overdue&kind=invoice&customer_id=7&billing_run_id=5&sort=-total");
    await screen.findAllByTestId("invoice-row");
    expect(lastQuery().getAll("status")).toEqual(["overdue"]);
    expect(lastQuery().get("kind")).toBe("invoice");
    expect(lastQuery().get("customer_id")).toBe("7");
    expect(lastQuery().get("billing_run_id")).toBe("5");
    expect(lastQuery().get("sort")).toBe("-total");
    expect(screen.getByTestId("invoice-filter-run")).toHaveTextContent("Billing run #5");

    const user = userEvent.setup();
    await user.type(screen.getByTestId("invoice-search"), "INV-2026");
    await waitFor(() => expect(lastQuery().get("q")).toBe("INV-2026"));
    expect(router.state.location.search).toContain("q=INV-2026");

    await user.click(screen.getByRole("button", { name: "Any billing run" }));
    await waitFor(() => expect(lastQuery().get("billing_run_id")).toBeNull());
  });

  it("sends several statuses as one list (status repeated) and picks more in the filter", async () => {
    const { router } = renderPage("/invoices?status=issued,overdue");
    await screen.findAllByTestId("invoice-row");
    expect(lastQuery().getAll("status")).toEqual(["issued", "overdue"]);

    const user = userEvent.setup();
    await user.click(screen.getByTestId("invoice-filter-status"));
    await user.click(await screen.findByRole("option", { name: "Partially paid", hidden: true }));
    await waitFor(() => expect(lastQuery().getAll("status")).toEqual(["issued", "overdue", "partially_paid"]));
    expect(new URLSearchParams(router.state.location.search).get("status")).toBe("issued,overdue,partially_paid");
  });

  it("ignores a status the API does not know", async () => {
    renderPage("/invoices?status=bogus");
    await screen.findAllByTestId("invoice-row");
    expect(lastQuery().getAll("status")).toEqual([]);
  });

  it("keeps the known statuses of a list with an unknown one", async () => {
    renderPage("/invoices?status=bogus,paid");
    await screen.findAllByTestId("invoice-row");
    expect(lastQuery().getAll("status")).toEqual(["paid"]);
  });
  it("filters by a customer picked by name, not typed as an id", async () => {
    fetch.on("GET /crm/customer/", () => json([customer({ customer_id: 7, customer_name: "Harbour Cafe" })]));
    fetch.on("GET /crm/customer/7", () => json(customer({ customer_id: 7, customer_name: "Harbour Cafe" })));
    renderPage();
    await screen.findByTestId("invoices-table");
    const user = userEvent.setup();
    await user.click(screen.getByTestId("invoice-filter-customer"));
    await user.type(screen.getByTestId("invoice-filter-customer"), "Harb");
    await waitFor(() =>
      expect(fetch.callsTo("GET /crm/customer/").map((r) => new URL(r.url).searchParams.get("q"))).toContain("Harb"),
    );
    await user.click(await screen.findByRole("option", { name: "Harbour Cafe", hidden: true }));
    await waitFor(() => expect(lastQuery().get("customer_id")).toBe("7"));
    expect(screen.getByTestId("invoice-filter-customer")).toHaveValue("Harbour Cafe");
  });
});
