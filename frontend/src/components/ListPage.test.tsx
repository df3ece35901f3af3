import { Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Pagination } from "@/api";
import { idOrUndefined, listOf, useListParams } from "@/lib/listParams";
import { renderRoutes } from "@/test/render";
import { IdFilter } from "./IdFilter";
import { ListPage } from "./ListPage";
import { ListTable, RowLink, type Column } from "./ListTable";

interface Row {
  id: number;
  name: string;
  owner: number;
}

const COLUMNS: Column<Row>[] = [
  { header: "Name", sort: "name", cell: (r) => <RowLink to={`/things/${r.id}`}>{r.name}</RowLink> },
  { header: "Owner", cell: (r) => <RowLink to={`/owners/${r.owner}`}>#{r.owner}</RowLink> },
];

type Fetch = (query: Record<string, unknown>) => Promise<{ items: Row[]; pagination: Pagination }>;

/** A list page over `fetchPage`, which records the query the page asked for. */
function ThingsPage({ fetchPage }: { fetchPage: Fetch }) {
  const list = useListParams(["owner", "kind"] as const);
  const { params, setParams } = list;
  const query = { owner: idOrUndefined(params.owner), kind: listOf(params.kind), ...list.paging };
  const things = useQuery({ queryKey: ["things", query], queryFn: () => fetchPage(query) });
  return (
    <ListPage
      breadcrumbs={[{ label: "Home", to: "/" }, { label: "Things" }]}
      title="Things"
      description="Every thing."
      query={things}
      list={list}
      noun="things"
      filters={
        <IdFilter
          value={params.owner}
          onChange={(owner) => setParams({ owner })}
          placeholder="Owner id"
          testId="thing-owner"
        />
      }
    >
      {(rows, loading) => (
        <ListTable
          rows={rows}
          columns={COLUMNS}
          rowKey={(r) => r.id}
          href={(r) => `/things/${r.id}`}
          rowData={(r) => ({ "data-testid": `thing-row-${r.id}` })}
          empty="No things match"
          testId="things-table"
          loading={loading}
          sort={list.sort}
          onSort={list.setSort}
        />
      )}
    </ListPage>
  );
}

const rows: Row[] = [
  { id: 1, name: "First", owner: 7 },
  { id: 2, name: "Second", owner: 8 },
];
const pageOf = (items: Row[], total = items.length) => ({
  items,
  pagination: { total, total_pages: Math.max(1, Math.ceil(total / 25)), page: 1 },
});

function renderThings(fetchPage: Fetch, path = "/things") {
  return renderRoutes(
    [
      { path: "/things", element: <ThingsPage fetchPage={fetchPage} /> },
      { path: "/things/:id", element: <Text>thing page</Text> },
      { path: "/owners/:id", element: <Text>owner page</Text> },
    ],
    path,
  );
}

describe("ListPage + ListTable + useListParams", () => {
  it("shows the header, the rows and the total; asks for page 1 of 25 by default", async () => {
    const fetchPage = vi.fn<Fetch>(async () => pageOf(rows, 60));
    renderThings(fetchPage);
    expect(screen.getByRole("heading", { name: "Things" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Home" })).toHaveAttribute("href", "/");
    const table = await screen.findByTestId("things-table");
    expect(within(table).getByTestId("thing-row-2")).toHaveTextContent("Second");
    expect(screen.getByText("60 things")).toBeInTheDocument();
    expect(fetchPage).toHaveBeenLastCalledWith({ owner: undefined, kind: undefined, page: 1, page_size: 25 });
  });

  it("reads filters, page, size and sort from the URL", async () => {
    const fetchPage = vi.fn<Fetch>(async () => pageOf(rows));
    renderThings(fetchPage, "/things?owner=7&kind=a,b&page=3&page_size=50&sort=-name");
    await screen.findByTestId("things-table");
    expect(fetchPage).toHaveBeenLastCalledWith({ owner: 7, kind: ["a", "b"], page: 3, page_size: 50, sort: "-name" });
    expect(screen.getByTestId("sort-name").closest("th")).toHaveAttribute("aria-sort", "descending");
  });

  it("writes sort, page size and filters to the URL, back to page 1", async () => {
    const fetchPage = vi.fn<Fetch>(async () => pageOf(rows, 60));
    const { router } = renderThings(fetchPage, "/things?page=2");
    await screen.findByTestId("things-table");
    const user = userEvent.setup();

    await user.click(screen.getByTestId("sort-name"));
    await waitFor(() => expect(router.state.location.search).toBe("?sort=name"));

    await user.type(screen.getByTestId("thing-owner"), "12");
    await waitFor(() => expect(router.state.location.search).toBe("?sort=name&owner=12"));
    await waitFor(() =>
      expect(fetchPage).toHaveBeenLastCalledWith(expect.objectContaining({ owner: 12, sort: "name", page: 1 })),
    );

    await user.click(screen.getByRole("textbox", { name: "Rows per page" }));
    await user.click(await screen.findByRole("option", { name: "50", hidden: true }));
    await waitFor(() => expect(router.state.location.search).toBe("?sort=name&owner=12&page_size=50"));
  });

  it("opens a row on click, but a link in it goes where it points", async () => {
    const { router } = renderThings(async () => pageOf(rows));
    const user = userEvent.setup();
    await user.click(await screen.findByText("#8"));
    expect(router.state.location.pathname).toBe("/owners/8");

    await router.navigate("/things");
    await user.click(within(await screen.findByTestId("thing-row-1")).getAllByRole("cell")[1]);
    // A click on the cell (not the link) opens the row's own page.
    expect(router.state.location.pathname).toBe("/things/1");
  });

  it("says so when nothing matches", async () => {
    renderThings(async () => pageOf([]));
    expect(await screen.findByText("No things match")).toBeInTheDocument();
    expect(screen.getByText("0 things")).toBeInTheDocument();
  });

  it("shows a load failure with Retry", async () => {
    const fetchPage = vi.fn<Fetch>().mockRejectedValueOnce(new Error("boom")).mockResolvedValue(pageOf(rows));
    renderThings(fetchPage);
    expect(await screen.findByText("boom")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByTestId("thing-row-1")).toBeInTheDocument();
  });
});
