import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { CustomersPage } from "./CustomersPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login());
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/customer/", (r) => {
    const q = new URL(r.url).searchParams.get("q");
    const rows = q ? [customer({ customer_id: 9, customer_name: `Match ${q}` })] : [customer()];
    const pagination = { total: q ? 1 : 53, total_pages: q ? 1 : 3, page: 1, first_page: 1, last_page: 3 };
    return json(rows, { headers: { "X-Pagination": JSON.stringify(pagination) } });
  });
  return () => vi.unstubAllGlobals();
});

const renderPage = (path = "/customers") =>
  renderRoutes(
    [
      { path: "/customers", element: <CustomersPage /> },
      { path: "/customers/:id", element: <p>detail</p> },
    ],
    path,
  );

const lastQuery = () => new URL(fetch.callsTo("GET /crm/customer/").at(-1)!.url).searchParams;

describe("CustomersPage", () => {
  it("lists a page of customers with the total from X-Pagination", async () => {
    renderPage();
    const table = await screen.findByTestId("customers-table");
    expect(await within(table).findByText("Acme Telecom")).toBeInTheDocument();
    expect(screen.getByText("53 customers")).toBeInTheDocument();
    expect(Object.fromEntries(lastQuery())).toEqual({ page: "1", page_size: "25" });
  });

  it("searches server-side once typing pauses", async () => {
    const { router } = renderPage();
    await screen.findByText("Acme Telecom");
    const user = userEvent.setup();

    await user.type(screen.getByTestId("customer-search"), "bob");

    expect(await screen.findByText("Match bob")).toBeInTheDocument();
    const searches = fetch.callsTo("GET /crm/customer/").map((r) => new URL(r.url).searchParams.get("q"));
    expect(searches.filter(Boolean)).toEqual(["bob"]); // one request, not one per keystroke
    expect(router.state.location.search).toBe("?q=bob");
  });

  it("sorts by a column, then reverses it", async () => {
    renderPage("/customers?page=2");
    await screen.findByText("Acme Telecom");
    const user = userEvent.setup();

    await user.click(screen.getByTestId("sort-customer_name"));
    await waitFor(() => expect(lastQuery().get("sort")).toBe("customer_name"));
    expect(lastQuery().get("page")).toBe("1"); // a new order starts at the first page

    await user.click(screen.getByTestId("sort-customer_name"));
    await waitFor(() => expect(lastQuery().get("sort")).toBe("-customer_name"));
  });

  it("passes filters from the URL to the API, statuses and tags repeated", async () => {
    renderPage("/customers?customer_status=Open,Suspended&customer_payment_type=prepaid&tag=vip");
    await screen.findByText("Acme Telecom");
    expect(lastQuery().getAll("customer_status")).toEqual(["Open", "Suspended"]);
    expect(lastQuery().get("customer_payment_type")).toBe("prepaid");
    expect(lastQuery().getAll("tag")).toEqual(["vip"]);
  });

  it("filters by a tag when its badge is clicked", async () => {
    const { router } = renderPage();
    const user = userEvent.setup();
    await user.click(await screen.findByText("vip"));
    await waitFor(() => expect(lastQuery().getAll("tag")).toEqual(["vip"]));
    expect(router.state.location.search).toBe("?tag=vip");
  });

  it("shows export buttons only with customer.export", async () => {
    useSession.setState({ permissions: ["customer.read", "customer.export"] });
    const { unmount } = renderPage();
    expect(await screen.findByTestId("customer-export-csv")).toBeInTheDocument();
    unmount();
    useSession.setState({ permissions: ["customer.read"] });
    renderPage();
    await screen.findByText("Acme Telecom");
    expect(screen.queryByTestId("customer-export-csv")).not.toBeInTheDocument();
  });

  it("hides New customer without customer.write", async () => {
    useSession.setState({ permissions: ["customer.read"] });
    renderPage();
    await screen.findByText("Acme Telecom");
    expect(screen.queryByTestId("customer-new")).not.toBeInTheDocument();
  });
});
