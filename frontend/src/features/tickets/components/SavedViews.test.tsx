import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { readViews, sameFilters, viewsStorageKey } from "../savedViews";
import { page } from "../testData";
import { TicketBoard } from "./TicketBoard";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["ticket.read", "ticket.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/ticket/", () => page([]));
  return () => vi.unstubAllGlobals();
});

const renderBoard = (path = "/tickets") => renderRoutes([{ path: "/tickets", element: <TicketBoard /> }], path);
const stored = () => JSON.parse(localStorage.getItem(viewsStorageKey(1)) ?? "null");

describe("saved views", () => {
  it("saves the filters under a name, in this user's localStorage, and shows the view in use", async () => {
    renderBoard("/tickets?assignee=unassigned&priority=urgent");
    const user = userEvent.setup();
    await screen.findAllByTestId("ticket-column");
    expect(screen.getByTestId("ticket-views")).toBeDisabled();

    await user.click(screen.getByTestId("ticket-view-save"));
    await user.click(await screen.findByTestId("ticket-view-confirm"));
    expect(await screen.findByText("Name the view")).toBeInTheDocument();
    await user.type(screen.getByTestId("ticket-view-name"), "  Urgent queue ");
    await user.click(screen.getByTestId("ticket-view-confirm"));

    await waitFor(() => expect(screen.getByTestId("ticket-views")).toHaveValue("Urgent queue"));
    expect(stored()).toEqual([{ name: "Urgent queue", filters: { assignee: "unassigned", priority: "urgent" } }]);
    expect(screen.getByTestId("ticket-view-delete")).toBeInTheDocument();
  });

  it("picks a saved view again: its filters replace the ones in the URL", async () => {
    localStorage.setItem(
      viewsStorageKey(1),
      JSON.stringify([
        { name: "My breached", filters: { assignee: "me", breached: "true" } },
        { name: "NOC outages", filters: { team: "noc", tag: "outage" } },
      ]),
    );
    const { router } = renderBoard("/tickets?priority=low");
    const user = userEvent.setup();
    await screen.findAllByTestId("ticket-column");
    expect(screen.getByTestId("ticket-views")).toHaveValue("");

    await user.click(screen.getByTestId("ticket-views"));
    await user.click(await screen.findByRole("option", { name: "NOC outages", hidden: true }));
    await waitFor(() => expect(router.state.location.search).toBe("?team=noc&tag=outage"));
    // The text filters show the view's values, and the board asks for them.
    expect(screen.getByTestId("ticket-filter-team")).toHaveValue("noc");
    expect(screen.getByTestId("ticket-filter-tag")).toHaveValue("outage");
    await waitFor(() =>
      expect(
        fetch
          .callsTo("GET /crm/ticket/")
          .map((r) => new URL(r.url).searchParams)
          .some((q) => q.get("team") === "noc" && q.get("tag") === "outage" && !q.has("priority")),
      ).toBe(true),
    );
    expect(screen.getByTestId("ticket-views")).toHaveValue("NOC outages");

    await user.click(screen.getByTestId("ticket-views"));
    await user.click(await screen.findByRole("option", { name: "My breached", hidden: true }));
    await waitFor(() => expect(router.state.location.search).toBe("?assignee=me&breached=true"));
    expect(screen.getByTestId("ticket-filter-breached")).toBeChecked();
  });

  it("replaces a view saved again under its name, and deletes the view in use", async () => {
    localStorage.setItem(viewsStorageKey(1), JSON.stringify([{ name: "Mine", filters: { assignee: "me" } }]));
    renderBoard("/tickets?assignee=me&priority=high");
    const user = userEvent.setup();
    await screen.findAllByTestId("ticket-column");

    await user.click(screen.getByTestId("ticket-view-save"));
    await user.type(await screen.findByTestId("ticket-view-name"), "Mine");
    await user.click(screen.getByTestId("ticket-view-confirm"));
    await waitFor(() => expect(stored()).toEqual([{ name: "Mine", filters: { assignee: "me", priority: "high" } }]));

    await user.click(await screen.findByTestId("ticket-view-delete"));
    await waitFor(() => expect(stored()).toEqual([]));
    expect(screen.queryByTestId("ticket-view-delete")).not.toBeInTheDocument();
  });

  it("keeps each user's views apart and ignores what is not a view", () => {
    localStorage.setItem(viewsStorageKey(1), JSON.stringify([{ name: "A", filters: { team: "x", junk: "y" } }, 3]));
    localStorage.setItem(viewsStorageKey(2), "not json");
    expect(readViews(1)).toEqual([{ name: "A", filters: { team: "x" } }]);
    expect(readViews(2)).toEqual([]);
    expect(sameFilters({ team: "x", tag: "" }, { team: "x" })).toBe(true);
    expect(sameFilters({ team: "x" }, { team: "y" })).toBe(false);
  });
});
